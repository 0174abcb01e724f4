/**
 * bench:export — the same 4-node flow (manual trigger → set fields → HTTP call to a loopback fake
 * LLM → if), at concurrency 20:
 *   engine       the flow JSON run on the embedded engine (a child process)
 *   standalone   the exported flow.ts (`npx tsx flow.ts --repeat N`), a child process
 *   dbos 1 / 2   the flow exported with --target dbos, 1 then 2 worker processes (workerConcurrency 20
 *                each) against a throwaway Postgres 15; a driver process enqueues N runs and waits
 * Rounds alternate engine/standalone; the median of the rounds is reported.
 * Targets (issue 15): standalone ≥ 90 % of the engine; 2 DBOS workers ≥ 1.6× one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Flow } from '../src/shared/flow/schema';
import { buildProject } from '../src/engine/codegen/project';
import { materialize, repoRoot, runNode } from '../src/engine/codegen/testing/project-harness';
import { startTestPostgres } from '../src/engine/triggers/pg/postgres-for-tests';
import { startFakeLlm } from './fake-llm-server';
import { round, saveResults } from './stats';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 600);
const DBOS_RUNS = Number(process.env['BENCH_DBOS_RUNS'] ?? 300);
const ROUNDS = 3;
const CONCURRENCY = 20;

function flowFor(url: string): Flow {
  return {
    schemaVersion: 1,
    id: 'bench-export',
    name: 'Bench export',
    nodes: [
      { id: 'start', type: 'manual-trigger@1', name: 'Start', position: { x: 0, y: 0 }, config: { payload: '{}' } },
      { id: 'shape', type: 'set-fields@1', name: 'Shape', position: { x: 200, y: 0 }, config: { fields: [{ name: 'who', value: '{{ customer }}' }, { name: 'amount', value: '{{ amount }}' }] } },
      { id: 'ask', type: 'http-request@1', name: 'Ask the model', position: { x: 400, y: 0 }, config: { method: 'POST', url, body: '{{ $json }}' } },
      { id: 'check', type: 'if@1', name: 'Answered?', position: { x: 600, y: 0 }, config: { left: '{{ status }}', operator: 'equals', right: '200' } },
    ],
    edges: [
      { id: 'e1', source: 'start', sourcePort: 'out', target: 'shape', targetPort: 'in' },
      { id: 'e2', source: 'shape', sourcePort: 'out', target: 'ask', targetPort: 'in' },
      { id: 'e3', source: 'ask', sourcePort: 'out', target: 'check', targetPort: 'in' },
    ],
  };
}

interface Throughput {
  runs: number;
  succeeded: number;
  seconds: number;
  runsPerSec: number;
}

async function measure(script: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Throughput> {
  const r = await runNode(script, args, cwd, { timeoutMs: 600_000, env });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  try {
    const t = JSON.parse(last) as Throughput;
    if (t.succeeded !== t.runs) throw new Error(`${t.runs - t.succeeded} runs did not succeed`);
    return t;
  } catch (e) {
    throw new Error(`${args.join(' ')}: ${(e as Error).message}\n${r.stdout}\n${r.stderr}`);
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function startWorker(dir: string, id: string, env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'flow.ts', '--worker', '--executor-id', id, '--concurrency', String(CONCURRENCY)], { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (c: Buffer) => {
      out += c.toString();
      if (out.includes(' ready (queue ')) resolve(child);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`worker ${id} exited with ${code}:\n${out}`)));
  });
}

async function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

const llm = await startFakeLlm();
const work = mkdtempSync(join(tmpdir(), 'millrace-bench-export-'));
const pg = await startTestPostgres();
try {
  const flow = flowFor(llm.url);
  const flowFile = join(work, 'flow.json');
  writeFileSync(flowFile, JSON.stringify(flow));
  const standaloneDir = materialize(buildProject(flow), mkdtempSync(join(work, 's-')));
  const input = JSON.stringify({ customer: 'Ada', amount: 1250 });
  const engineRounds: number[] = [];
  const standaloneRounds: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    engineRounds.push((await measure(join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs'), [join(repoRoot, 'bench', 'export-engine-run.ts'), flowFile, String(RUNS), String(CONCURRENCY)], repoRoot)).runsPerSec);
    standaloneRounds.push(
      (await measure(join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs'), ['flow.ts', '--repeat', String(RUNS), '--concurrency', String(CONCURRENCY), '--input', input], standaloneDir)).runsPerSec,
    );
    console.error(`round ${i + 1}: engine ${round(engineRounds[i]!)} runs/s, standalone ${round(standaloneRounds[i]!)} runs/s`);
  }

  const dbosDir = materialize(buildProject(flow, { target: 'dbos' }), mkdtempSync(join(work, 'd-')));
  const env = { DBOS_SYSTEM_DATABASE_URL: pg.connectionString('postgres', 'millrace_bench') };
  const tsx = join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const driver = (n: number) => measure(tsx, ['flow.ts', '--repeat', String(n), '--input', input, '--executor-id', 'driver'], dbosDir, env);
  // The first worker creates the system database and the queue; a short warm-up run follows.
  const w1 = await startWorker(dbosDir, 'w1', env);
  await driver(20);
  const one: number[] = [];
  for (let i = 0; i < ROUNDS; i++) one.push((await driver(DBOS_RUNS)).runsPerSec);
  const w2 = await startWorker(dbosDir, 'w2', env).catch(async (e: unknown) => {
    await stopWorker(w1);
    throw e;
  });
  const two: number[] = [];
  for (let i = 0; i < ROUNDS; i++) two.push((await driver(DBOS_RUNS)).runsPerSec);
  await Promise.all([stopWorker(w1), stopWorker(w2)]);
  console.error(`dbos: 1 worker ${one.map((x) => round(x)).join(', ')} runs/s; 2 workers ${two.map((x) => round(x)).join(', ')} runs/s`);

  const engineRunsPerSec = round(median(engineRounds));
  const standaloneRunsPerSec = round(median(standaloneRounds));
  const dbos1WorkerRunsPerSec = round(median(one));
  const dbos2WorkersRunsPerSec = round(median(two));
  saveResults('export', {
    machine: { cpus: cpus().length, node: process.version },
    flow: '4 nodes: manual trigger → set fields → HTTP POST to a loopback fake LLM → if',
    concurrency: CONCURRENCY,
    runs: { engine: RUNS, standalone: RUNS, dbos: DBOS_RUNS },
    rounds: { engine: engineRounds.map((x) => round(x)), standalone: standaloneRounds.map((x) => round(x)), dbos1Worker: one.map((x) => round(x)), dbos2Workers: two.map((x) => round(x)) },
    standaloneVsEngine: round(standaloneRunsPerSec / engineRunsPerSec, 2),
    dbos2Vs1: round(dbos2WorkersRunsPerSec / dbos1WorkerRunsPerSec, 2),
    engineRunsPerSec,
    standaloneRunsPerSec,
    dbos1WorkerRunsPerSec,
    dbos2WorkersRunsPerSec,
  });
  console.log(JSON.stringify({ engineRunsPerSec, standaloneRunsPerSec, dbos1WorkerRunsPerSec, dbos2WorkersRunsPerSec }));
} finally {
  await llm.close();
  await pg.stop();
  rmSync(work, { recursive: true, force: true });
}
