/**
 * A run's end is queued right behind its last step results (one fsync for both) instead of after
 * they are durable. That must never let a run end recorded without its steps: when the batch
 * holding an effect's result fails (disk full), the end is not written, the run fails loudly and
 * resumes from its journal later. Real SQLite, real RunStore and group-commit writer; the failing
 * batch is made by a trigger that aborts the insert of the effect's result.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { openDatabase, type Db } from '../store/database';
import { GroupCommitWriter } from '../store/group-commit';
import { RunStore } from '../store/run-store';
import { executeRun } from './runner';
import type { Journal } from './journal';
import { defineNode, NodeRegistry, type AnyNodeDefinition } from '../../shared/node-kit';
import { allNodeDefinitions } from '../../nodes';
import type { Flow } from '../../shared/flow/schema';
import type { NodeServices } from '../../shared/services';

const effectNode = defineNode({
  type: 'test.effect-write', version: 1, title: 'Effect', description: '', category: 'sink',
  config: z.object({}), inputs: { in: { type: 'any' } }, outputs: { out: { type: 'any' } }, ui: {},
  async execute(ctx) {
    return { out: await ctx.step.effect('write', (info) => ({ key: info.idempotencyKey })) };
  },
  exportCode: () => '',
});
/** Lets the writer flush the batch before it, so the run's end lands in a later batch. */
const laterNode = defineNode({
  type: 'test.later', version: 1, title: 'Later', description: '', category: 'action',
  config: z.object({}), inputs: { in: { type: 'any' } }, outputs: { out: { type: 'any' } }, ui: {},
  async execute(_ctx, { in: input }) {
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    return { out: input };
  },
  exportCode: () => '',
});
const registry = new NodeRegistry([...allNodeDefinitions, effectNode, laterNode] as AnyNodeDefinition[]);

function flow(withLater: boolean): Flow {
  return {
    schemaVersion: 1, id: 'f', name: 'F',
    nodes: [
      { id: 't', type: 'manual-trigger@1', name: 't', position: { x: 0, y: 0 }, config: {} },
      { id: 'e', type: 'test.effect-write@1', name: 'e', position: { x: 0, y: 0 }, config: {} },
      ...(withLater ? [{ id: 'l', type: 'test.later@1', name: 'l', position: { x: 0, y: 0 }, config: {} }] : []),
    ],
    edges: [
      { id: 'e1', source: 't', sourcePort: 'out', target: 'e', targetPort: 'in' },
      ...(withLater ? [{ id: 'e2', source: 'e', sourcePort: 'out', target: 'l', targetPort: 'in' }] : []),
    ],
  };
}

const services: NodeServices = {
  http: { request: async () => ({ status: 200, headers: {}, body: null }) },
  files: { appendLines: async (p) => p, appendKeyed: async (p) => ({ path: p, appended: true, bytes: 0 }) },
  clock: { now: () => 0 },
};

let dir: string;
let db: Db;
let writer: GroupCommitWriter;
let store: RunStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'millrace-finish-'));
  db = openDatabase(join(dir, 'millrace.db'));
  writer = new GroupCommitWriter(db, { walPath: join(dir, 'millrace.db-wal') });
  store = new RunStore(db, writer);
  db.prepare(`INSERT INTO runs (id, flow_id, flow_version, flow_name, status, input, created_at) VALUES ('r1', 'f', 1, 'F', 'queued', '{}', 0)`).run();
  // The disk "fills up" exactly when the effect's result is written.
  db.exec(`CREATE TRIGGER fail_result BEFORE INSERT ON steps WHEN new.name = 'write' BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`);
});
afterEach(async () => {
  await writer.stop(new Error('closed'));
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const runRow = () => db.prepare(`SELECT status, finished_at FROM runs WHERE id = 'r1'`).get() as { status: string; finished_at: number | null };
const steps = () => (db.prepare(`SELECT name FROM steps WHERE run_id = 'r1' ORDER BY name`).all() as { name: string }[]).map((s) => s.name);

async function execute(journal: Journal, withLater: boolean) {
  const finished: string[] = [];
  const outcome = await executeRun({ runId: 'r1', flow: flow(withLater), flowVersion: 1, input: {}, registry, journal, services, emit: (e) => e.type === 'run.finished' && finished.push(e.status) }).then(
    (o) => o.status,
    (e: Error) => `threw: ${e.message}`,
  );
  return { outcome, finished };
}

/** The broken variant: a journal that writes the run's end even after one of its steps failed. */
function ignoringSkip(j: RunStore): Journal {
  return new Proxy(j, {
    get(target, prop, receiver) {
      if (prop === 'runFinished') return (runId: string, status: never, error: never, at: number) => target.runFinished(runId, status, error, at);
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

describe('the run end never lands without its steps', () => {
  it.each([
    ['in a later batch than the failed result', true],
    ['in the same batch as the failed result', false],
  ])('%s: nothing final is written, the run fails loudly', async (_label, withLater) => {
    const { outcome, finished } = await execute(store, withLater);
    expect(outcome).toMatch(/threw: .*disk is full/);
    expect(finished).toEqual([]);
    expect(steps()).toEqual(['started:write']);
    expect(runRow()).toMatchObject({ status: 'running', finished_at: null });
  });

  it('catches the broken variant: an end written after a failed step reads as succeeded without its result', async () => {
    const { finished } = await execute(ignoringSkip(store), true);
    await writer.sync();
    expect(steps()).toEqual(['started:write']);
    // What the guard prevents: the run recorded as succeeded while its effect's result is missing.
    expect(runRow().status).toBe('succeeded');
    expect(finished).toEqual([]);
  });
});
