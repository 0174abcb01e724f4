/**
 * Pin data on a real engine, SQLite file and loopback HTTP server: while the HTTP node is pinned,
 * manual runs never call the server and downstream nodes get the pinned output; runs started by a
 * trigger (with a dedupe key) still call it; unpinning calls it again.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createEngine, type Engine } from './engine';
import { EngineError } from '../shared/api';
import type { Flow } from '../shared/flow/schema';
import type { RunEvent } from '../shared/runs';

let dir: string;
let engine: Engine;
let server: Server;
let requests: string[];
let url: string;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'millrace-pins-'));
  engine = createEngine({ dataDir: dir, seedDemo: false });
  requests = [];
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      requests.push(body);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ n: requests.length }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/n`;
});
afterEach(async () => {
  await engine.close();
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

function flow(): Flow {
  return {
    schemaVersion: 1, id: 'pf', name: 'Pinned',
    nodes: [
      { id: 't', type: 'manual-trigger@1', name: 'Start', position: { x: 0, y: 0 }, config: {} },
      { id: 'h', type: 'http-request@1', name: 'Call API', position: { x: 200, y: 0 }, config: { method: 'POST', url, body: '{"x": 1}' } },
      { id: 's', type: 'set-fields@1', name: 'Shape', position: { x: 400, y: 0 }, config: { fields: [{ name: 'n', value: '{{ body.n }}' }] } },
    ],
    edges: [
      { id: 'e1', source: 't', sourcePort: 'out', target: 'h', targetPort: 'in' },
      { id: 'e2', source: 'h', sourcePort: 'out', target: 's', targetPort: 'in' },
    ],
  };
}

const runOnce = async (args: { dedupeKey?: string } = {}) => engine.waitForRun((await engine.startRun({ flowId: 'pf', input: {}, ...args })).runId);

describe('pin data', () => {
  it('skips the pinned node in manual runs and feeds its pinned output downstream', async () => {
    await engine.saveFlow({ flow: flow() });
    const first = await runOnce();
    expect(first.run.status).toBe('succeeded');
    expect(requests).toHaveLength(1);
    expect(first.nodes['h']?.output).toMatchObject({ body: { n: 1 } });

    const pins = await engine.pinNodeOutput({ flowId: 'pf', nodeId: 'h', runId: first.run.id });
    expect(pins).toEqual([{ nodeId: 'h', sourceRunId: first.run.id, pinnedAt: expect.any(Number) as number, output: first.nodes['h']?.output }]);

    const events: RunEvent[] = [];
    engine.onRunEvent((e) => events.push(e));
    const pinned = await runOnce();
    expect(pinned.run.status).toBe('succeeded');
    expect(requests).toHaveLength(1); // the server was not called again
    expect(pinned.nodes['h']).toMatchObject({ status: 'succeeded', output: first.nodes['h']?.output, durationMs: 0 });
    expect(pinned.nodes['s']?.input).toMatchObject({ body: { n: 1 } });
    expect(events.some((e) => e.type === 'node.succeeded' && e.runId === pinned.run.id && e.nodeId === 'h')).toBe(true);

    // A run started by a trigger (it has a dedupe key) executes every node.
    await runOnce({ dedupeKey: 'change-1' });
    expect(requests).toHaveLength(2);

    await engine.unpinNode({ flowId: 'pf', nodeId: 'h' });
    expect(await engine.listPins({ flowId: 'pf' })).toEqual([]);
    const after = await runOnce();
    expect(requests).toHaveLength(3);
    expect(after.nodes['s']?.output).toMatchObject({ n: 3 });
  });

  it('refuses to pin a node that did not succeed in that run, or a run of another flow', async () => {
    await engine.saveFlow({ flow: flow() });
    const r = await runOnce();
    await expect(engine.pinNodeOutput({ flowId: 'pf', nodeId: 'nope', runId: r.run.id })).rejects.toThrow(EngineError);
    await expect(engine.pinNodeOutput({ flowId: 'other', nodeId: 'h', runId: r.run.id })).rejects.toThrow(/another flow/);
    expect(await engine.listPins({ flowId: 'pf' })).toEqual([]);
  });

  it('drops the pins with the flow', async () => {
    await engine.saveFlow({ flow: flow() });
    const r = await runOnce();
    await engine.pinNodeOutput({ flowId: 'pf', nodeId: 'h', runId: r.run.id });
    await engine.deleteFlow({ id: 'pf' });
    expect(await engine.listPins({ flowId: 'pf' })).toEqual([]);
  });
});
