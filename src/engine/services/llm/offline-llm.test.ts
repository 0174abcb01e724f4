/**
 * An LLM flow before any key exists: a missing key is a validation problem (before running), the
 * synthetic provider answers schema-valid JSON deterministically and labels it, the Test button
 * works in replay mode, and local OpenAI-compatible servers are detected with their models.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv';
import { createEngine, type Engine } from '../../engine';
import { EngineError } from '../../../shared/api';
import type { Flow } from '../../../shared/flow/schema';
import { parseCallRecord } from '../../../shared/llm';
import { MISSING_KEY, needsApiKey, outputSchema } from '../../../nodes/llm-call.config';
import { synthesize } from './providers/synthetic';
import { detectLlmServers } from './detect-servers';

let dir: string;
let engine: Engine;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'millrace-llm-offline-'));
  engine = createEngine({ dataDir: dir, seedDemo: false, env: {} });
});
afterEach(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

const schemaFields = [
  { name: 'sentiment', type: 'string', description: '', required: true },
  { name: 'score', type: 'number', description: '', required: true },
  { name: 'stars', type: 'integer', description: '', required: true },
  { name: 'urgent', type: 'boolean', description: '', required: true },
  { name: 'tags', type: 'array', description: '', required: true },
];

function flowWith(llm: Record<string, unknown>, review = 'Lovely shoes'): Flow {
  return {
    schemaVersion: 1,
    id: 'offline',
    name: 'Offline',
    nodes: [
      { id: 't', type: 'manual-trigger@1', name: 'Review', position: { x: 0, y: 0 }, config: { payload: JSON.stringify({ review }) } },
      { id: 'llm', type: 'llm-call@1', name: 'Classify', position: { x: 200, y: 0 }, config: { prompt: 'Classify: {{ review }}', ...llm } },
      { id: 'w', type: 'write-file@1', name: 'Save', position: { x: 400, y: 0 }, config: { path: 'llm/out.jsonl', line: '{{ $json }}' } },
    ],
    edges: [
      { id: 'e1', source: 't', sourcePort: 'out', target: 'llm', targetPort: 'in' },
      { id: 'e2', source: 'llm', sourcePort: llm['output'] === 'json' ? 'data' : 'text', target: 'w', targetPort: 'in' },
    ],
  };
}

async function run(flow: Flow, input?: unknown) {
  await engine.saveFlow({ flow });
  const { runId } = await engine.startRun({ flowId: flow.id, ...(input !== undefined ? { input } : {}) });
  return engine.waitForRun(runId);
}

describe('LLM without a key', () => {
  it('a hosted API with no key is a validation problem on the API key field, refused before running', async () => {
    const flow = flowWith({});
    const saved = await engine.saveFlow({ flow });
    expect(saved.problems).toEqual([expect.objectContaining({ nodeId: 'llm', field: 'apiKey', message: MISSING_KEY })]);
    const refused = await engine.startRun({ flowId: flow.id }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(EngineError);
    expect((refused as EngineError).code).toBe('invalid_flow');
    expect(await engine.listRuns({ flowId: flow.id })).toEqual([]);
    // Local servers and offline providers need none; Anthropic always does.
    expect(needsApiKey({ provider: 'openai-compatible', baseUrl: 'http://127.0.0.1:11434/v1' })).toBe(false);
    expect(needsApiKey({ provider: 'openai-compatible', baseUrl: 'http://localhost:1234/v1' })).toBe(false);
    expect(needsApiKey({ provider: 'synthetic', baseUrl: '' })).toBe(false);
    expect(needsApiKey({ provider: 'anthropic', baseUrl: 'http://127.0.0.1:9/v1' })).toBe(true);
    expect((await engine.saveFlow({ flow: flowWith({ apiKey: 'secret:OPENAI_API_KEY' }) })).problems).toEqual([]);
  });

  it('synthetic: schema-valid JSON, the same for the same prompt, labelled synthetic in run data and the code export', async () => {
    const flow = flowWith({ provider: 'synthetic', output: 'json', schemaFields });
    const first = await run(flow);
    expect(first.run.status).toBe('succeeded');
    const call = parseCallRecord(first.nodes['llm']?.output)!;
    expect(call).toMatchObject({ label: 'synthetic', provider: 'synthetic', endpoint: 'synthetic', cost: { usd: 0, basis: 'synthetic' } });
    const schema = outputSchema({ schemaJson: '', schemaFields: schemaFields.map((f) => ({ ...f, type: f.type as 'string' })) })!;
    const value: unknown = JSON.parse(call.response.text);
    expect(new Ajv().validate(schema, value)).toBe(true);
    expect(JSON.parse(readFileSync(join(engine.outputDir, 'llm', 'out.jsonl'), 'utf8'))).toEqual(value);
    const again = parseCallRecord((await run(flow)).nodes['llm']?.output)!;
    expect(again.response.text).toBe(call.response.text);
    const other = parseCallRecord((await run(flow, { review: 'Terrible laces' })).nodes['llm']?.output)!;
    expect(other.response.text).not.toBe(call.response.text);
    expect(new Ajv().validate(schema, JSON.parse(other.response.text))).toBe(true);
    const exported = await engine.getFlow({ id: flow.id });
    expect(exported.flow.nodes[1]!.config['provider']).toBe('synthetic');
  });

  it('synthetic text output says it is synthetic; a raw schema with enums, bounds, formats and nesting validates', async () => {
    const trace = await run(flowWith({ provider: 'synthetic' }));
    expect(trace.run.status).toBe('succeeded');
    expect(parseCallRecord(trace.nodes['llm']?.output)!.response.text).toMatch(/^\[synthetic\] .*Classify: Lovely shoes/);
    const schema = {
      type: 'object',
      required: ['level', 'n', 'when', 'items', 'nested', 'maybe'],
      additionalProperties: false,
      properties: {
        level: { enum: ['low', 'high'] },
        n: { type: 'integer', minimum: 5, maximum: 7 },
        when: { type: 'string', format: 'date-time' },
        items: { type: 'array', minItems: 3, items: { type: 'string', minLength: 30 } },
        nested: { type: 'object', properties: { ok: { type: 'boolean' }, email: { type: 'string', format: 'email' } }, required: ['ok'] },
        maybe: { type: ['null', 'number'], exclusiveMaximum: 1 },
      },
    };
    let seed = 1;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const ajv = new Ajv({ strict: false });
    ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT/).addFormat('email', /@/);
    for (let i = 0; i < 20; i++) expect(ajv.validate(schema, synthesize(schema, rand)), JSON.stringify(ajv.errors)).toBe(true);
  });

  it('Test works in replay mode: it checks the recordings instead of sending an unrecorded prompt', async () => {
    const none = await engine.testLlm({ config: { provider: 'replay', model: 'nobody-recorded-this' } });
    expect(none).toMatchObject({ ok: false, error: expect.stringMatching(/no recorded answers for model "nobody-recorded-this"/) });
    // The bundled fixtures (resources/llm-replay) hold answers for the demo's model.
    const demo = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', '..', 'resources', 'demo', 'review-triage.flow.json'), 'utf8')) as Flow;
    const model = demo.nodes.map((n) => n.config['model']).find((m) => typeof m === 'string');
    const ok = await engine.testLlm({ config: { provider: 'replay', model } });
    expect(ok).toMatchObject({ ok: true, label: 'replay', reply: expect.stringMatching(/recorded answers? ready/) });
    expect(await engine.testLlm({ config: { provider: 'synthetic', model: 'any' } })).toMatchObject({ ok: true, label: 'synthetic' });
  });

  it('detects an OpenAI-compatible server at a given URL and lists its models; absent servers say so', async () => {
    const server = http.createServer((req, res) => {
      if (req.url === '/v1/models') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data: [{ id: 'qwen2.5:7b', object: 'model' }, { id: 'llama3.2:3b', object: 'model' }] }));
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    try {
      const found = await engine.detectLlmServers({ urls: [base, 'http://127.0.0.1:9/v1'] });
      expect(found.find((s) => s.baseUrl === base)).toEqual({ name: 'Your server', baseUrl: base, reachable: true, models: ['llama3.2:3b', 'qwen2.5:7b'] });
      expect(found.find((s) => s.baseUrl === 'http://127.0.0.1:9/v1')).toMatchObject({ reachable: false, models: [] });
      expect(found.map((s) => s.name)).toEqual(['Ollama', 'LM Studio', 'Your server', 'Your server']);
      // A local server found this way needs no key: the flow is valid and runs against it.
      const direct = await detectLlmServers([`${base}/`]);
      expect(direct.at(-1)?.baseUrl).toBe(base);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
