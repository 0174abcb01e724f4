/**
 * Webhook and Slack sinks against real HTTP servers on loopback: signatures verified with the
 * `standardwebhooks` package, retries (5xx, 429 + Retry-After, network), 4xx fails with the body,
 * the same Idempotency-Key / webhook-id on every attempt and for the same mapped key, and
 * templated values that try header injection or broken JSON stay data (or fail before sending).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { createEngine, type Engine } from '../engine';
import type { Flow } from '../../shared/flow/schema';

const SECRET = `whsec_${Buffer.from('a-test-signing-secret-32-bytes!!').toString('base64')}`;

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
}
let server: Server;
let base: string;
let received: Received[] = [];
let script: { status: number; headers?: Record<string, string>; body?: string }[] = [];
/** The receiver's own dedupe: effects applied once per webhook-id. */
const applied = new Set<string>();

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body, at: Date.now() });
      const next = script.shift() ?? { status: 200, body: '{"ok":true}' };
      if (next.status < 300) applied.add(String(req.headers['idempotency-key']));
      res.writeHead(next.status, { 'content-type': 'application/json', ...next.headers });
      res.end(next.body ?? '');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
beforeEach(() => {
  received = [];
  script = [];
  applied.clear();
});

let dir: string;
let engine: Engine;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'millrace-webhook-'));
  engine = createEngine({ dataDir: dir, seedDemo: false, env: { MILLRACE_SECRET_WH: SECRET, MILLRACE_SECRET_SLACK: `${base}/slack/T000/B000/XXXX` } });
});
afterAll(async () => {
  await engine?.close();
  rmSync(dir, { recursive: true, force: true });
});

const flow = (id: string, type: string, config: Record<string, unknown>): Flow => ({
  schemaVersion: 1,
  id,
  name: id,
  nodes: [
    { id: 't', type: 'manual-trigger@1', name: 'Start', position: { x: 0, y: 0 }, config: {} },
    { id: 'sink', type, name: 'Sink', position: { x: 200, y: 0 }, config },
  ],
  edges: [{ id: 'e', source: 't', sourcePort: 'out', target: 'sink', targetPort: 'in' }],
});

async function run(flowId: string, input: unknown) {
  const { runId } = await engine.startRun({ flowId, input });
  return engine.waitForRun(runId);
}

describe('webhook sink', () => {
  it('signs by Standard Webhooks (verified with the standardwebhooks library) and sends Idempotency-Key = webhook-id', async () => {
    await engine.saveFlow({ flow: flow('wh-sign', 'webhook-sink@1', { url: `${base}/hook`, signingSecret: 'secret:WH', headers: [{ name: 'x-note', value: '{{ note }}' }] }) });
    const trace = await run('wh-sign', { note: 'hi', n: 1 });
    expect(trace.run.status).toBe('succeeded');
    expect(received).toHaveLength(1);
    const r = received[0]!;
    const verified = new Webhook(SECRET).verify(r.body, r.headers as Record<string, string>);
    expect(verified).toEqual({ note: 'hi', n: 1 });
    expect(r.headers['idempotency-key']).toBe(r.headers['webhook-id']);
    expect(r.headers['webhook-id']).toBe(`${trace.run.id}:sink:deliver`);
    expect(r.headers['x-note']).toBe('hi');
    // A tampered body fails verification: the check is real.
    expect(() => new Webhook(SECRET).verify(r.body.replace('hi', 'ho'), r.headers as Record<string, string>)).toThrow();
    expect(trace.nodes['sink']?.output).toMatchObject({ status: 200, applied: true, mayHaveRunBefore: false, attempts: [{ attempt: 1, status: 200 }] });
  });

  it('retries 503 and 429 (waiting exactly the Retry-After), same webhook-id on every attempt', async () => {
    script = [{ status: 503 }, { status: 429, headers: { 'retry-after': '1' } }, { status: 200 }];
    await engine.saveFlow({ flow: flow('wh-retry', 'webhook-sink@1', { url: `${base}/hook`, signingSecret: 'secret:WH' }) });
    const trace = await run('wh-retry', { a: 1 });
    expect(trace.run.status).toBe('succeeded');
    expect(received).toHaveLength(3);
    expect(new Set(received.map((x) => x.headers['webhook-id'])).size).toBe(1);
    expect(received[2]!.at - received[1]!.at).toBeGreaterThanOrEqual(950);
    for (const x of received) expect(new Webhook(SECRET).verify(x.body, x.headers as Record<string, string>)).toEqual({ a: 1 });
    expect(trace.nodes['sink']?.output).toMatchObject({ attempts: [{ status: 503 }, { status: 429, waitMs: 1000, retryAfter: '1' }, { status: 200 }] });
  });

  it('retries a network error (server closed the connection)', async () => {
    let first = true;
    const flaky = createServer((req, res) => {
      if (first) {
        first = false;
        req.socket.destroy();
        return;
      }
      res.writeHead(204).end();
    });
    await new Promise<void>((r) => flaky.listen(0, '127.0.0.1', r));
    const port = (flaky.address() as { port: number }).port;
    await engine.saveFlow({ flow: flow('wh-net', 'webhook-sink@1', { url: `http://127.0.0.1:${port}/x` }) });
    const trace = await run('wh-net', { a: 1 });
    flaky.closeAllConnections();
    flaky.close();
    expect(trace.run.status).toBe('succeeded');
    expect((trace.nodes['sink']?.output as { attempts: { error?: string }[] }).attempts[0]!.error).toMatch(/reset|socket hang up/);
  });

  it('a 4xx fails at once with the response body shown', async () => {
    script = [{ status: 422, body: '{"error":"field amount is required"}' }];
    await engine.saveFlow({ flow: flow('wh-4xx', 'webhook-sink@1', { url: `${base}/hook` }) });
    const trace = await run('wh-4xx', { a: 1 });
    expect(trace.run.status).toBe('failed');
    expect(received).toHaveLength(1);
    expect(trace.nodes['sink']?.error?.message).toMatch(/answered 422: \{"error":"field amount is required"\}/);
  });

  it('executed twice with the same mapped key: the same Idempotency-Key both times, one effect at the receiver', async () => {
    await engine.saveFlow({ flow: flow('wh-key', 'webhook-sink@1', { url: `${base}/hook`, key: '{{ orderId }}' }) });
    await run('wh-key', { orderId: 'o-1' });
    await run('wh-key', { orderId: 'o-1' });
    expect(received.map((r) => r.headers['idempotency-key'])).toEqual(['wh-key:sink:o-1', 'wh-key:sink:o-1']);
    expect(applied.size).toBe(1);
  });

  it('header injection and broken JSON stay data: nothing is sent', async () => {
    await engine.saveFlow({ flow: flow('wh-inject', 'webhook-sink@1', { url: `${base}/hook`, headers: [{ name: 'x-a', value: '{{ v }}' }] }) });
    const a = await run('wh-inject', { v: 'ok\r\nx-admin: 1' });
    expect(a.nodes['sink']?.error?.message).toMatch(/header "x-a" contains a line break/);
    await engine.saveFlow({ flow: flow('wh-json', 'webhook-sink@1', { url: `${base}/hook`, body: '{"text": "{{ v }}"}' }) });
    const b = await run('wh-json', { v: 'say "hi"' });
    expect(b.nodes['sink']?.error?.message).toMatch(/body is not valid JSON/);
    expect(received).toHaveLength(0);
    // The JSON-safe way: {{ $json }} sends quotes and SQL-looking text as data.
    await engine.saveFlow({ flow: flow('wh-data', 'webhook-sink@1', { url: `${base}/hook` }) });
    await run('wh-data', { v: `"'); DROP TABLE x; --\r\n` });
    expect(JSON.parse(received[0]!.body)).toEqual({ v: `"'); DROP TABLE x; --\r\n` });
  });
});

describe('Test button (testSink)', () => {
  it('sends one sample to the real target, marked as a test, without creating a run', async () => {
    const before = (await engine.listRuns({})).length;
    const r = await engine.testSink({ type: 'webhook-sink@1', config: { url: `${base}/hook`, signingSecret: 'secret:WH' }, sample: { hello: 'world' } });
    expect(r).toMatchObject({ ok: true, output: { status: 200, applied: true } });
    expect(received).toHaveLength(1);
    expect(received[0]!.headers['idempotency-key']).toMatch(/^millrace-test:/);
    expect(new Webhook(SECRET).verify(received[0]!.body, received[0]!.headers as Record<string, string>)).toEqual({ hello: 'world' });
    expect((await engine.listRuns({})).length).toBe(before);
    script = [{ status: 400, body: 'nope' }];
    expect(await engine.testSink({ type: 'webhook-sink@1', config: { url: `${base}/hook` }, sample: {} })).toMatchObject({ ok: false, error: expect.stringMatching(/answered 400: nope/) });
    await expect(engine.testSink({ type: 'set-fields@1', config: {}, sample: {} })).rejects.toThrow(/not a sink/);
  });
});

describe('Slack sink', () => {
  it('posts text and blocks to the secret URL, retries 429 after Retry-After, never shows the URL', async () => {
    script = [{ status: 429, headers: { 'retry-after': '1' } }, { status: 200, body: 'ok' }];
    const blocks = '[{"type":"section","text":{"type":"mrkdwn","text":{{ $json.title }}}}]';
    await engine.saveFlow({ flow: flow('slack', 'slack-sink@1', { webhookUrl: 'secret:SLACK', text: 'New: {{ title }}', blocks: blocks.replace('{{ $json.title }}', '"{{ title }}"') }) });
    const trace = await run('slack', { title: 'Order 7' });
    expect(trace.run.status).toBe('succeeded');
    expect(received).toHaveLength(2);
    expect(JSON.parse(received[1]!.body)).toEqual({ text: 'New: Order 7', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Order 7' } }] });
    expect(JSON.stringify(trace)).not.toContain('/slack/T000');
  });

  it('a Slack 4xx fails with its body and without the secret URL in the message', async () => {
    script = [{ status: 400, body: 'invalid_payload' }];
    await engine.saveFlow({ flow: flow('slack-bad', 'slack-sink@1', { webhookUrl: 'secret:SLACK', text: 'x' }) });
    const trace = await run('slack-bad', {});
    expect(trace.nodes['sink']?.error?.message).toMatch(/Slack \(secret:SLACK\) answered 400: invalid_payload/);
    expect(JSON.stringify(trace)).not.toContain('/slack/T000');
  });
});
