/**
 * Exactly once across re-runs: a re-run (whole, from a node, or of a re-run) sends its effects
 * with the idempotency keys of the first run of its chain, so the target recognises the repeat.
 * "Retry from this node" after a sink failed must not land a second effect if the first landed.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createEngine, type Engine } from './engine';
import type { Flow } from '../shared/flow/schema';

let dir: string;
let engine: Engine;
let server: Server;
const keys: string[] = [];
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'millrace-rerun-effects-'));
  engine = createEngine({ dataDir: dir, seedDemo: false });
  keys.length = 0;
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      keys.push(String(req.headers['idempotency-key']));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
});
afterEach(async () => {
  await engine.close();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

function flow(): Flow {
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return {
    schemaVersion: 1,
    id: 'effects',
    name: 'Effects',
    nodes: [
      { id: 't', type: 'manual-trigger@1', name: 'Start', position: { x: 0, y: 0 }, config: {} },
      { id: 'h', type: 'http-request@1', name: 'Notify', position: { x: 200, y: 0 }, config: { method: 'POST', url, body: '{}' } },
      { id: 'f', type: 'write-file@2', name: 'Record', position: { x: 400, y: 0 }, config: { path: 'effects.jsonl', format: 'jsonl', line: '' } },
    ],
    edges: [
      { id: 'e1', source: 't', sourcePort: 'out', target: 'h', targetPort: 'in' },
      { id: 'e2', source: 'h', sourcePort: 'out', target: 'f', targetPort: 'in' },
    ],
  };
}

it('whole re-runs, re-runs from a node and re-runs of re-runs repeat the first run\'s keys: the file sink lands one line', async () => {
  await engine.saveFlow({ flow: flow() });
  const { runId: first } = await engine.startRun({ flowId: 'effects', input: { n: 1 } });
  expect((await engine.waitForRun(first)).run.status).toBe('succeeded');
  const whole = await engine.rerun({ runId: first });
  expect((await engine.waitForRun(whole.runId)).run.status).toBe('succeeded');
  const fromSink = await engine.rerun({ runId: whole.runId, fromNodeId: 'f' });
  expect((await engine.waitForRun(fromSink.runId)).run.status).toBe('succeeded');
  const fromHttp = await engine.rerun({ runId: fromSink.runId, fromNodeId: 'h' });
  expect((await engine.waitForRun(fromHttp.runId)).run.status).toBe('succeeded');

  expect(keys).toEqual([`${first}:h:request`, `${first}:h:request`, `${first}:h:request`]);
  const lines = readFileSync(join(engine.outputDir, 'effects.jsonl'), 'utf8').trim().split('\n');
  expect(lines).toHaveLength(1);
  // A new run (not a re-run) is a new effect.
  const { runId: second } = await engine.startRun({ flowId: 'effects', input: { n: 2 } });
  expect((await engine.waitForRun(second)).run.status).toBe('succeeded');
  expect(keys.at(-1)).toBe(`${second}:h:request`);
  expect(readFileSync(join(engine.outputDir, 'effects.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
});
