/**
 * bench:sinks — 10,000 runs of Manual trigger → Postgres sink (upsert on the primary key) at
 * concurrency 20 against a throwaway local PostgreSQL 15, fully durable (journal fsynced, the
 * row committed before the effect's result is recorded). Baseline in the same process: the same
 * 10,000 upserts through a raw `pg` Pool at the same concurrency. Target: the sink ≥ 50 % of raw.
 * Postgres runs with fsync on here (unlike the test clusters), so both sides pay for durable commits.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { z } from 'zod';
import { defineNode, NodeRegistry, type AnyNodeDefinition } from '../src/shared/node-kit';
import { allNodeDefinitions } from '../src/nodes';
import { createEngine, type Engine } from '../src/engine/engine';
import type { Flow } from '../src/shared/flow/schema';
import { startTestPostgres, type TestPostgres } from '../src/engine/triggers/pg/postgres-for-tests';
import { percentile, round, saveResults } from './stats';

const N = Number(process.env['BENCH_RUNS'] ?? 10_000);
const CONCURRENCY = 20;

/** The engine's floor: the same run shape with an effect that does nothing (where the sink's own cost starts). */
const noopEffect = defineNode({
  type: 'bench.noop-effect', version: 1, title: 'No-op effect', description: '', category: 'sink', config: z.object({}),
  inputs: { in: { type: 'any' } }, outputs: { out: { type: 'any' } }, ui: {}, exportCode: () => '',
  async execute(ctx) {
    return { out: await ctx.step.effect('write', (info) => ({ idempotencyKey: info.idempotencyKey })) };
  },
});
const registry = new NodeRegistry([...allNodeDefinitions, noopEffect] as AnyNodeDefinition[]);

async function rawBaseline(db: TestPostgres): Promise<{ perSec: number; p50Ms: number }> {
  const pool = new pg.Pool({ host: db.host, port: db.port, user: db.user, database: db.database, max: CONCURRENCY });
  let next = 0;
  const lat: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < N) {
        const i = next++;
        const s = performance.now();
        await pool.query(`INSERT INTO "public"."raw_rows" ("id", "note") VALUES ($1, $2) ON CONFLICT ("id") DO UPDATE SET "note" = EXCLUDED."note"`, [i, `ticket ${i}`]);
        lat.push(performance.now() - s);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  await pool.end();
  lat.sort((a, b) => a - b);
  return { perSec: round(N / seconds), p50Ms: round(percentile(lat, 50), 2) };
}

async function sinkRuns(engine: Engine, flowId = 'bench-sink'): Promise<{ perSec: number; p50Ms: number; fsyncsPerRun: number; cpuUsPerRun: number }> {
  const done = new Map<string, () => void>();
  const off = engine.onRunEvent((e) => {
    if (e.type === 'run.finished') {
      if (e.status !== 'succeeded') throw new Error(`bench run failed: ${JSON.stringify(e.error)}`);
      done.get(e.runId)?.();
    }
  });
  let next = 0;
  const lat: number[] = [];
  const journal0 = engine.journalStats();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < N) {
        const i = next++;
        const s = performance.now();
        await new Promise<void>((resolve) => {
          void engine.startRun({ flowId, input: { id: i, note: `ticket ${i}` } }).then(({ runId }) => done.set(runId, resolve));
        });
        lat.push(performance.now() - s);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  // Where a run's time goes besides the target: journal fsyncs (each one a wait every run in the
  // batch shares) and this process's CPU (user + system, all threads).
  const cpu = process.cpuUsage(cpu0);
  const fsyncs = engine.journalStats().fsyncs - journal0.fsyncs;
  off();
  lat.sort((a, b) => a - b);
  return { perSec: round(N / seconds), p50Ms: round(percentile(lat, 50), 2), fsyncsPerRun: round(fsyncs / N, 3), cpuUsPerRun: round((cpu.user + cpu.system) / N) };
}

async function main() {
  // A durable Postgres (the test clusters run with fsync off): raw and sink commits cost the same fsync.
  const db = await startTestPostgres({ settings: { fsync: 'on', full_page_writes: 'on', synchronous_commit: 'on' } });
  const dir = mkdtempSync(join(tmpdir(), 'millrace-bench-sinks-'));
  try {
    await db.query(`CREATE TABLE sink_rows (id int PRIMARY KEY, note text NOT NULL)`);
    await db.query(`CREATE TABLE raw_rows (id int PRIMARY KEY, note text NOT NULL)`);
    console.log(`bench:sinks — ${N} runs, concurrency ${CONCURRENCY}, PostgreSQL on 127.0.0.1:${db.port}, journal ${dir}`);
    const raw = await rawBaseline(db);
    console.log(`raw pg upserts: ${raw.perSec}/s (p50 ${raw.p50Ms} ms)`);
    const engine = createEngine({ registry, dataDir: dir, seedDemo: false, concurrency: CONCURRENCY, retention: { maxAgeDays: null, maxRunsPerFlow: null } });
    const flow: Flow = {
      schemaVersion: 1,
      id: 'bench-sink',
      name: 'Bench sink',
      nodes: [
        { id: 't', type: 'manual-trigger@1', name: 'Start', position: { x: 0, y: 0 }, config: {} },
        {
          id: 'sink', type: 'postgres-sink@1', name: 'Rows', position: { x: 200, y: 0 },
          config: { host: db.host, port: db.port, user: db.user, database: db.database, table: 'public.sink_rows', mode: 'upsert', keyColumns: 'id', columns: [{ name: 'id', value: '{{ id }}' }, { name: 'note', value: '{{ note }}' }] },
        },
      ],
      edges: [{ id: 'e', source: 't', sourcePort: 'out', target: 'sink', targetPort: 'in' }],
    };
    await engine.saveFlow({ flow });
    await engine.saveFlow({
      flow: { ...flow, id: 'bench-floor', name: 'Bench floor', nodes: [flow.nodes[0]!, { id: 'sink', type: 'bench.noop-effect@1', name: 'No-op', position: { x: 200, y: 0 }, config: {} }] },
    });
    const floor = await sinkRuns(engine, 'bench-floor');
    console.log(`engine floor (same flow, no-op effect): ${floor.perSec} runs/s (p50 ${floor.p50Ms} ms; ${floor.fsyncsPerRun} journal fsyncs and ${floor.cpuUsPerRun} µs CPU per run)`);
    const sink = await sinkRuns(engine);
    await engine.close();
    const rows = Number((await db.query(`SELECT count(*) AS n FROM sink_rows`)).rows[0]?.['n']);
    if (rows !== N) throw new Error(`the sink table has ${rows} rows, expected ${N}`);
    console.log(`Postgres sink runs: ${sink.perSec}/s (p50 ${sink.p50Ms} ms per run; ${sink.fsyncsPerRun} journal fsyncs and ${sink.cpuUsPerRun} µs CPU per run); ${rows} rows, checked with SQL`);
    const ratio = round(sink.perSec / raw.perSec, 2);
    console.log(`sink / raw = ${ratio} (target ≥ 0.5)`);
    saveResults('sinks', { pgSinkPerSec: sink.perSec, pgRawPerSec: raw.perSec, ratio, engineFloorPerSec: floor.perSec, loadAvg1m: round((await import('node:os')).loadavg()[0]!, 1), runs: N, concurrency: CONCURRENCY, sinkP50Ms: sink.p50Ms, rawP50Ms: raw.p50Ms, floorP50Ms: floor.p50Ms, fsyncsPerRun: { floor: floor.fsyncsPerRun, sink: sink.fsyncsPerRun }, cpuUsPerRun: { floor: floor.cpuUsPerRun, sink: sink.cpuUsPerRun } });
  } finally {
    await db.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
