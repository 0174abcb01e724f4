import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createEngine, type Engine } from './engine';
import { EngineError } from '../shared/api';
import type { Flow } from '../shared/flow/schema';
import type { RunEvent } from '../shared/runs';
import { DatabaseOpenError } from './store/database';

let dir: string;
let engine: Engine;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'millrace-engine-'));
  engine = createEngine({ dataDir: dir });
});
afterEach(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

function httpFlow(url: string): Flow {
  return {
    schemaVersion: 1, id: 'http-flow', name: 'HTTP flow',
    nodes: [
      { id: 't', type: 'manual-trigger@1', name: 'Start', position: { x: 0, y: 0 }, config: {} },
      { id: 'h', type: 'http-request@1', name: 'Call API', position: { x: 200, y: 0 }, config: { method: 'POST', url, body: '{"id": "{{ id }}"}' } },
      { id: 'w', type: 'write-file@1', name: 'Save', position: { x: 400, y: 0 }, config: { path: 'out/results.jsonl', line: '{{ body.echo.id }}' } },
    ],
    edges: [
      { id: 'e1', source: 't', sourcePort: 'out', target: 'h', targetPort: 'in' },
      { id: 'e2', source: 'h', sourcePort: 'out', target: 'w', targetPort: 'in' },
    ],
  };
}

describe('engine', () => {
  it('seeds the demo flow once and runs it offline to success', async () => {
    const flows = await engine.listFlows();
    expect(flows.map((f) => f.id)).toContain('demo-order-triage');
    const { runId } = await engine.startRun({ flowId: 'demo-order-triage' });
    const trace = await engine.waitForRun(runId);
    expect(trace.run.status).toBe('succeeded');
    expect(trace.nodes['archive']?.status).toBe('skipped');
    const line = JSON.parse(readFileSync(join(engine.outputDir, 'demo', 'review.jsonl'), 'utf8').trim()) as Record<string, unknown>;
    expect(line['orderId']).toBe('A-1042');
    // Deleting the demo must not bring it back on the next start.
    await engine.deleteFlow({ id: 'demo-order-triage' });
    await engine.close();
    engine = createEngine({ dataDir: dir });
    expect((await engine.listFlows()).map((f) => f.id)).not.toContain('demo-order-triage');
  });

  it('makes a real HTTP call and journals the trace, readable after a restart', async () => {
    const received: string[] = [];
    const server: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push(`${req.method} ${req.headers['idempotency-key']} ${body}`);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ echo: JSON.parse(body) as unknown }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      await engine.saveFlow({ flow: httpFlow(`http://127.0.0.1:${port}/echo`) });
      const events: RunEvent[] = [];
      engine.onRunEvent((e) => events.push(e));
      const { runId } = await engine.startRun({ flowId: 'http-flow', input: { id: 'abc' } });
      const trace = await engine.waitForRun(runId);
      expect(trace.run.status).toBe('succeeded');
      expect(received).toEqual([`POST ${runId}:h:request {"id": "abc"}`]);
      expect(trace.nodes['h']?.output).toMatchObject({ status: 200, body: { echo: { id: 'abc' } } });
      expect(readFileSync(join(engine.outputDir, 'out', 'results.jsonl'), 'utf8')).toBe('abc\n');
      expect(events.filter((e) => e.runId === runId).map((e) => e.type)).toContain('run.finished');
      await engine.close();
      engine = createEngine({ dataDir: dir });
      const again = await engine.getRunTrace({ runId });
      expect(again.nodes['h']?.status).toBe('succeeded');
      expect(again.nodes['w']?.input).toMatchObject({ status: 200 });
      expect((await engine.listRuns({ flowId: 'http-flow' }))[0]?.id).toBe(runId);
    } finally {
      server.close();
    }
  });

  it('fails the run at the HTTP node with an actionable message when the server is down; other runs unaffected', async () => {
    await engine.saveFlow({ flow: httpFlow('http://127.0.0.1:1/nothing') });
    const { runId } = await engine.startRun({ flowId: 'http-flow', input: { id: 'x' } });
    const demo = await engine.startRun({ flowId: 'demo-order-triage' });
    const trace = await engine.waitForRun(runId);
    expect(trace.run.status).toBe('failed');
    expect(trace.run.error).toMatchObject({ nodeId: 'h' });
    expect(trace.nodes['h']?.error?.message).toMatch(/connection refused/);
    expect((await engine.waitForRun(demo.runId)).run.status).toBe('succeeded');
  });

  it('refuses to run a flow with config problems, naming the node and field', async () => {
    const flow = httpFlow('');
    await engine.saveFlow({ flow });
    const err = await engine.startRun({ flowId: 'http-flow' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('invalid_flow');
    expect((err as EngineError).message).toMatch(/node "Call API", field "url"/);
    expect((err as EngineError).problems?.[0]).toMatchObject({ nodeId: 'h', field: 'url' });
  });

  it('refuses to save a structurally broken flow and keeps the previous version', async () => {
    await engine.saveFlow({ flow: httpFlow('http://127.0.0.1/x') });
    const broken = { ...httpFlow('http://127.0.0.1/x'), edges: [{ id: 'e1', source: 'w', sourcePort: 'out', target: 't', targetPort: 'in' }] };
    await expect(engine.saveFlow({ flow: broken })).rejects.toMatchObject({ code: 'invalid_flow' });
    expect((await engine.getFlow({ id: 'http-flow' })).flow.edges).toHaveLength(2);
  });

  it('imports without overwriting: an existing id comes in as a copy; hostile files save nothing', async () => {
    const before = (await engine.listFlows()).length;
    const demoText = JSON.stringify((await engine.getFlow({ id: 'demo-order-triage' })).flow);
    const r = await engine.importFlow({ text: demoText });
    expect(r.ok && r.saved.flow.id !== 'demo-order-triage' && r.saved.flow.name.endsWith('(imported)')).toBe(true);
    for (const text of ['{nope', '{"schemaVersion":1,"__proto__":{"x":1}}', JSON.stringify({ ...httpFlow('http://a'), nodes: [{ id: 'x', type: 'evil@1', name: 'x', position: { x: 0, y: 0 }, config: {} }], edges: [] })]) {
      const bad = await engine.importFlow({ text });
      expect(bad.ok).toBe(false);
    }
    expect((await engine.listFlows()).length).toBe(before + 1);
  });

  it('versions flows on save and pins the version a run started with', async () => {
    const first = await engine.saveFlow({ flow: httpFlow('http://127.0.0.1:1/a') });
    const second = await engine.saveFlow({ flow: { ...httpFlow('http://127.0.0.1:1/b'), name: 'Renamed' } });
    expect(second.version).toBe(first.version + 1);
    const { runId } = await engine.startRun({ flowId: 'http-flow' });
    const trace = await engine.waitForRun(runId);
    expect(trace.run.flowVersion).toBe(second.version);
    expect(trace.run.flowName).toBe('Renamed');
  });

  it('refuses to open a file that is not a Millrace database, and leaves it untouched', async () => {
    const other = mkdtempSync(join(tmpdir(), 'millrace-foreign-'));
    writeFileSync(join(other, 'millrace.db'), 'this is my thesis, not a database');
    expect(() => createEngine({ dataDir: other })).toThrow(DatabaseOpenError);
    expect(readFileSync(join(other, 'millrace.db'), 'utf8')).toBe('this is my thesis, not a database');
    rmSync(other, { recursive: true, force: true });
  });

  it('resumes runs a killed process left running, on the next start', async () => {
    const { runId } = await engine.startRun({ flowId: 'demo-order-triage' });
    await engine.waitForRun(runId);
    await engine.close();
    const Database = (await import('better-sqlite3')).default;
    const raw = new Database(join(dir, 'millrace.db'));
    // What a SIGKILL mid-run leaves behind: the run and its last node still "running".
    raw.prepare(`UPDATE runs SET status = 'running', finished_at = NULL WHERE id = ?`).run(runId);
    raw.prepare(`UPDATE node_runs SET status = 'running', finished_at = NULL, outputs = NULL WHERE run_id = ? AND node_id = 'review'`).run(runId);
    raw.close();
    engine = createEngine({ dataDir: dir });
    const trace = await engine.waitForRun(runId);
    expect(trace.run.status).toBe('succeeded');
    expect(trace.nodes['review']?.status).toBe('succeeded');
    // The file append was journaled as a step, so resuming did not write the line twice.
    expect(readFileSync(join(engine.outputDir, 'demo', 'review.jsonl'), 'utf8').trim().split('\n')).toHaveLength(1);
  });
});
