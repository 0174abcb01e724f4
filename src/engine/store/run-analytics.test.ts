/**
 * Run history and analytics against a generated journal with known answers. The journal is
 * written through the real RunStore (node upserts fill the fact columns, run finish fills cost and
 * the FTS extract), so these tests cover the write path as well as the queries.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Db } from './database';
import { GroupCommitWriter } from './group-commit';
import { RunStore } from './run-store';
import { RunHistory } from './run-history';
import { RunAnalytics } from './run-analytics';
import { sqliteMigrations } from './migrations';

const N = 1000;
const T0 = 1_700_000_000_000;
const FLOW = 'flow_gen';
const runId = (i: number) => `run_${String(i).padStart(5, '0')}`;
const startOf = (i: number) => T0 + i * 1000;
/** Node "a" takes 1..100 ms, each value ten times over 1,000 runs. */
const durA = (i: number) => (i % 100) + 1;
const bFails = (i: number) => i % 10 === 0;
const bRetried = (i: number) => i % 5 === 0;
const isChange = (i: number) => i % 3 === 0;
const hasNeedle = (i: number) => i % 7 === 0;

let dir: string;
let db: Db;
let history: RunHistory;
let analytics: RunAnalytics;

async function generate(db: Db, store: RunStore) {
  const insertRun = db.prepare(`INSERT INTO runs (id, flow_id, flow_version, flow_name, status, input, created_at) VALUES (?, ?, ?, ?, 'queued', ?, ?)`);
  const finals: Promise<void>[] = [];
  for (let i = 0; i < N; i++) {
    const id = runId(i);
    const t = startOf(i);
    const input = isChange(i)
      ? { source: 'live', schema: 'public', table: 'orders', operation: i % 2 === 0 ? 'update' : 'insert', key: { id: i }, new: { id: i }, old: null }
      : { manual: true };
    insertRun.run(id, FLOW, 1 + (i % 2), 'Generated', JSON.stringify(input), t);
    store.runStarted(id, t);
    store.nodeStarted(id, 'trigger', 'manual-trigger@1', input, 1, t);
    store.nodeSucceeded(id, 'trigger', { out: input }, input, t);
    store.nodeStarted(id, 'a', 'transform@1', input, 1, t);
    store.nodeSucceeded(id, 'a', { out: { text: hasNeedle(i) ? `needle${i} found` : 'plain' } }, { text: hasNeedle(i) ? `needle${i} found` : 'plain' }, t + durA(i));
    const llm = { text: 'ok', data: null, call: { cost: { usd: 0.001, basis: 'price-table' }, usage: { totalTokens: 100 }, cache: { enabled: true, hit: i % 4 === 0, key: null } } };
    store.nodeStarted(id, 'llm', 'llm-call@1', {}, 1, t + 100);
    store.nodeSucceeded(id, 'llm', llm, llm, t + 300);
    store.nodeStarted(id, 'b', 'http-request@1', {}, bRetried(i) ? 2 : 1, t + 300);
    if (bFails(i)) {
      const message = i % 20 === 0 ? 'HTTP 500 from <script>alert(1)</script>' : 'connection refused';
      store.nodeFailed(id, 'b', { message }, t + 310);
      finals.push(store.runFinished(id, 'failed', { message, nodeId: 'b' }, t + 310));
    } else {
      store.nodeSucceeded(id, 'b', { out: 1 }, 1, t + 320);
      finals.push(store.runFinished(id, 'succeeded', null, t + 320));
    }
  }
  await Promise.all(finals);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'millrace-analytics-'));
  db = openDatabase(join(dir, 'millrace.db'));
  const writer = new GroupCommitWriter(db, { walPath: join(dir, 'millrace.db-wal') });
  await generate(db, new RunStore(db, writer));
  writer.stop(new Error('done'));
  history = new RunHistory(db);
  analytics = new RunAnalytics(db);
});
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const all = { flowId: FLOW, from: 0, to: T0 * 2 };

describe('per-node aggregation (known answers)', () => {
  it('counts, percentiles, error rate, retries, cost, tokens and cache hits per node', () => {
    const stats = Object.fromEntries(analytics.nodeStats(all).map((s) => [s.nodeId, s]));
    expect(Object.keys(stats).sort()).toEqual(['a', 'b', 'llm', 'trigger']);
    expect(stats.a).toMatchObject({ runs: N, succeeded: N, failed: 0, errorRate: 0, retries: 0, p50Ms: 50, p95Ms: 95, maxMs: 100, costUsd: null, llmCalls: 0 });
    expect(stats.b).toMatchObject({ runs: N, failed: 100, succeeded: 900, errorRate: 0.1, retries: 200 });
    expect(stats.b!.p50Ms).toBe(20);
    expect(stats.b!.p95Ms).toBe(20);
    expect(stats.llm).toMatchObject({ runs: N, tokens: 100 * N, llmCalls: N, cacheHitRate: 0.25, p50Ms: 200 });
    expect(stats.llm!.costUsd).toBeCloseTo(0.001 * N, 9);
  });

  it('respects the time window (the second half of the runs)', () => {
    const stats = Object.fromEntries(analytics.nodeStats({ flowId: FLOW, from: startOf(500), to: startOf(1000) }).map((s) => [s.nodeId, s]));
    expect(stats.a).toMatchObject({ runs: 500, p50Ms: 50, p95Ms: 95 });
    expect(stats.b).toMatchObject({ runs: 500, failed: 50 });
    const lastTen = Object.fromEntries(analytics.nodeStats({ flowId: FLOW, from: startOf(990), to: startOf(1000) }).map((s) => [s.nodeId, s]));
    // Runs 990..999: node a took 91..100 ms. Nearest rank: p50 = 5th value, p95 = 10th.
    expect(lastTen.a).toMatchObject({ runs: 10, p50Ms: 95, p95Ms: 100 });
  });

  it("lists a node's slowest, costliest and failing runs, and groups its errors by message", () => {
    const slow = analytics.nodeRuns({ ...all, nodeId: 'a', order: 'slowest', limit: 3 });
    expect(slow.map((r) => r.durationMs)).toEqual([100, 100, 100]);
    expect(slow.every((r) => durA(Number(r.runId.slice(4))) === 100)).toBe(true);
    const failing = analytics.nodeRuns({ ...all, nodeId: 'b', order: 'failing', limit: 2 });
    expect(failing.map((r) => r.runId)).toEqual([runId(990), runId(980)]);
    expect(analytics.nodeRuns({ ...all, nodeId: 'llm', order: 'costliest', limit: 1 })[0]?.costUsd).toBe(0.001);
    const groups = analytics.errorGroups({ ...all, nodeId: 'b' });
    expect(groups).toEqual([
      { message: 'connection refused', count: 50, lastAt: startOf(990) + 300, sampleRunId: runId(990) },
      { message: 'HTTP 500 from <script>alert(1)</script>', count: 50, lastAt: startOf(980) + 300, sampleRunId: runId(980) },
    ]);
  });

  it('buckets runs, failures and cost over time', () => {
    const s = analytics.flowSeries({ flowId: FLOW, from: T0, to: startOf(N), buckets: 10 });
    expect(s.runs).toEqual(Array(10).fill(100));
    expect(s.failed).toEqual(Array(10).fill(10));
    expect(s.costUsd[0]).toBeCloseTo(0.1, 9);
    expect(s.t[1]).toBe(T0 + 100_000);
  });

  it('reads only the covering index (no table lookups, no sort)', () => {
    const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ flowId: FLOW, from: 0, to: 1, nodeId: 'a', offset: 0 }) as { detail: string }[]).map((r) => r.detail).join(' | ');
    const agg = plan(`SELECT node_id, count(*), sum(status = 'failed'), sum(attempt - 1), count(duration_ms), sum(cost_usd), sum(tokens), count(cache_hit), sum(cache_hit)
      FROM node_runs WHERE flow_id = @flowId AND started_at >= @from AND started_at < @to AND status <> 'skipped' GROUP BY node_id`);
    expect(agg).toContain('USING COVERING INDEX node_runs_stats');
    expect(agg).not.toContain('TEMP B-TREE');
    const nth = plan(`SELECT duration_ms FROM node_runs WHERE flow_id = @flowId AND node_id = @nodeId AND duration_ms IS NOT NULL AND started_at >= @from AND started_at < @to ORDER BY duration_ms LIMIT 1 OFFSET @offset`);
    expect(nth).toContain('USING COVERING INDEX node_runs_stats');
    expect(nth).not.toContain('TEMP B-TREE');
  });
});

describe('run history (keyset pages, filters, text search)', () => {
  const pages = (q: Omit<Parameters<RunHistory['page']>[0], 'cursor'>) => {
    const rows = [];
    let cursor: string | null | undefined;
    let n = 0;
    do {
      const p = history.page({ ...q, ...(cursor ? { cursor } : {}) });
      rows.push(...p.rows);
      cursor = p.nextCursor;
      n++;
    } while (cursor && n < 100);
    return { rows, pages: n };
  };

  it('pages through every run exactly once, newest first', () => {
    const { rows, pages: n } = pages({ flowId: FLOW, limit: 64 });
    expect(n).toBe(Math.ceil(N / 64));
    expect(rows.map((r) => r.id)).toEqual(Array.from({ length: N }, (_, i) => runId(N - 1 - i)));
  });

  it('keeps runs created in the same millisecond apart across a page boundary', () => {
    const d = openDatabase(join(dir, 'ties.db'));
    const ins = d.prepare(`INSERT INTO runs (id, flow_id, flow_version, flow_name, status, created_at) VALUES (?, 'f', 1, 'F', 'queued', ?)`);
    for (let i = 0; i < 25; i++) ins.run(`t${i}`, i < 20 ? 5 : 9);
    const h = new RunHistory(d);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const p = h.page({ flowId: 'f', limit: 7, ...(cursor ? { cursor } : {}) });
      seen.push(...p.rows.map((r) => r.id));
      cursor = p.nextCursor;
    } while (cursor);
    d.close();
    expect(seen.length).toBe(25);
    expect(new Set(seen).size).toBe(25);
    expect(seen.slice(0, 5).sort()).toEqual(['t20', 't21', 't22', 't23', 't24']);
  });

  it('says what started each run: a change (table, operation, key) or a person', () => {
    const { rows } = pages({ flowId: FLOW, limit: 500 });
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(runId(3))?.origin).toEqual({ kind: 'change', table: 'public.orders', operation: 'insert', key: { id: 3 } });
    expect(byId.get(runId(1))?.origin).toEqual({ kind: 'manual' });
    expect(byId.get(runId(1))?.costUsd).toBeCloseTo(0.001, 9);
  });

  it('filters by status, error, trigger table and operation, version, time, duration and cost', () => {
    const count = (q: Omit<Parameters<RunHistory['page']>[0], 'cursor' | 'flowId'>) => pages({ flowId: FLOW, limit: 200, ...q }).rows.length;
    expect(count({ status: ['failed'] })).toBe(100);
    expect(count({ hasError: true })).toBe(100);
    expect(count({ hasError: false })).toBe(900);
    expect(count({ triggerTable: 'public.orders' })).toBe(334);
    expect(count({ triggerTable: 'public.orders', triggerOp: 'update' })).toBe(167);
    expect(count({ flowVersion: 2 })).toBe(500);
    expect(count({ from: startOf(100), to: startOf(200) })).toBe(100);
    // Failed runs end at +310 ms, succeeded ones at +320 ms.
    expect(count({ minDurationMs: 315 })).toBe(900);
    expect(count({ minCostUsd: 0.0005 })).toBe(N);
    expect(count({ minCostUsd: 0.01 })).toBe(0);
    expect(count({ status: ['failed'], triggerTable: 'public.orders', from: startOf(0), to: startOf(300) })).toBe(10);
  });

  it('searches inputs, outputs and errors with FTS5, treating user text as words, not syntax', () => {
    const ids = (text: string) => pages({ flowId: FLOW, limit: 500, text }).rows.map((r) => r.id);
    expect(ids('needle')).toHaveLength(Math.ceil(N / 7));
    expect(ids('needle994')).toEqual([runId(994)]);
    expect(ids('connection refused')).toHaveLength(50);
    expect(ids('"unbalanced AND (OR')).toEqual([]);
    expect(ids('script alert')).toHaveLength(50);
    expect(pages({ flowId: FLOW, limit: 500, text: 'needle', status: ['failed'] }).rows.map((r) => r.id)).toEqual(
      Array.from({ length: N }, (_, i) => N - 1 - i).filter((i) => hasNeedle(i) && bFails(i)).map(runId),
    );
  });

  it('walks the runs_by_flow index for a page', () => {
    const plan = (db.prepare(`EXPLAIN QUERY PLAN SELECT id FROM runs WHERE flow_id = ? AND created_at <= ? AND (created_at < ? OR seq > ?) ORDER BY created_at DESC, seq ASC LIMIT 10`).all(FLOW, 1, 1, 1) as { detail: string }[])
      .map((r) => r.detail)
      .join(' | ');
    expect(plan).toContain('runs_by_flow');
    expect(plan).not.toContain('TEMP B-TREE');
  });

  it('refuses a cursor it did not make', () => {
    expect(() => history.page({ flowId: FLOW, cursor: "1' OR 1=1" })).toThrow(/cursor/);
  });
});

describe('migration 4 on an existing database', () => {
  it('backfills flow, duration, cost, tokens and cache columns, run cost and the text extract', () => {
    const file = join(dir, 'old.db');
    const old = new Database(file);
    for (const m of sqliteMigrations.slice(0, 3)) old.exec(m);
    old.pragma('user_version = 3');
    old.pragma(`application_id = ${0x4d4c5243}`);
    old.prepare(`INSERT INTO runs (id, flow_id, flow_version, flow_name, status, input, created_at, started_at, finished_at) VALUES ('r1', 'f', 1, 'F', 'succeeded', '{"q":"oldneedle"}', 1, 1, 50)`).run();
    const call = JSON.stringify({ text: 'x', data: null, call: { cost: { usd: 0.25 }, usage: { totalTokens: 42 }, cache: { hit: true } } });
    old.prepare(`INSERT INTO node_runs (run_id, node_id, node_type, status, attempt, outputs, output, started_at, finished_at) VALUES ('r1', 'l', 'llm-call@1', 'succeeded', 2, ?, ?, 10, 40)`).run(call, call);
    old.close();
    const d = openDatabase(file);
    expect(d.prepare(`SELECT flow_id, duration_ms, cost_usd, tokens, cache_hit FROM node_runs`).get()).toEqual({ flow_id: 'f', duration_ms: 30, cost_usd: 0.25, tokens: 42, cache_hit: 1 });
    expect(d.prepare(`SELECT cost_usd FROM runs`).get()).toEqual({ cost_usd: 0.25 });
    expect(new RunHistory(d).page({ flowId: 'f', text: 'oldneedle' }).rows.map((r) => r.id)).toEqual(['r1']);
    expect(new RunAnalytics(d).nodeStats({ flowId: 'f', from: 0, to: 100 })[0]).toMatchObject({ nodeId: 'l', runs: 1, retries: 1, p50Ms: 30, costUsd: 0.25 });
    // Retention deletes runs; their text goes with them.
    d.prepare(`DELETE FROM runs WHERE id = 'r1'`).run();
    expect(d.prepare(`SELECT count(*) AS n FROM run_text WHERE run_text MATCH 'oldneedle'`).get()).toEqual({ n: 0 });
    d.close();
  });
});
