/**
 * Where a run's latency goes at concurrency 1 (bench:engine's p50 target is 3 ms): the same flow as
 * bench:engine (trigger → set fields → HTTP POST to a local server → write file), fully durable,
 * one run at a time, each run cut into phases from its own trace and events:
 *   ack          startRun called → resolved (the run's creation is fsynced)
 *   claim        resolved → run.started (the scheduler claims only durable runs)
 *   node <id>    each node's started → finished (effects wait for their durable "started" marker)
 *   gaps         between nodes (the runner's own work: journaling, events)
 *   finish       last node finished → run.finished (the final status is fsynced first)
 * Baseline in the same run: one SQLite transaction with synchronous=FULL (commit + WAL fsync) on
 * the same disk, and one HTTP round trip to the same server.
 * Prints one JSON object as the last line; saves bench/results/engine-profile.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createEngine } from '../src/engine/engine';
import type { Flow } from '../src/shared/flow/schema';
import { percentile, round } from './stats';

const N = Number(process.env['BENCH_RUNS'] ?? 400);
const root = mkdtempSync(join(tmpdir(), 'millrace-bench-profile-'));

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"choices":[{"message":{"content":"ok"}}]}'));
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat/completions`;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return round(percentile(s, 50), 3);
}

// Baselines: a durable SQLite commit, an HTTP round trip.
const base = new Database(join(root, 'baseline.db'));
base.pragma('journal_mode = WAL');
base.pragma('synchronous = FULL');
base.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
const ins = base.prepare('INSERT INTO t (v) VALUES (?)');
const commits: number[] = [];
for (let i = 0; i < 300; i++) {
  const t = performance.now();
  ins.run('x'.repeat(200));
  commits.push(performance.now() - t);
}
base.close();
const trips: number[] = [];
for (let i = 0; i < 300; i++) {
  const t = performance.now();
  await fetch(url, { method: 'POST', body: '{}' }).then((r) => r.text());
  trips.push(performance.now() - t);
}

const flow: Flow = {
  schemaVersion: 1,
  id: 'profile',
  name: 'Profile',
  nodes: [
    { id: 't', type: 'manual-trigger@1', name: 'Ticket', position: { x: 0, y: 0 }, config: {} },
    { id: 's', type: 'set-fields@1', name: 'Prompt', position: { x: 200, y: 0 }, config: { fields: [{ name: 'prompt', value: 'Classify: {{ text }}' }] } },
    { id: 'llm', type: 'http-request@1', name: 'LLM', position: { x: 400, y: 0 }, config: { method: 'POST', url, body: '{"q":"{{ prompt }}"}' } },
    { id: 'sink', type: 'write-file@1', name: 'Sink', position: { x: 600, y: 0 }, config: { path: 'profile.jsonl', line: '{{ body.choices[0].message.content }}' } },
  ],
  edges: [
    { id: 'e1', source: 't', sourcePort: 'out', target: 's', targetPort: 'in' },
    { id: 'e2', source: 's', sourcePort: 'out', target: 'llm', targetPort: 'in' },
    { id: 'e3', source: 'llm', sourcePort: 'out', target: 'sink', targetPort: 'in' },
  ],
};

mkdirSync(join(root, 'engine'));
const engine = createEngine({ dataDir: join(root, 'engine'), seedDemo: false, retention: { maxAgeDays: null, maxRunsPerFlow: null } });
await engine.saveFlow({ flow });
const phases: Record<string, number[]> = { total: [], ack: [], claim: [], 'node t': [], 'node s': [], 'node llm': [], 'node sink': [], gaps: [], finish: [] };
const fsyncsBefore = engine.journalStats().fsyncs;
for (let i = 0; i < N; i++) {
  const times: Record<string, number> = {};
  let resolveFinished!: () => void;
  const finished = new Promise<void>((r) => (resolveFinished = r));
  let runId = '';
  const off = engine.onRunEvent((e) => {
    if (e.runId !== runId && runId !== '') return;
    if (e.type === 'run.started') times['started'] = performance.now();
    if (e.type === 'node.started') times[`${e.nodeId}:start`] = performance.now();
    if (e.type === 'node.succeeded') times[`${e.nodeId}:end`] = performance.now();
    if (e.type === 'run.finished') {
      times['finished'] = performance.now();
      resolveFinished();
    }
  });
  const t0 = performance.now();
  const started = engine.startRun({ flowId: 'profile', input: { text: `ticket ${i}` } });
  runId = (await started).runId;
  const acked = performance.now();
  await finished;
  off();
  if (i < 20) continue; // warm-up
  phases['total']!.push(times['finished']! - t0);
  phases['ack']!.push(acked - t0);
  phases['claim']!.push(times['started']! - acked);
  let gap = 0;
  let prev = times['started']!;
  for (const id of ['t', 's', 'llm', 'sink']) {
    phases[`node ${id}`]!.push(times[`${id}:end`]! - times[`${id}:start`]!);
    gap += times[`${id}:start`]! - prev;
    prev = times[`${id}:end`]!;
  }
  phases['gaps']!.push(gap);
  phases['finish']!.push(times['finished']! - prev);
}
const fsyncsPerRun = round((engine.journalStats().fsyncs - fsyncsBefore) / N, 2);
await engine.close();
server.close();
rmSync(root, { recursive: true, force: true });

const medians = Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, median(v)]));
const result = {
  runs: N - 20,
  phasesP50Ms: medians,
  fsyncsPerRun,
  baseline: { durableSqliteCommitP50Ms: median(commits), httpRoundTripP50Ms: median(trips) },
};
console.log('Where a run goes at concurrency 1 (p50 per phase, ms):');
for (const [k, v] of Object.entries(medians)) console.log(`  ${k.padEnd(10)} ${v}`);
console.log(`baseline: durable SQLite commit ${result.baseline.durableSqliteCommitP50Ms} ms, HTTP round trip ${result.baseline.httpRoundTripP50Ms} ms; WAL fsyncs per run ${fsyncsPerRun}`);
mkdirSync(join(process.cwd(), 'bench', 'results'), { recursive: true });
writeFileSync(join(process.cwd(), 'bench', 'results', 'engine-profile.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify({ c1P50Ms: medians['total'], ackP50Ms: medians['ack'], claimP50Ms: medians['claim'], finishP50Ms: medians['finish'], fsyncsPerRun, durableCommitP50Ms: result.baseline.durableSqliteCommitP50Ms, httpRoundTripP50Ms: result.baseline.httpRoundTripP50Ms }));
