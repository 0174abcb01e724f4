/**
 * The LLM node inside the real engine: SQLite journal, real SDKs, the fake provider on loopback.
 * Runs end to end, live progress, invalid output never succeeds, a resumed run does not repeat a
 * journaled exchange, budgets from flow settings, the cache across restarts, the Test button and
 * the secrets API.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, type Engine, type EngineOptions } from '../../engine';
import { EngineError } from '../../../shared/api';
import type { Flow } from '../../../shared/flow/schema';
import type { RunEvent } from '../../../shared/runs';
import { parseCallRecord } from '../../../shared/llm';
import { startFakeLlmProvider, type FakeLlmProvider } from './testing/fake-llm-provider';

let fake: FakeLlmProvider;
let dir: string;
let engine: Engine;
const open = (o: Partial<EngineOptions> = {}) => createEngine({ dataDir: dir, seedDemo: false, env: {}, ...o });

beforeAll(async () => {
  fake = await startFakeLlmProvider();
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.reset();
  dir = mkdtempSync(join(tmpdir(), 'millrace-llm-engine-'));
  engine = open();
});
afterEach(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

function llmFlow(llmConfig: Record<string, unknown>, settings?: Flow['settings']): Flow {
  return {
    schemaVersion: 1,
    id: 'llm-flow',
    name: 'LLM flow',
    ...(settings ? { settings } : {}),
    nodes: [
      { id: 't', type: 'manual-trigger@1', name: 'Review', position: { x: 0, y: 0 }, config: { payload: '{"review": "Lovely shoes"}' } },
      {
        id: 'llm',
        type: 'llm-call@1',
        name: 'Classify',
        position: { x: 200, y: 0 },
        config: { baseUrl: fake.baseUrl, model: 'gpt-4o-mini', prompt: 'Classify: {{ review }}', maxAttempts: 2, initialBackoffMs: 10, maxBackoffMs: 20, ...llmConfig },
      },
      { id: 'w', type: 'write-file@1', name: 'Save', position: { x: 400, y: 0 }, config: { path: 'llm/out.jsonl', line: '{{ $json }}' } },
    ],
    edges: [
      { id: 'e1', source: 't', sourcePort: 'out', target: 'llm', targetPort: 'in' },
      { id: 'e2', source: 'llm', sourcePort: llmConfig['output'] === 'json' ? 'data' : 'text', target: 'w', targetPort: 'in' },
    ],
  };
}

const jsonConfig = {
  output: 'json',
  schemaFields: [
    { name: 'sentiment', type: 'string' },
    { name: 'score', type: 'number' },
  ],
};

async function runOnce(flow: Flow) {
  await engine.saveFlow({ flow });
  const { runId } = await engine.startRun({ flowId: flow.id });
  return engine.waitForRun(runId);
}

describe('llm-call in the engine', () => {
  it('runs trigger → LLM → sink, streams progress, and keeps the call record in the trace', async () => {
    fake.enqueue({ kind: 'reply', text: 'A happy customer.', chunks: 4, chunkDelayMs: 15 });
    const events: RunEvent[] = [];
    engine.onRunEvent((e) => events.push(e));
    const trace = await runOnce(llmFlow({ stream: true }));
    expect(trace.run.status).toBe('succeeded');
    expect(fake.requests[0]!.body['messages']).toEqual([
      { role: 'system', content: 'You are a concise assistant.' },
      { role: 'user', content: 'Classify: Lovely shoes' },
    ]);
    const call = parseCallRecord(trace.nodes['llm']?.output);
    expect(call).toMatchObject({ label: 'live', model: 'gpt-4o-mini', request: { prompt: 'Classify: Lovely shoes' }, response: { text: 'A happy customer.' }, cost: { basis: 'price-table' } });
    expect(call!.usage.totalTokens).toBeGreaterThan(0);
    expect(readFileSync(join(engine.outputDir, 'llm', 'out.jsonl'), 'utf8')).toBe('A happy customer.\n');
    const progress = events.filter((e): e is Extract<RunEvent, { type: 'node.progress' }> => e.type === 'node.progress');
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(progress.every((e) => e.nodeId === 'llm' && 'A happy customer.'.startsWith(e.text))).toBe(true);
  });

  it('passes parsed JSON fields downstream', async () => {
    fake.enqueue({ kind: 'reply', text: '{"sentiment": "positive", "score": 0.92}' });
    const trace = await runOnce(llmFlow(jsonConfig));
    expect(trace.run.status).toBe('succeeded');
    expect(JSON.parse(readFileSync(join(engine.outputDir, 'llm', 'out.jsonl'), 'utf8'))).toEqual({ sentiment: 'positive', score: 0.92 });
    expect(fake.requests[0]!.body['response_format']).toMatchObject({ type: 'json_schema' });
  });

  it.each([
    { name: 'schema-invalid twice', script: [{ kind: 'reply' as const, text: '{"sentiment": 1}' }, { kind: 'reply' as const, text: '{"score": "high"}' }] },
    { name: 'malformed twice', script: [{ kind: 'reply' as const, text: '{"sentiment": "pos' }, { kind: 'reply' as const, text: 'sorry, here: {' }] },
    { name: 'truncated', script: [{ kind: 'reply' as const, text: '{"sentiment": "posi', finishReason: 'length' as const }] },
    { name: 'refused', script: [{ kind: 'refusal' as const }] },
    { name: 'server down', script: Array.from({ length: 4 }, () => ({ kind: 'status' as const, status: 503 })) },
  ])('never marks a run successful with invalid output: $name', async ({ script }) => {
    fake.enqueue(...script);
    const trace = await runOnce(llmFlow(jsonConfig));
    expect(trace.run.status).toBe('failed');
    expect(trace.nodes['llm']?.status).toBe('failed');
    expect(trace.nodes['w']?.status ?? 'pending').toBe('pending');
    expect(trace.run.error?.nodeId).toBe('llm');
  });

  it('resumes after the engine stops mid-call without asking again for a journaled answer', async () => {
    // Exchange 1 answers (invalid JSON, journaled); the repair exchange hangs until the engine closes.
    fake.enqueue({ kind: 'reply', text: '{"sentiment": ' }, { kind: 'hang' }, { kind: 'reply', text: '{"sentiment": "positive", "score": 1}' });
    await engine.saveFlow({ flow: llmFlow({ ...jsonConfig, stream: false, attemptTimeoutMs: 30_000 }) });
    const { runId } = await engine.startRun({ flowId: 'llm-flow' });
    await expect.poll(() => fake.count(), { timeout: 10_000 }).toBe(2);
    await engine.close();

    engine = open();
    const trace = await engine.waitForRun(runId);
    expect(trace.run.status).toBe('succeeded');
    const kinds = fake.requests.map((r) => ((r.body['messages'] as unknown[]).length === 2 ? 'initial' : 'repair'));
    expect(kinds).toEqual(['initial', 'repair', 'repair']);
    expect(parseCallRecord(trace.nodes['llm']?.output)?.repair.attempted).toBe(true);
  });

  it('keeps the cache across restarts', async () => {
    const flow = llmFlow({ cache: true, stream: false });
    const a = await runOnce(flow);
    await engine.close();
    engine = open();
    const { runId } = await engine.startRun({ flowId: 'llm-flow' });
    const b = await engine.waitForRun(runId);
    expect(fake.count()).toBe(1);
    expect(parseCallRecord(a.nodes['llm']?.output)?.cache.hit).toBe(false);
    expect(parseCallRecord(b.nodes['llm']?.output)).toMatchObject({ cache: { hit: true }, cost: { usd: 0, basis: 'cache-hit' } });
  });

  it('stops LLM calls once the flow spent its daily budget (flow settings)', async () => {
    const flow = llmFlow({ stream: false }, { llmBudgetUsdPerDay: 0.0000001 });
    expect((await runOnce(flow)).run.status).toBe('succeeded');
    const { runId } = await engine.startRun({ flowId: 'llm-flow' });
    const second = await engine.waitForRun(runId);
    expect(second.run.status).toBe('failed');
    expect(second.run.error?.message).toMatch(/daily LLM budget of \$0\.00 is used up/);
    expect(fake.count()).toBe(1);
  });
});

describe('Test button and secrets API', () => {
  it('tests a connection with one token and reports the result, or the failure', async () => {
    const ok = await engine.testLlm({ config: { baseUrl: fake.baseUrl, model: 'gpt-4o-mini' } });
    expect(ok).toMatchObject({ ok: true, label: 'live', model: 'gpt-4o-mini', reply: 'Hello from the fake provider.' });
    expect(fake.requests[0]!.body).toMatchObject({ max_tokens: 1, messages: [{ role: 'user', content: 'Reply with the single word OK.' }] });

    fake.enqueue({ kind: 'status', status: 401, message: 'bad key' });
    const denied = await engine.testLlm({ config: { baseUrl: fake.baseUrl, model: 'gpt-4o-mini' } });
    expect(denied).toMatchObject({ ok: false });
    expect(denied.ok ? '' : denied.error).toMatch(/401/);
    expect(fake.count()).toBe(2); // no retries for a test

    const invalid = await engine.testLlm({ config: { apiKey: 'sk-live-abcdefghijklmnop' } });
    expect(invalid).toEqual({ ok: false, error: expect.stringMatching(/^the settings are not valid: apiKey: looks like an API key/) });
  });

  it('sets, lists and deletes secrets by name; a flow uses one by reference', async () => {
    await engine.setSecret({ name: 'FAKE_KEY', value: 'sk-fake-secret-value-123' });
    expect(await engine.listSecrets()).toEqual([{ name: 'FAKE_KEY', source: 'file', writable: true }]);
    const trace = await runOnce(llmFlow({ apiKey: 'secret:FAKE_KEY', stream: false }));
    expect(trace.run.status).toBe('succeeded');
    expect(fake.requests[0]!.headers['authorization']).toBe('Bearer sk-fake-secret-value-123');
    expect(await engine.deleteSecret({ name: 'FAKE_KEY' })).toEqual({ deleted: true });
    const missing = await runOnce(llmFlow({ apiKey: 'secret:FAKE_KEY', stream: false }));
    expect(missing.run.status).toBe('failed');
    expect(missing.run.error?.message).toContain('secret "FAKE_KEY" is not set');
    await expect(engine.setSecret({ name: 'FAKE_KEY', value: '' })).rejects.toBeInstanceOf(EngineError);
  });
});

describe('offline LLM demo', () => {
  it('is seeded once and runs offline through the replay provider, labelled replay', async () => {
    await engine.close();
    engine = open({ seedDemo: true });
    const flows = (await engine.listFlows()).map((f) => f.id);
    expect(flows).toEqual(['demo-order-triage', 'demo-review-triage']);
    const { runId } = await engine.startRun({ flowId: 'demo-review-triage' });
    const trace = await engine.waitForRun(runId);
    expect(trace.run.status).toBe('succeeded');
    const call = parseCallRecord(trace.nodes['classify']?.output);
    expect(call).toMatchObject({ label: 'replay', provider: 'replay', endpoint: 'replay', cost: { usd: 0, basis: 'replay' }, output: { priority: 'high' } });
    expect(trace.nodes['file']?.status).toBe('skipped');
    expect(JSON.parse(readFileSync(join(engine.outputDir, 'demo', 'escalations.jsonl'), 'utf8'))).toMatchObject({ sentiment: 'negative', priority: 'high' });
    expect(fake.count()).toBe(0);
    await engine.deleteFlow({ id: 'demo-review-triage' });
    await engine.close();
    engine = open({ seedDemo: true });
    expect((await engine.listFlows()).map((f) => f.id)).toEqual(['demo-order-triage']);
  });
});

describe('recording for replay', () => {
  it("saves a run's live answers and replays them offline", async () => {
    const live = llmFlow({ stream: false });
    fake.enqueue({ kind: 'reply', text: 'Recorded once.' });
    const first = await runOnce(live);
    const { entries, file } = await engine.recordLlmReplay({ runId: first.run.id });
    expect(entries).toBe(1);
    expect(file).toBe(join(dir, 'llm-replay', `${first.run.id}.json`));
    const replayFlow = llmFlow({ stream: false, provider: 'replay', baseUrl: '' });
    const offline = await runOnce(replayFlow);
    expect(offline.run.status).toBe('succeeded');
    expect(parseCallRecord(offline.nodes['llm']?.output)).toMatchObject({ label: 'replay', response: { text: 'Recorded once.' } });
    expect(fake.count()).toBe(1);
    // The recording is a file in the data folder: a restarted engine still has it.
    await engine.close();
    engine = open();
    const { runId } = await engine.startRun({ flowId: 'llm-flow' });
    expect((await engine.waitForRun(runId)).run.status).toBe('succeeded');
    await expect(engine.recordLlmReplay({ runId })).rejects.toThrow(/no successful live LLM calls/);
  });
});
