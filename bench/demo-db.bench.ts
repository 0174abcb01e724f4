/**
 * bench:demo-db — how long the demo database takes to come up, system vs embedded binaries:
 *   first start   initdb (synced) + pg_ctl start + password + CREATE DATABASE millrace_demo
 *   warm start    stop (fast) then start on an existing cluster, fresh port
 *   stop          pg_ctl stop -m fast, waits for the clean shutdown
 * Baseline, same run: the test helper's throwaway cluster (startTestPostgres: initdb --no-sync,
 * fsync off, no database created), the raw cost of initdb + start on this machine.
 * Medians of ROUNDS rounds (fresh folders for first starts), interleaved system/embedded.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DemoPostgres } from '../src/engine/demo/demo-postgres';
import { findEmbeddedBinDir } from '../src/engine/demo/pg-binaries';
import { startTestPostgres } from '../src/engine/triggers/pg/postgres-for-tests';
import { round, saveResults } from './stats';

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);
const WARM = 3;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const r = await fn();
  return [r, performance.now() - t];
}

const work = mkdtempSync(join(tmpdir(), 'millrace-bench-demo-db-'));
const sources: ('system' | 'embedded')[] = (await findEmbeddedBinDir()) ? ['system', 'embedded'] : ['system'];
const samples: Record<string, { first: number[]; warm: number[]; stop: number[] }> = {};
const baseline: number[] = [];
try {
  for (let round_ = 0; round_ < ROUNDS; round_++) {
    const [pg, ms] = await timed(() => startTestPostgres());
    baseline.push(ms);
    await pg.stop();
    for (const source of sources) {
      const s = (samples[source] ??= { first: [], warm: [], stop: [] });
      const demo = new DemoPostgres({ dir: join(work, `${source}-${round_}`, 'demo-postgres'), prefer: source });
      s.first.push((await timed(() => demo.start()))[1]);
      for (let i = 0; i < WARM; i++) {
        s.stop.push((await timed(() => demo.stop()))[1]);
        s.warm.push((await timed(() => demo.start()))[1]);
      }
      await demo.stop();
    }
  }
  const m = (source: string, k: 'first' | 'warm' | 'stop') => round(median(samples[source]?.[k] ?? []), 0);
  const summary = {
    systemFirstStartMs: m('system', 'first'),
    systemWarmStartMs: m('system', 'warm'),
    embeddedFirstStartMs: m('embedded', 'first'),
    embeddedWarmStartMs: m('embedded', 'warm'),
    baselineTestClusterMs: round(median(baseline), 0),
  };
  saveResults('demo-db', {
    machine: { cpus: cpus().length, node: process.version },
    rounds: ROUNDS,
    warmStartsPerRound: WARM,
    stopMs: Object.fromEntries(sources.map((s) => [s, m(s, 'stop')])),
    samplesMs: Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, { first: v.first.map((x) => round(x, 0)), warm: v.warm.map((x) => round(x, 0)) }])),
    baselineSamplesMs: baseline.map((x) => round(x, 0)),
    ...summary,
  });
  console.log(JSON.stringify(summary));
} finally {
  rmSync(work, { recursive: true, force: true });
}
