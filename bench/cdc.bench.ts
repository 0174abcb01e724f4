/**
 * bench:cdc — the Postgres change trigger's ingest rate (source changes → durable runs enqueued,
 * fsynced, confirmed to Postgres) for 100,000 single-row commits and for one 100,000-row
 * transaction, against the raw receive rate of pg-logical-replication alone (pgoutput, ack per
 * commit) on the same WAL in the same run; then commit-to-run-start latency over 1,000 single-row
 * commits at a steady rate.
 *
 * Both consumers read the same backlog: the workload is written while both slots exist but nobody
 * streams, then each consumer drains it. That measures what the consumer can do, not how fast the
 * writer is. The flow is the trigger alone (a no-op run); runs execute while ingest goes on.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogicalReplicationService, PgoutputPlugin } from 'pg-logical-replication';
import { createEngine, type Engine } from '../src/engine/engine';
import { startTestPostgres, type TestPostgres } from '../src/engine/triggers/pg/postgres-for-tests';
import type { Flow } from '../src/shared/flow/schema';
import { percentile, round, rssSampler, saveResults } from './stats';

const N = Number(process.env['BENCH_CHANGES'] ?? 100_000);
const LATENCY_COMMITS = Number(process.env['BENCH_LATENCY_COMMITS'] ?? 1_000);
const LATENCY_RATE = Number(process.env['BENCH_LATENCY_RATE'] ?? 500);

function flowFor(pg: TestPostgres): Flow {
  return {
    schemaVersion: 1,
    id: 'cdc-bench',
    name: 'CDC bench',
    nodes: [{ id: 'pg', type: 'postgres-change@1', name: 'Rows', position: { x: 0, y: 0 }, config: { host: pg.host, port: pg.port, tables: 'public.bench_rows' } }],
    edges: [],
  };
}

/** The library alone: pgoutput, manual ack of each commit's end LSN, counting row messages. */
async function rawReceive(pg: TestPostgres, expected: number): Promise<number> {
  const service = new LogicalReplicationService(
    { host: pg.host, port: pg.port, user: pg.user, database: pg.database },
    { acknowledge: { auto: false, timeoutSeconds: 0 } },
  );
  const plugin = new PgoutputPlugin({ protoVersion: 1, publicationNames: ['bench_raw'] });
  let seen = 0;
  let t0 = 0;
  const done = new Promise<number>((resolve) => {
    service.on('data', (lsn: string, m: { tag: string; commitEndLsn?: string | null }) => {
      if (t0 === 0) t0 = performance.now();
      if (m.tag === 'insert') seen++;
      else if (m.tag === 'commit') {
        void service.acknowledge(lsn);
        if (seen >= expected) resolve(performance.now() - t0);
      }
    });
  });
  service.on('error', () => undefined);
  void service.subscribe(plugin, 'bench_raw').catch(() => undefined);
  const ms = await done;
  await service.stop();
  return expected / (ms / 1000);
}

/**
 * Millrace: activate the (backlogged) trigger and time from "streaming" (the raw baseline's clock
 * also starts at its first message) until every change is a durable run.
 */
async function millraceIngest(engine: Engine, expected: number): Promise<number> {
  await engine.activateFlow({ id: 'cdc-bench' });
  let t0 = 0;
  for (;;) {
    const [s] = await engine.getTriggerStatus({ flowId: 'cdc-bench' });
    if (t0 === 0 && s?.state === 'streaming') t0 = performance.now();
    if ((s?.changes ?? 0) >= expected) break;
    if (s?.state === 'error' || s?.state === 'slot_lost') throw new Error(`trigger failed: ${s.message}`);
    await new Promise((r) => setTimeout(r, 2));
  }
  const ms = performance.now() - t0;
  await engine.deactivateFlow({ id: 'cdc-bench', dropSlot: false });
  return expected / (ms / 1000);
}

/**
 * Commit-to-run-start: the trigger streams live; single-row commits at a steady rate, each timed
 * from just before its INSERT is sent to the run.started event of its run (so it includes the
 * INSERT's own round trip and commit).
 */
async function measureLatency(engine: Engine, pg: TestPostgres, firstId: number) {
  await engine.activateFlow({ id: 'cdc-bench' });
  // Steady state: the first commits must not wait for the replication connection to open.
  while ((await engine.getTriggerStatus({ flowId: 'cdc-bench' }))[0]?.state !== 'streaming') await new Promise((r) => setTimeout(r, 5));
  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  const off = engine.onRunEvent((e) => {
    if (e.type !== 'run.started') return;
    const id = Number((e.input as { new?: { id?: unknown } } | null)?.new?.id);
    const t = sentAt.get(id);
    if (t !== undefined) latencies.push(performance.now() - t);
  });
  const client = await pg.client();
  // Warm-up: right after activation the server re-reads WAL from the slot's restart point (after
  // the load, that includes the 100,000-row transaction) before it reaches new commits. Measure the
  // steady state: wait until one fresh commit has come through.
  const warmUp = new Promise<void>((resolve) => {
    const offWarm = engine.onRunEvent((e) => {
      if (e.type === 'run.started' && (e.input as { new?: { id?: unknown } } | null)?.new?.id === warmUpId) {
        offWarm();
        resolve();
      }
    });
  });
  const warmUpId = -firstId;
  const warmStart = performance.now();
  await client.query(`INSERT INTO bench_rows VALUES ($1, 0)`, [warmUpId]);
  await warmUp;
  const catchUpMs = round(performance.now() - warmStart, 1);
  const interval = 1000 / LATENCY_RATE;
  const start = performance.now();
  for (let i = 0; i < LATENCY_COMMITS; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    sentAt.set(firstId + i, performance.now());
    await client.query(`INSERT INTO bench_rows VALUES ($1, 0)`, [firstId + i]);
  }
  await client.end();
  const deadline = Date.now() + 30_000;
  while (latencies.length < LATENCY_COMMITS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  off();
  await engine.deactivateFlow({ id: 'cdc-bench', dropSlot: false });
  latencies.sort((a, b) => a - b);
  return {
    commits: LATENCY_COMMITS,
    ratePerSec: LATENCY_RATE,
    received: latencies.length,
    p50Ms: round(percentile(latencies, 50), 2),
    p99Ms: round(percentile(latencies, 99), 2),
    maxMs: round(latencies[latencies.length - 1] ?? NaN, 2),
    /** First change after activation (the server catching up from the slot's restart point). */
    catchUpMs,
  };
}

async function waitIdle(engine: Engine) {
  for (;;) {
    const c = engine.runCounts();
    if ((c['queued'] ?? 0) + (c['running'] ?? 0) === 0) return;
    // runCounts() scans the runs table: poll slowly so the bench does not measure itself.
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function main() {
  const pg = await startTestPostgres({ settings: { max_wal_size: '4GB', checkpoint_timeout: '30min' } });
  const dataDir = mkdtempSync(join(tmpdir(), 'millrace-bench-cdc-'));
  const rss = rssSampler();
  const engine = createEngine({ dataDir, seedDemo: false, concurrency: Number(process.env['BENCH_CONCURRENCY'] ?? 20), retention: { maxAgeDays: null, maxRunsPerFlow: null } });
  try {
    await pg.query(`CREATE TABLE bench_rows (id int PRIMARY KEY, v int NOT NULL)`);
    await engine.saveFlow({ flow: flowFor(pg) });
    // Latency first on a fresh journal, again at the end after 200,000 runs (both reported).
    // measureLatency leaves Millrace's slot in place, not streaming.
    const latency = await measureLatency(engine, pg, 3 * N + 1);
    console.log(`latency (fresh journal): p50 ${latency.p50Ms} ms, p99 ${latency.p99Ms} ms`);
    // The raw slot starts here: both slots now collect the same backlog.
    await pg.query(`CREATE PUBLICATION bench_raw FOR TABLE bench_rows`);
    await pg.query(`SELECT pg_create_logical_replication_slot('bench_raw', 'pgoutput')`);

    console.log(`writing ${N} single-row commits…`);
    await pg.query(`DO $$ BEGIN FOR i IN 1..${N} LOOP INSERT INTO bench_rows VALUES (i, 0); COMMIT; END LOOP; END $$`);
    const rawSingle = await rawReceive(pg, N);
    console.log(`raw library, single-row commits: ${Math.round(rawSingle)} changes/s`);
    const single = await millraceIngest(engine, N);
    console.log(`Millrace, single-row commits: ${Math.round(single)} changes/s (${round((100 * single) / rawSingle)}% of raw)`);
    await waitIdle(engine);

    console.log(`writing one ${N}-row transaction…`);
    await pg.query(`INSERT INTO bench_rows SELECT g, 0 FROM generate_series(${N + 1}, ${2 * N}) g`);
    const rawBulk = await rawReceive(pg, N);
    console.log(`raw library, one big transaction: ${Math.round(rawBulk)} changes/s`);
    const bulk = await millraceIngest(engine, N);
    console.log(`Millrace, one big transaction: ${Math.round(bulk)} changes/s (${round((100 * bulk) / rawBulk)}% of raw)`);
    await waitIdle(engine);

    const latencyAfterLoad = await measureLatency(engine, pg, 2 * N + 1 + LATENCY_COMMITS);
    console.log(`latency (after ${2 * N} runs): p50 ${latencyAfterLoad.p50Ms} ms, p99 ${latencyAfterLoad.p99Ms} ms`);
    await engine.deactivateFlow({ id: 'cdc-bench', dropSlot: true });

    const results = {
      changes: N,
      singleRowCommits: { changesPerSec: Math.round(single), rawPerSec: Math.round(rawSingle), percentOfRaw: round((100 * single) / rawSingle) },
      bulkTransaction: { changesPerSec: Math.round(bulk), rawPerSec: Math.round(rawBulk), percentOfRaw: round((100 * bulk) / rawBulk) },
      latency,
      latencyAfterLoad,
      targets: { singleRowPerSec: 20_000, bulkPerSec: 50_000, percentOfRaw: 50, p99Ms: 20 },
      peakRssMb: rss.peakMb(),
      journal: engine.journalStats(),
    };
    rss.stop();
    await engine.close();
    saveResults('cdc', results);
  } finally {
    await engine.close();
    await pg.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
