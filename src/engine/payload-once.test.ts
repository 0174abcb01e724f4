/**
 * A payload is stored once (issue 12): runs with 200 KB inputs through Manual trigger → Set fields
 * (keeps the input, adds a field) → Set fields (copies the body into a new object) used to store
 * the body in the run, the trigger's input and outputs, and each node's input and outputs. Now the
 * database holds each body once, traces still show it whole, pruning gives it back, and a re-run
 * that reuses nodes of a pruned run keeps what it refers to.
 *
 * The test computes what the old layout stored (every column's decoded text) beside what is
 * stored now, so the bound it asserts is one that the copying layout fails by a wide margin.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { createEngine, type Engine } from './engine';
import { decodeJson } from './store/payloads';
import type { Flow } from '../shared/flow/schema';

const RUNS = 30;
const BODY_BYTES = 200 * 1024;

let dir: string;
let engine: Engine | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'millrace-payload-once-'));
});
afterEach(async () => {
  await engine?.close();
  engine = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const flow: Flow = {
  schemaVersion: 1,
  id: 'big',
  name: 'Big inputs',
  nodes: [
    { id: 't', type: 'manual-trigger@1', name: 'Start', position: { x: 0, y: 0 }, config: {} },
    { id: 'a', type: 'set-fields@1', name: 'Stage', position: { x: 200, y: 0 }, config: { keepInput: true, fields: [{ name: 'stage', value: 'triaged' }] } },
    { id: 'b', type: 'set-fields@1', name: 'Copy', position: { x: 400, y: 0 }, config: { fields: [{ name: 'id', value: '{{ id }}' }, { name: 'body', value: '{{ body }}' }] } },
  ],
  edges: [
    { id: 'e1', source: 't', sourcePort: 'out', target: 'a', targetPort: 'in' },
    { id: 'e2', source: 'a', sourcePort: 'out', target: 'b', targetPort: 'in' },
  ],
};

/** Base64 of random bytes: incompressible, so sizes say what is stored. */
const bodyOf = () => randomBytes((BODY_BYTES * 3) / 4).toString('base64');

function sizes(file: string) {
  const db = new Database(file, { readonly: true });
  try {
    const load = (h: string) => (db.prepare(`SELECT body FROM payloads WHERE hash = ?`).get(h) as { body: string } | undefined)?.body;
    const cols = [
      ...(db.prepare(`SELECT input AS t FROM runs`).all() as { t: string | null }[]),
      ...(db.prepare(`SELECT input AS t FROM node_runs UNION ALL SELECT outputs FROM node_runs UNION ALL SELECT output FROM node_runs`).all() as { t: string | null }[]),
      ...(db.prepare(`SELECT output AS t FROM steps`).all() as { t: string | null }[]),
    ].map((r) => r.t).filter((t): t is string => t !== null);
    const inline = cols.reduce((n, t) => n + t.length, 0);
    const copying = cols.reduce((n, t) => n + JSON.stringify(decodeJson(t, load)).length, 0);
    const payloadBytes = Number(db.prepare(`SELECT coalesce(sum(bytes), 0) FROM payloads`).pluck().get());
    const payloads = Number(db.prepare(`SELECT count(*) FROM payloads`).pluck().get());
    const pages = Number(db.pragma('page_count', { simple: true })) * Number(db.pragma('page_size', { simple: true }));
    return { stored: inline + payloadBytes, copying, payloads, payloadBytes, pages };
  } finally {
    db.close();
  }
}

describe('a payload is stored once', () => {
  it(`${RUNS} runs with 200 KB inputs store each body once; traces show it whole`, async () => {
    engine = createEngine({ dataDir: dir, seedDemo: false, retention: { maxAgeDays: null, maxRunsPerFlow: null } });
    await engine.saveFlow({ flow });
    const bodies: string[] = [];
    const runIds: string[] = [];
    for (let i = 0; i < RUNS; i++) {
      bodies.push(bodyOf());
      const { runId } = await engine.startRun({ flowId: 'big', input: { id: i, body: bodies[i] } });
      runIds.push(runId);
    }
    for (const id of runIds) expect((await engine.waitForRun(id)).run.status).toBe('succeeded');
    // The same input again is the same payload: nothing new is stored for it.
    const again = await engine.startRun({ flowId: 'big', input: { id: 0, body: bodies[0] } });
    expect((await engine.waitForRun(again.runId)).run.status).toBe('succeeded');

    // Run search still reads large values: the extract puts the payload's text back.
    const marked = await engine.startRun({ flowId: 'big', input: { id: 99, body: `zanzibarquokka ${bodyOf()}` } });
    await engine.waitForRun(marked.runId);
    const found = await engine.listRunHistory({ flowId: 'big', text: 'zanzibarquokka' });
    expect(found.rows.map((r) => r.id)).toEqual([marked.runId]);

    const trace = await engine.getRunTrace({ runId: runIds[7]! });
    expect(trace?.input).toEqual({ id: 7, body: bodies[7] });
    expect(trace?.nodes['a']?.output).toEqual({ id: 7, body: bodies[7], stage: 'triaged' });
    expect(trace?.nodes['b']?.input).toEqual({ id: 7, body: bodies[7], stage: 'triaged' });
    expect(trace?.nodes['b']?.output).toEqual({ id: 7, body: bodies[7] });
    await engine.close();
    engine = undefined;

    const s = sizes(join(dir, 'millrace.db'));
    const input = (RUNS + 1) * BODY_BYTES;
    console.log(
      `[payload once] ${RUNS + 2} runs, 200 KB bodies: run data ${(s.stored / 2 ** 20).toFixed(1)} MB stored (${s.payloads} payloads); ` +
        `the copying layout stored ${(s.copying / 2 ** 20).toFixed(1)} MB (${(s.copying / input).toFixed(1)}× the inputs); database ${(s.pages / 2 ** 20).toFixed(1)} MB`,
    );
    expect(s.payloads).toBe(RUNS + 1);
    expect(s.stored).toBeLessThan(input * 1.1);
    expect(s.pages).toBeLessThan(input * 1.3);
    // The bound above is one the old layout fails: it held every body at least five times.
    expect(s.copying).toBeGreaterThan(input * 5);
  }, 60_000);

  it('pruning releases payloads; a re-run that reuses nodes of a pruned run keeps what it refers to', async () => {
    engine = createEngine({ dataDir: dir, seedDemo: false, retention: { maxAgeDays: null, maxRunsPerFlow: null } });
    // Re-run from a branch that never sees Stage's output: the re-run's only hold on that output is
    // the copy of Stage it reuses.
    const branched: Flow = {
      ...flow,
      nodes: [
        flow.nodes[0]!,
        // Stage makes a large value of its own (not in the input): only its copy holds it.
        { id: 'a', type: 'set-fields@1', name: 'Stage', position: { x: 200, y: 0 }, config: { fields: [{ name: 'double', value: '{{ body }}{{ body }}' }] } },
        { id: 'c', type: 'set-fields@1', name: 'Id only', position: { x: 200, y: 200 }, config: { fields: [{ name: 'id', value: '{{ id }}' }] } }],
      edges: [flow.edges[0]!, { id: 'e3', source: 't', sourcePort: 'out', target: 'c', targetPort: 'in' }],
    };
    await engine.saveFlow({ flow: branched });
    const body = bodyOf();
    const first = await engine.startRun({ flowId: 'big', input: { id: 1, body } });
    await engine.waitForRun(first.runId);
    const rerun = await engine.rerun({ runId: first.runId, fromNodeId: 'c' });
    expect((await engine.waitForRun(rerun.runId)).run.status).toBe('succeeded');
    await engine.close();

    // Retention keeps one run per flow: the first run goes, the re-run stays.
    engine = createEngine({ dataDir: dir, seedDemo: false, retention: { maxAgeDays: null, maxRunsPerFlow: 1, intervalMs: 50 } });
    await expect.poll(() => engine!.getRunTrace({ runId: first.runId }).then(() => 'kept', () => 'pruned'), { timeout: 10_000 }).toBe('pruned');
    const kept = await engine.getRunTrace({ runId: rerun.runId });
    expect(kept?.nodes['t']?.output).toEqual({ id: 1, body });
    expect(kept?.nodes['a']?.output).toEqual({ double: body + body });
    expect(kept?.nodes['c']?.output).toEqual({ id: 1 });

    // Deleting the flow deletes its runs, and with them every payload.
    await engine.deleteFlow({ id: 'big' });
    await engine.close();
    engine = undefined;
    const db = new Database(join(dir, 'millrace.db'), { readonly: true });
    try {
      expect(db.prepare(`SELECT count(*) FROM payloads`).pluck().get()).toBe(0);
      expect(db.prepare(`SELECT count(*) FROM payload_refs`).pluck().get()).toBe(0);
    } finally {
      db.close();
    }
  }, 60_000);
});
