/**
 * An HTTP node that fails on a 5xx and has retries must send the request again, with the same
 * Idempotency-Key: a retryable error answer is not a result to journal and replay.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createEngine, type Engine } from './engine';
import type { Flow } from '../shared/flow/schema';

let dir: string;
let engine: Engine;
let server: Server;
const received: string[] = [];
let answers: number[] = [];
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'millrace-http-retry-'));
  engine = createEngine({ dataDir: dir, seedDemo: false });
  received.length = 0;
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received.push(String(req.headers['idempotency-key']));
      const status = answers.shift() ?? 200;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ status }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
});
afterEach(async () => {
  await engine.close();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

function flow(method: 'POST' | 'GET'): Flow {
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
  return {
    schemaVersion: 1,
    id: 'retry-flow',
    name: 'Retry flow',
    nodes: [
      { id: 't', type: 'manual-trigger@1', name: 'Start', position: { x: 0, y: 0 }, config: {} },
      {
        id: 'h',
        type: 'http-request@1',
        name: 'Call',
        position: { x: 200, y: 0 },
        config: { method, url, body: '{}' },
        settings: { retry: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 20 } },
      },
    ],
    edges: [{ id: 'e1', source: 't', sourcePort: 'out', target: 'h', targetPort: 'in' }],
  };
}

it.each(['POST', 'GET'] as const)('%s: a 503 then a 200 is two requests and a success (same Idempotency-Key)', async (method) => {
  answers = [503];
  await engine.saveFlow({ flow: flow(method) });
  const { runId } = await engine.startRun({ flowId: 'retry-flow' });
  const trace = await engine.waitForRun(runId);
  expect(trace.run.status).toBe('succeeded');
  expect(received).toEqual([`${runId}:h:request`, `${runId}:h:request`]);
  expect(trace.nodes['h']?.output).toMatchObject({ status: 200 });
});

it('a 404 is permanent: one request, no retries', async () => {
  answers = [404, 404, 404];
  await engine.saveFlow({ flow: flow('POST') });
  const { runId } = await engine.startRun({ flowId: 'retry-flow' });
  const trace = await engine.waitForRun(runId);
  expect(trace.run.status).toBe('failed');
  expect(received).toHaveLength(1);
  expect(JSON.stringify(trace.nodes['h']?.error)).toContain('404');
});
