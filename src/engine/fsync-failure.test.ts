/**
 * An fsync that fails (EIO) is fatal for the journal file: nothing is acknowledged after it, and
 * the engine reopens the database from disk and carries on. Also the regression tests for the
 * durability findings that are not power-loss shaped: a re-run racing a startRun, and deleting /
 * pruning runs leaving no row behind in any table a run owns.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createEngine, type Engine } from './engine';
import { realDurabilityFs, type DurabilityFs } from './store/group-commit';
import { observed, testRegistry } from './testing/test-nodes';
import { RUN_OWNED_TABLES, unlistedRunTables } from './store/run-owned-tables';
import type { Flow } from '../shared/flow/schema';

let dir: string;
let engine: Engine | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'millrace-fsync-'));
  observed.reset();
});
afterEach(async () => {
  await engine?.close();
  engine = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const chain = (id: string, types: string[]): Flow => ({
  schemaVersion: 1, id, name: id,
  nodes: [{ id: 't', type: 'manual-trigger@1', name: 't', position: { x: 0, y: 0 }, config: {} }, ...types.map((type, i) => ({ id: `n${i}`, type, name: `n${i}`, position: { x: 200 * (i + 1), y: 0 }, config: {} }))],
  edges: types.map((_, i) => ({ id: `e${i}`, source: i === 0 ? 't' : `n${i - 1}`, sourcePort: 'out', target: `n${i}`, targetPort: 'in' })),
});

describe('fsync failure', () => {
  it('refuses every unacknowledged write after an EIO, acknowledges nothing more on that file, then reopens and resumes', async () => {
    let failNext = false;
    let failures = 0;
    const fs: DurabilityFs = {
      ...realDurabilityFs,
      fsync: (fd, cb) => {
        if (failNext) {
          failNext = false;
          failures++;
          return void setImmediate(() => cb(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' })));
        }
        realDurabilityFs.fsync(fd, cb);
      },
    };
    const logs: string[] = [];
    const fatal: Error[] = [];
    engine = createEngine({ dataDir: dir, registry: testRegistry, seedDemo: false, storage: { fs }, log: (l) => logs.push(l), onFatalStorageError: (e) => fatal.push(e) });
    await engine.saveFlow({ flow: chain('f', ['test.effect@1']) });
    const before = await engine.startRun({ flowId: 'f' });
    await engine.waitForRun(before.runId);

    failNext = true;
    const during = await Promise.allSettled([engine.startRun({ flowId: 'f' }), engine.startRun({ flowId: 'f' })]);
    expect(failures).toBe(1);
    expect(fatal).toHaveLength(1);
    for (const r of during) {
      expect(r.status).toBe('rejected');
      expect(String((r as PromiseRejectedResult).reason)).toMatch(/disk (failed|reported)|journal durable/);
    }
    // The handle reopens the database from disk; the engine works again.
    await expect.poll(() => logs.some((l) => /database was reopened from what is on disk/.test(l)), { timeout: 10_000 }).toBe(true);
    const after = await engine.startRun({ flowId: 'f' });
    expect((await engine.waitForRun(after.runId)).run.status).toBe('succeeded');
    expect((await engine.getRunTrace({ runId: before.runId })).run.status).toBe('succeeded');
  });
});

describe('durability regressions', () => {
  it('a re-run racing a startRun never executes the reused upstream node again', async () => {
    engine = createEngine({ dataDir: dir, registry: testRegistry, seedDemo: false });
    await engine.saveFlow({ flow: chain('r', ['test.effect@1', 'test.effect@1']) });
    const first = await engine.waitForRun((await engine.startRun({ flowId: 'r' })).runId);
    expect(first.run.status).toBe('succeeded');
    for (let i = 0; i < 5; i++) {
      const [rerun] = await Promise.all([engine.rerun({ runId: first.run.id, fromNodeId: 'n1' }), engine.startRun({ flowId: 'r' })]);
      const trace = await engine.waitForRun(rerun.runId);
      expect(trace.run.status).toBe('succeeded');
      // Re-runs key their effects by the first run: n0 reused (never executed again), n1 executed by each.
      expect(observed.effects.get(`${first.run.id}:n0:effect`)).toBe(1);
      expect(observed.effects.get(`${first.run.id}:n1:effect`)).toBe(i + 2);
    }
  });

  it('deleting a flow and pruning runs leave no row in any table a run owns', async () => {
    engine = createEngine({ dataDir: dir, registry: testRegistry, seedDemo: false, retention: { maxAgeDays: null, maxRunsPerFlow: 1, intervalMs: 50 } });
    await engine.saveFlow({ flow: chain('w', ['test.wait@1']) });
    await engine.saveFlow({ flow: chain('p', ['test.effect@1']) });
    for (let i = 0; i < 3; i++) {
      const { runId } = await engine.startRun({ flowId: 'w' });
      await expect.poll(async () => (await engine!.getRunTrace({ runId })).run.status).toBe('waiting');
      await engine.signalRun({ runId, name: 'go' });
      await engine.waitForRun(runId);
    }
    const waiting = await engine.startRun({ flowId: 'w' }); // leaves a wait row behind
    await expect.poll(async () => (await engine!.getRunTrace({ runId: waiting.runId })).run.status).toBe('waiting');
    await engine.cancelRun({ runId: waiting.runId });
    for (let i = 0; i < 3; i++) await engine.waitForRun((await engine.startRun({ flowId: 'p' })).runId);
    await engine.deleteFlow({ id: 'w' });
    await expect.poll(() => (engine!.runCounts()['succeeded'] ?? 0), { timeout: 10_000 }).toBe(1); // pruned to one per flow
    await engine.close();
    engine = undefined;
    const db = new Database(join(dir, 'millrace.db'), { readonly: true });
    try {
      expect(unlistedRunTables(db)).toEqual([]);
      const runIds = new Set(db.prepare(`SELECT id FROM runs`).pluck().all() as string[]);
      for (const table of RUN_OWNED_TABLES) {
        const orphans = (db.prepare(`SELECT DISTINCT run_id FROM ${table}`).pluck().all() as string[]).filter((id) => !runIds.has(id));
        expect({ table, orphans }).toEqual({ table, orphans: [] });
      }
    } finally {
      db.close();
    }
  });
});

describe('effects sent again', () => {
  it('an effect found started but unrecorded is sent again with the same key, and the trace counts it on the node', async () => {
    const { defineNode, NodeRegistry } = await import('../shared/node-kit');
    const { allNodeDefinitions } = await import('../nodes');
    const { z } = await import('zod');
    const deliveries: { key: string; again: boolean }[] = [];
    const flaky = defineNode({
      type: 'test.flaky-effect', version: 1, title: 'Flaky effect', description: '', category: 'sink',
      config: z.object({}), inputs: { in: { type: 'any' } }, outputs: { out: { type: 'any' } }, ui: {},
      async execute(ctx) {
        const r = await ctx.step.effect('deliver', ({ idempotencyKey, mayHaveRunBefore }) => {
          deliveries.push({ key: idempotencyKey, again: mayHaveRunBefore });
          // The first delivery reaches the target, then the connection drops before the answer.
          if (deliveries.length === 1) throw new Error('connection reset after sending');
          return { ok: true };
        });
        return { out: r };
      },
    });
    engine = createEngine({ dataDir: dir, registry: new NodeRegistry([...allNodeDefinitions, flaky]), seedDemo: false });
    const flow = chain('x', ['test.flaky-effect@1']);
    flow.nodes[1]!.settings = { retry: { maxAttempts: 2, initialDelayMs: 10, maxDelayMs: 20 } };
    await engine.saveFlow({ flow });
    const trace = await engine.waitForRun((await engine.startRun({ flowId: 'x' })).runId);
    expect(trace.run.status).toBe('succeeded');
    expect(deliveries).toHaveLength(2);
    expect(deliveries[1]).toEqual({ key: deliveries[0]!.key, again: true });
    expect(trace.nodes['n0']?.redelivered).toBe(1);
  });
});
