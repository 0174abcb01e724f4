/**
 * Gateway features beyond faults: structured output with one repair, the exact-match cache,
 * cost and tokens, budgets, replay, and journaled exchanges (a resumed call is not asked again).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NodeError } from '../../../shared/services';
import { formatCost } from '../../../shared/llm';
import { startFakeLlmProvider, type FakeLlmProvider } from './testing/fake-llm-provider';
import { memoStep, request, target, testGateway } from './testing/gateway-harness';
import { ReplayBook, recordingsFromTrace } from './providers/replay';
import { Prices, loadPriceTable } from './prices';
import type { RunTrace } from '../../../shared/runs';

let fake: FakeLlmProvider;
beforeAll(async () => {
  fake = await startFakeLlmProvider();
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const flow = { flowId: 'flow-features' };
const schema = {
  type: 'object',
  properties: { sentiment: { type: 'string', enum: ['positive', 'negative'] }, score: { type: 'number' } },
  required: ['sentiment', 'score'],
  additionalProperties: false,
};
const json = (mode: 'schema' | 'json-object' | 'prompt-only' = 'schema') => ({ output: { kind: 'json' as const, schema, mode } });

async function failure(p: Promise<unknown>): Promise<NodeError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  if (!(e instanceof NodeError)) throw new Error(`expected a NodeError, got ${String(e)}`);
  return e;
}

describe('structured output', () => {
  it('parses and validates a JSON reply, asking for it in the provider format', async () => {
    const { gateway } = testGateway();
    fake.enqueue({ kind: 'reply', text: '```json\n{"sentiment": "positive", "score": 0.9}\n```' });
    const r = await gateway.call(request([target(fake.baseUrl)], json()), flow);
    expect(r.output).toEqual({ sentiment: 'positive', score: 0.9 });
    expect(r.repair.attempted).toBe(false);
    expect(fake.requests[0]!.body['response_format']).toEqual({ type: 'json_schema', json_schema: { name: 'output', schema, strict: false } });

    fake.enqueue({ kind: 'reply', text: '{"sentiment": "negative", "score": 0.1}' });
    await gateway.call(request([target(fake.origin, { provider: 'anthropic', model: 'claude-3-5-haiku' })], json()), flow);
    expect(fake.requests[1]!.body['output_config']).toEqual({ format: { type: 'json_schema', schema } });
  });

  it('tells the model in the prompt when the provider has no schema mode', async () => {
    const { gateway } = testGateway();
    fake.enqueue({ kind: 'reply', text: '{"sentiment": "positive", "score": 1}' });
    const r = await gateway.call(request([target(fake.baseUrl)], json('json-object')), flow);
    expect(fake.requests[0]!.body['response_format']).toEqual({ type: 'json_object' });
    const system = (fake.requests[0]!.body['messages'] as { content: string }[])[0]!.content;
    expect(system).toContain('You are terse.');
    expect(system).toContain('JSON Schema');
    expect(r.request.instruction).toContain('JSON');
  });

  it('repairs malformed JSON once, with the parse error in the repair prompt', async () => {
    const { gateway } = testGateway();
    fake.enqueue(
      { kind: 'reply', text: '{"sentiment": "positive", "score": ', usage: { input: 10, output: 5 } },
      { kind: 'reply', text: '{"sentiment": "positive", "score": 0.7}', usage: { input: 20, output: 6 } },
    );
    const r = await gateway.call(request([target(fake.baseUrl)], json()), flow);
    expect(r.output).toEqual({ sentiment: 'positive', score: 0.7 });
    expect(r.repair).toMatchObject({ attempted: true, firstReply: '{"sentiment": "positive", "score": ' });
    expect(r.repair.reason).toMatch(/not valid JSON/);
    const repairMessages = fake.requests[1]!.body['messages'] as { role: string; content: string }[];
    expect(repairMessages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(repairMessages[3]!.content).toMatch(/not valid JSON/);
    expect(r.attempts.map((a) => a.exchange)).toEqual(['initial', 'repair']);
    expect(r.usage).toEqual({ promptTokens: 30, completionTokens: 11, totalTokens: 41 }); // both exchanges count
  });

  it('fails clearly with the raw reply when the repair is still invalid — never a success', async () => {
    const { gateway } = testGateway();
    fake.enqueue({ kind: 'reply', text: '{"sentiment": "meh", "score": 2}' }, { kind: 'reply', text: '{"sentiment": "meh"}' });
    const e = await failure(gateway.call(request([target(fake.baseUrl)], json()), flow));
    expect(e.details?.permanent).toBe(true);
    expect(e.message).toContain("/sentiment must be equal to one of the allowed values");
    expect(e.message).toContain('also after one repair attempt');
    expect(e.message).toContain('Raw reply: {"sentiment": "meh"}');
    const repairPrompt = (fake.requests[1]!.body['messages'] as { content: string }[]).at(-1)!.content;
    expect(repairPrompt).toContain('/sentiment must be equal to one of the allowed values');
    expect(fake.count()).toBe(2);
  });

  it('refuses a schema that is not a JSON Schema before calling anyone', async () => {
    const { gateway } = testGateway();
    const e = await failure(gateway.call(request([target(fake.baseUrl)], { output: { kind: 'json', schema: { type: 'nonsense' }, mode: 'schema' } }), flow));
    expect(e.details).toMatchObject({ field: 'schema', permanent: true });
    expect(fake.count()).toBe(0);
  });

  it('keeps a truncated text reply only when told to, and marks it', async () => {
    const { gateway } = testGateway();
    fake.enqueue({ kind: 'reply', text: 'half a sent', finishReason: 'length' }, { kind: 'reply', text: 'half a sent', finishReason: 'length' });
    await failure(gateway.call(request([target(fake.baseUrl)]), flow));
    const kept = await gateway.call(request([target(fake.baseUrl)], { output: { kind: 'text', allowTruncated: true } }), flow);
    expect(kept.response).toMatchObject({ text: 'half a sent', truncated: true, finishReason: 'length' });
  });
});

describe('cache', () => {
  it('answers an identical request from the cache, marks the hit, and costs nothing', async () => {
    const { gateway } = testGateway();
    const req = request([target(fake.baseUrl)], { cache: { enabled: true, ttlSeconds: 60 } });
    const miss = await gateway.call(req, flow);
    const hit = await gateway.call(req, flow);
    expect(fake.count()).toBe(1);
    expect(miss.cache).toMatchObject({ enabled: true, hit: false });
    expect(hit.cache).toMatchObject({ enabled: true, hit: true, key: miss.cache.key });
    expect(hit.response.text).toBe(miss.response.text);
    expect(hit.cost).toEqual({ usd: 0, basis: 'cache-hit' });
    expect(hit.attempts).toEqual([]);
    expect(formatCost(hit.cost)).toBe('$0 (cache hit)');
  });

  it('misses on any change of prompt, parameters, model or schema, when disabled, and after the TTL', async () => {
    let now = 1_000_000;
    const { gateway } = testGateway({ now: () => now });
    const base = request([target(fake.baseUrl)], { cache: { enabled: true, ttlSeconds: 10 } });
    await gateway.call(base, flow);
    await gateway.call({ ...base, prompt: 'Say hello!' }, flow);
    await gateway.call({ ...base, params: { ...base.params, temperature: 0.5 } }, flow);
    await gateway.call({ ...base, targets: [target(fake.baseUrl, { model: 'gpt-4o' })] }, flow);
    fake.enqueue({ kind: 'reply', text: '{"sentiment":"positive","score":1}' });
    await gateway.call({ ...base, ...json() }, flow);
    await gateway.call({ ...base, cache: { enabled: false, ttlSeconds: 10 } }, flow);
    expect(fake.count()).toBe(6);
    await gateway.call(base, flow);
    expect(fake.count()).toBe(6);
    now += 10_001;
    await gateway.call(base, flow);
    expect(fake.count()).toBe(7);
  });

  it('does not cache a failed or invalid answer', async () => {
    const { gateway } = testGateway();
    const req = request([target(fake.baseUrl)], { ...json(), cache: { enabled: true, ttlSeconds: 60 } });
    fake.enqueue({ kind: 'reply', text: 'nope' }, { kind: 'reply', text: 'still nope' });
    await failure(gateway.call(req, flow));
    fake.enqueue({ kind: 'reply', text: '{"sentiment":"positive","score":1}' });
    const r = await gateway.call(req, flow);
    expect(r.cache.hit).toBe(false);
    expect(fake.count()).toBe(3);
  });
});

describe('cost, tokens and budgets', () => {
  it('prices from the table, calls local models free, and never shows an unknown price as $0', () => {
    const prices = new Prices(loadPriceTable());
    const usage = { promptTokens: 1_000_000, completionTokens: 1_000_000 };
    expect(prices.cost(target('https://api.openai.com/v1', { model: 'gpt-4o-mini-2024-07-18' }), usage)).toEqual({ usd: 0.75, basis: 'price-table' });
    expect(prices.cost(target('https://openrouter.ai/api/v1', { model: 'openai/gpt-4o' }), usage)).toEqual({ usd: 12.5, basis: 'price-table' });
    expect(prices.cost(target('http://localhost:11434/v1', { model: 'llama3.2' }), usage)).toEqual({ usd: 0, basis: 'local' });
    const unknown = prices.cost(target('https://api.example.com/v1', { model: 'mystery-1' }), usage);
    expect(unknown).toEqual({ usd: null, basis: 'unknown' });
    expect(formatCost(unknown)).toBe('cost unknown');
    expect(prices.cost(target('https://api.openai.com/v1'), { promptTokens: null, completionTokens: 5 })).toEqual({ usd: null, basis: 'unknown' });
  });

  it('stops new calls once the flow has spent its daily budget, with a clear error', async () => {
    const perCall = (12 * 0.15 + 8 * 0.6) / 1e6;
    const { gateway, ledger } = testGateway({ budgetFor: (id) => (id === 'budgeted' ? perCall * 2.5 : undefined) });
    await gateway.call(request([target(fake.baseUrl)]), { flowId: 'budgeted' });
    await gateway.call(request([target(fake.baseUrl)]), { flowId: 'budgeted' });
    await gateway.call(request([target(fake.baseUrl)]), { flowId: 'budgeted' });
    const e = await failure(gateway.call(request([target(fake.baseUrl)]), { flowId: 'budgeted' }));
    expect(e.message).toMatch(/daily LLM budget of \$0\.00 is used up/);
    expect(e.details?.permanent).toBe(true);
    expect(fake.count()).toBe(3);
    expect(ledger.spent('budgeted', new Date().toISOString().slice(0, 10))).toBeCloseTo(perCall * 3, 12);
    // Other flows are not affected.
    await gateway.call(request([target(fake.baseUrl)]), { flowId: 'other' });
    expect(fake.count()).toBe(4);
  });

  it('refuses a budgeted call to a model whose price is unknown (the budget could not be kept)', async () => {
    const { gateway } = testGateway({ budgetFor: () => 1 });
    const e = await failure(gateway.call(request([target('https://api.example.com/v1', { model: 'mystery-1' })]), flow));
    expect(e.message).toMatch(/no price in the price table/);
    expect(e.details?.field).toBe('model');
  });
});

describe('replay', () => {
  const book = () => {
    const b = new ReplayBook();
    b.addFixture({
      version: 1,
      entries: [
        { request: { model: 'gpt-4o-mini', system: 'You are terse.', prompt: 'Say hello.', params: { maxTokens: 64, temperature: 0 } }, response: { text: 'Hello (recorded).', usage: { promptTokens: 9, completionTokens: 3 } } },
      ],
    });
    return b;
  };

  it('answers from recordings keyed by the rendered request, labelled replay, at no cost', async () => {
    const { gateway } = testGateway({ replay: book() });
    const r = await gateway.call(request([target('', { provider: 'replay', apiKey: null })]), flow);
    expect(r).toMatchObject({ label: 'replay', endpoint: 'replay', response: { text: 'Hello (recorded).' }, cost: { usd: 0, basis: 'replay' } });
    expect(r.usage.totalTokens).toBe(12);
    expect(formatCost(r.cost)).toBe('$0 (replay)');
  });

  it('a miss is a clear error and asks nobody', async () => {
    const { gateway } = testGateway({ replay: book() });
    const e = await failure(gateway.call(request([target('', { provider: 'replay', apiKey: null })], { prompt: 'Something else' }), flow));
    expect(e.message).toContain('replay: no recorded response for this request (model "gpt-4o-mini", prompt "Something else")');
    expect(e.details?.permanent).toBe(true);
  });

  it('records fixtures from a trace that replay exactly', async () => {
    const { gateway } = testGateway();
    fake.enqueue({ kind: 'reply', text: 'Live answer.' });
    const live = await gateway.call(request([target(fake.baseUrl)]), flow);
    const trace: RunTrace = {
      run: { id: 'run_1', flowId: 'f', flowVersion: 1, flowName: 'F', status: 'succeeded', createdAt: 0, finishedAt: 0, durationMs: 0, error: null, parentRunId: null, wakeAt: null },
      input: null,
      nodes: { llm: { nodeId: 'llm', nodeType: 'llm-call@1', status: 'succeeded', startedAt: 0, finishedAt: 0, durationMs: 0, input: null, output: { text: 'Live answer.', call: live }, error: null, attempt: 1, attempts: [], waiting: null } },
    };
    const recorded = new ReplayBook();
    expect(recorded.addFixture(recordingsFromTrace(trace))).toBe(1);
    const { gateway: offline } = testGateway({ replay: recorded });
    const r = await offline.call(request([target('', { provider: 'replay', apiKey: null })]), flow);
    expect(r.response.text).toBe('Live answer.');
  });
});

describe('journaled exchanges', () => {
  it('once an answer is journaled, a resumed call returns it without asking again', async () => {
    const { gateway } = testGateway();
    const memo = memoStep();
    fake.enqueue({ kind: 'reply', text: '{"sentiment": "x"}' }, { kind: 'reply', text: '{"sentiment": "positive", "score": 1}' });
    const first = await gateway.call(request([target(fake.baseUrl)], json()), { ...flow, step: memo.step });
    const resumed = await gateway.call(request([target(fake.baseUrl)], json()), { ...flow, step: memo.step });
    expect(fake.count()).toBe(2);
    expect([...memo.runs.entries()]).toEqual([
      ['llm:exchange-1', 1],
      ['llm:exchange-2-repair', 1],
    ]);
    expect({ ...resumed, latencyMs: 0, startedAt: 0 }).toEqual({ ...first, latencyMs: 0, startedAt: 0 });
  });
});
