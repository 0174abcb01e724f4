import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, type Engine, type EngineOptions } from './engine';
import { observed, testRegistry } from './testing/test-nodes';
import { DatabaseOpenError } from './store/database';
import type { Flow, FlowNode } from '../shared/flow/schema';

let dir: string;
let engine: Engine;
const open = (o: Partial<EngineOptions> = {}) => createEngine({ dataDir: dir, registry: testRegistry, seedDemo: false, ...o });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'millrace-durable-'));
  observed.reset();
  engine = open();
});
afterEach(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

type Spec = [id: string, type: string, config?: Record<string, unknown>, settings?: FlowNode['settings']];
/** A straight line trigger → node → node … */
function chain(id: string, specs: Spec[], settings?: Flow['settings']): Flow {
  const nodes: FlowNode[] = [['t', 'manual-trigger@1', { payload: '{}' }] as Spec, ...specs].map(([nid, type, config, s], i) => ({
    id: nid, type, name: nid, position: { x: i * 200, y: 0 }, config: config ?? {}, ...(s ? { settings: s } : {}),
  }));
  const edges = nodes.slice(1).map((n, i) => ({ id: `e${i}`, source: nodes[i]!.id, sourcePort: 'out', target: n.id, targetPort: 'in' }));
  return { schemaVersion: 1, id, name: id, nodes, edges, ...(settings ? { settings } : {}) };
}

async function until(cond: () => boolean | Promise<boolean>, ms = 5000) {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const status = async (runId: string) => (await engine.getRunTrace({ runId })).run.status;

describe('durable engine', () => {
  it('resumes a run interrupted mid-node after a restart without repeating its journaled effect', async () => {
    await engine.saveFlow({ flow: chain('f', [['fx', 'test.effect@1', { holdMs: 300 }], ['after', 'test.effect@1']]) });
    const { runId } = await engine.startRun({ flowId: 'f' });
    await until(() => observed.effects.size === 1); // the effect is journaled, the node is still holding
    await engine.close(); // interrupts: the node stays "running" in the journal
    expect(observed.effects.size).toBe(1);
    engine = open();
    const trace = await engine.waitForRun(runId);
    expect(trace.run.status).toBe('succeeded');
    expect(observed.effects.get(`${runId}:fx:effect`)).toBe(1);
    expect(observed.effects.get(`${runId}:after:effect`)).toBe(1);
    expect(trace.nodes['fx']?.output).toMatchObject({ effectCount: 1 });
  });

  it('retries with backoff, records every attempt, then succeeds', async () => {
    await engine.saveFlow({ flow: chain('f', [['flaky', 'test.flaky@1', { failTimes: 2 }, { retry: { maxAttempts: 3, initialDelayMs: 20, maxDelayMs: 100 } }]]) });
    const { runId } = await engine.startRun({ flowId: 'f' });
    const trace = await engine.waitForRun(runId);
    expect(trace.run.status).toBe('succeeded');
    expect(trace.nodes['flaky']?.attempt).toBe(3);
    expect(trace.nodes['flaky']?.attempts.map((a) => a.error.message)).toEqual(['flaky failure 1', 'flaky failure 2']);
    const [a1, a2] = trace.nodes['flaky']!.attempts;
    expect(a1!.retryAt! - a1!.at).toBeGreaterThanOrEqual(10); // 20 ms with equal jitter: 10..20
    expect(a2!.retryAt! - a2!.at).toBeGreaterThanOrEqual(20); // 40 ms: 20..40
  });

  it('stops retrying when attempts run out or the error is permanent', async () => {
    await engine.saveFlow({ flow: chain('a', [['flaky', 'test.flaky@1', { failTimes: 5 }, { retry: { maxAttempts: 2, initialDelayMs: 5, maxDelayMs: 5 } }]]) });
    await engine.saveFlow({ flow: chain('b', [['flaky', 'test.flaky@1', { failTimes: 5, permanent: true }, { retry: { maxAttempts: 5, initialDelayMs: 5, maxDelayMs: 5 } }]]) });
    const a = await engine.waitForRun((await engine.startRun({ flowId: 'a' })).runId);
    const b = await engine.waitForRun((await engine.startRun({ flowId: 'b' })).runId);
    expect(a.run.status).toBe('failed');
    expect(a.nodes['flaky']?.attempts).toHaveLength(1);
    expect(a.run.error).toMatchObject({ message: 'flaky failure 2', nodeId: 'flaky' });
    expect(b.run.status).toBe('failed');
    expect(b.nodes['flaky']?.attempts).toHaveLength(0);
  });

  it('times out a node that never finishes (even one ignoring abort), and a run past its deadline', async () => {
    await engine.saveFlow({ flow: chain('n', [['hang', 'test.hang@1', {}, { timeoutMs: 50 }]]) });
    await engine.saveFlow({ flow: chain('r', [['nap', 'test.sleep@1', { ms: 10_000 }]], { runTimeoutMs: 80 }) });
    const n = await engine.waitForRun((await engine.startRun({ flowId: 'n' })).runId);
    expect(n.run.status).toBe('failed');
    expect(n.nodes['hang']?.error?.message).toBe('"hang" did not finish within 50 ms');
    const t0 = Date.now();
    const r = await engine.waitForRun((await engine.startRun({ flowId: 'r' })).runId);
    expect(r.run.status).toBe('failed');
    expect(r.run.error?.message).toMatch(/time limit/);
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('sleeps without holding a worker, and wakes up after a restart', async () => {
    await engine.saveFlow({ flow: chain('f', [['nap', 'test.sleep@1', { ms: 300 }], ['fx', 'test.effect@1']]) });
    const { runId } = await engine.startRun({ flowId: 'f' });
    await until(async () => (await status(runId)) === 'waiting');
    expect((await engine.getRunTrace({ runId })).nodes['nap']?.waiting).toMatchObject({ kind: 'sleep' });
    await engine.close();
    engine = open();
    const trace = await engine.waitForRun(runId);
    expect(trace.run.status).toBe('succeeded');
    expect(trace.nodes['nap']!.finishedAt! - trace.nodes['nap']!.startedAt!).toBeGreaterThanOrEqual(0);
    expect(observed.effects.get(`${runId}:fx:effect`)).toBe(1);
  });

  it('keeps a signal that arrives before the wait, and resumes exactly once on a double signal', async () => {
    await engine.saveFlow({ flow: chain('f', [['slow', 'test.record@1', { ms: 100, label: 'x' }], ['wait', 'test.wait@1'], ['fx', 'test.effect@1']]) });
    const early = (await engine.startRun({ flowId: 'f' })).runId;
    expect(await engine.signalRun({ runId: early, name: 'go', payload: { ok: 1 } })).toEqual({ accepted: true });
    const t = await engine.waitForRun(early);
    expect(t.run.status).toBe('succeeded');
    expect(t.nodes['wait']?.output).toMatchObject({ wait: { kind: 'signal', payload: { ok: 1 } } });

    const twice = (await engine.startRun({ flowId: 'f' })).runId;
    await until(async () => (await status(twice)) === 'waiting');
    const [s1, s2] = await Promise.all([
      engine.signalRun({ runId: twice, name: 'go', payload: 'first' }),
      engine.signalRun({ runId: twice, name: 'go', payload: 'second' }),
    ]);
    expect([s1.accepted, s2.accepted].sort()).toEqual([false, true]);
    const t2 = await engine.waitForRun(twice);
    expect(t2.nodes['wait']?.output).toMatchObject({ wait: { payload: 'first' } });
    expect(observed.log.filter((l) => l.startsWith(`${twice}:resumed`))).toHaveLength(1);
    expect(observed.effects.get(`${twice}:fx:effect`)).toBe(1);
    expect(await engine.signalRun({ runId: twice, name: 'go' })).toEqual({ accepted: false });
  });

  it('a run waiting for a signal survives a restart, and a signal timeout resumes it', async () => {
    await engine.saveFlow({ flow: chain('f', [['wait', 'test.wait@1']]) });
    await engine.saveFlow({ flow: chain('g', [['wait', 'test.wait@1', { timeoutMs: 100 }]]) });
    const { runId } = await engine.startRun({ flowId: 'f' });
    await until(async () => (await status(runId)) === 'waiting');
    await engine.close();
    engine = open();
    expect(await status(runId)).toBe('waiting');
    await engine.signalRun({ runId, name: 'go', payload: 'after restart' });
    expect((await engine.waitForRun(runId)).nodes['wait']?.output).toMatchObject({ wait: { payload: 'after restart' } });
    const g = await engine.waitForRun((await engine.startRun({ flowId: 'g' })).runId);
    expect(g.nodes['wait']?.output).toMatchObject({ wait: { kind: 'timeout' } });
  });

  it('runs with the same ordering key execute one at a time in arrival order; other keys overlap', async () => {
    await engine.saveFlow({ flow: chain('f', [['rec', 'test.record@1', { ms: 30 }]]) });
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push((await engine.startRun({ flowId: 'f', input: { label: `k${i}` }, orderingKey: 'row-1' })).runId);
    await Promise.all(ids.map((id) => engine.waitForRun(id)));
    expect(observed.log).toEqual(['start:k0', 'end:k0', 'start:k1', 'end:k1', 'start:k2', 'end:k2', 'start:k3', 'end:k3']);
    observed.reset();
    const other = await Promise.all([0, 1, 2].map((i) => engine.startRun({ flowId: 'f', input: { label: `o${i}` }, orderingKey: `row-${i}` })));
    await Promise.all(other.map((r) => engine.waitForRun(r.runId)));
    expect(observed.peakActive).toBe(3);
  });

  it('respects the global and per-flow concurrency limits', async () => {
    await engine.close();
    engine = open({ concurrency: 2 });
    await engine.saveFlow({ flow: chain('f', [['rec', 'test.record@1', { ms: 30 }]]) });
    const runs = await Promise.all([0, 1, 2, 3, 4].map((i) => engine.startRun({ flowId: 'f', input: { label: i } })));
    await Promise.all(runs.map((r) => engine.waitForRun(r.runId)));
    expect(observed.peakActive).toBe(2);
    observed.reset();
    await engine.saveFlow({ flow: chain('one', [['rec', 'test.record@1', { ms: 30 }]], { concurrency: 1 }) });
    const more = await Promise.all([0, 1, 2].map((i) => engine.startRun({ flowId: 'one', input: { label: i } })));
    await Promise.all(more.map((r) => engine.waitForRun(r.runId)));
    expect(observed.peakActive).toBe(1);
  });

  it('never creates two runs for the same trigger event (dedupe key)', async () => {
    await engine.saveFlow({ flow: chain('f', [['fx', 'test.effect@1']]) });
    const a = await engine.startRun({ flowId: 'f', dedupeKey: 'lsn:0/16B3748:0' });
    const b = await engine.startRun({ flowId: 'f', dedupeKey: 'lsn:0/16B3748:0' });
    expect(b).toEqual({ runId: a.runId, deduplicated: true });
    await engine.waitForRun(a.runId);
    expect((await engine.listRuns({ flowId: 'f' })).length).toBe(1);
  });

  it('pins a run to the flow version it started with; editing the flow does not change it', async () => {
    const flow = chain('f', [['wait', 'test.wait@1'], ['s', 'set-fields@1', { fields: [{ name: 'v', value: 'old' }] }]]);
    await engine.saveFlow({ flow });
    const { runId } = await engine.startRun({ flowId: 'f' });
    await until(async () => (await status(runId)) === 'waiting');
    await engine.saveFlow({ flow: { ...flow, nodes: flow.nodes.map((n) => (n.id === 's' ? { ...n, config: { fields: [{ name: 'v', value: 'new' }] } } : n)) } });
    await engine.signalRun({ runId, name: 'go' });
    expect((await engine.waitForRun(runId)).nodes['s']?.output).toEqual({ v: 'old' });
  });

  it('re-runs a whole run, and from a node with an edited input, reusing upstream results', async () => {
    const started = new Map<string, string | null | undefined>();
    engine.onRunEvent((e) => e.type === 'run.started' && started.set(e.runId, e.parentRunId));
    await engine.saveFlow({ flow: chain('f', [['a', 'test.effect@1'], ['s', 'set-fields@1', { fields: [{ name: 'n', value: '{{ input.n }}' }] }]]) });
    const first = await engine.waitForRun((await engine.startRun({ flowId: 'f', input: { n: 1 } })).runId);
    const whole = await engine.waitForRun((await engine.rerun({ runId: first.run.id })).runId);
    expect(whole.run.parentRunId).toBe(first.run.id);
    expect(started.get(whole.run.id)).toBe(first.run.id); // live run.started carries the link too
    expect(whole.nodes['s']?.output).toEqual({ n: 1 });
    // Executed again, with the first run's idempotency key (the target recognises the repeat).
    expect(observed.effects.get(`${first.run.id}:a:effect`)).toBe(2);
    const edited = await engine.waitForRun((await engine.rerun({ runId: first.run.id, fromNodeId: 's', input: { input: { n: 42 } } })).runId);
    expect(edited.nodes['s']?.output).toEqual({ n: 42 });
    expect(edited.nodes['a']?.status).toBe('succeeded'); // reused from the original run
    expect(observed.effects.get(`${first.run.id}:a:effect`)).toBe(2); // …not executed again
  });

  it('cancels waiting and running runs', async () => {
    await engine.saveFlow({ flow: chain('w', [['wait', 'test.wait@1']]) });
    await engine.saveFlow({ flow: chain('h', [['hang', 'test.hang@1']]) });
    const w = (await engine.startRun({ flowId: 'w' })).runId;
    await until(async () => (await status(w)) === 'waiting');
    expect(await engine.cancelRun({ runId: w })).toEqual({ status: 'cancelled' });
    const h = (await engine.startRun({ flowId: 'h' })).runId;
    await until(async () => (await status(h)) === 'running');
    expect(await engine.cancelRun({ runId: h })).toEqual({ status: 'cancelled' });
    expect(await engine.signalRun({ runId: w, name: 'go' })).toEqual({ accepted: false });
    // Nodes of a stopped run are not left waiting or running in the stored trace.
    expect((await engine.getRunTrace({ runId: w })).nodes['wait']).toMatchObject({ status: 'failed', waiting: null, error: { message: 'stopped: the run was cancelled' } });
    expect((await engine.getRunTrace({ runId: h })).nodes['hang']?.status).toBe('failed');
  });

  it('refuses a second engine on the same data folder with a clear message', async () => {
    expect(() => open()).toThrow(DatabaseOpenError);
    expect(() => open()).toThrow(/another Millrace is already using/);
  });

  it('prunes old runs in the background by count per flow', async () => {
    await engine.close();
    engine = open({ retention: { maxAgeDays: null, maxRunsPerFlow: 2, intervalMs: 20 } });
    await engine.saveFlow({ flow: chain('f', [['s', 'set-fields@1', { fields: [] }]]) });
    for (let i = 0; i < 5; i++) await engine.waitForRun((await engine.startRun({ flowId: 'f' })).runId);
    await until(async () => (await engine.listRuns({ flowId: 'f' })).length === 2);
  });

  it('a full disk refuses new runs with a clear error and loses nothing already committed', async () => {
    await engine.saveFlow({ flow: chain('f', [['s', 'set-fields@1', { fields: [{ name: 'blob', value: '{{ blob }}' }] }]]) });
    const ok = await engine.waitForRun((await engine.startRun({ flowId: 'f', input: { blob: 'small' } })).runId);
    await engine.close();
    // The same SQLITE_FULL a full disk produces, from a size cap just above the current file.
    const { statSync } = await import('node:fs');
    engine = open({ maxDatabaseBytes: statSync(join(dir, 'millrace.db')).size + 16 * 4096 });
    const failures: string[] = [];
    engine.onRunEvent((e) => {
      if (e.type === 'run.finished' && e.status === 'failed') failures.push(e.error?.message ?? '');
    });
    const big = 'x'.repeat(200_000);
    const outcome = await engine
      .startRun({ flowId: 'f', input: { blob: big } })
      .then(async ({ runId }) => {
        await until(() => failures.length > 0);
        return { runId, message: failures[0]! };
      })
      .catch((e: Error) => ({ runId: null, message: e.message }));
    expect(outcome.message).toMatch(/disk is full/);
    expect(outcome.message).toMatch(/nothing already recorded was lost/);
    await engine.close();
    engine = open();
    expect((await engine.getRunTrace({ runId: ok.run.id })).nodes['s']?.output).toEqual({ blob: 'small' });
  });

  it('refuses a SQLite file that belongs to another application, and leaves it untouched', async () => {
    const Database = (await import('better-sqlite3')).default;
    const other = mkdtempSync(join(tmpdir(), 'millrace-other-'));
    const foreign = new Database(join(other, 'millrace.db'));
    foreign.exec(`CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices (total) VALUES (99.5)`);
    foreign.close();
    expect(() => createEngine({ dataDir: other, seedDemo: false })).toThrow(/not a Millrace one; refusing to use it/);
    const check = new Database(join(other, 'millrace.db'));
    expect(check.prepare('SELECT total FROM invoices').pluck().get()).toBe(99.5);
    expect(check.prepare(`SELECT count(*) FROM sqlite_master WHERE name = 'runs'`).pluck().get()).toBe(0);
    check.close();
    rmSync(other, { recursive: true, force: true });
  });
});
