/**
 * Crash harness: runs the crash worker as a real process, SIGKILLs it at random moments, restarts
 * it, and finally lets it finish. Then audits the journal and the sink from the outside.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

export interface CrashReport {
  runs: number;
  kills: number;
  lost: number;
  stuck: number;
  wrongState: number;
  effects: number;
  runsWithoutEffect: number;
  runsWithDuplicateEffect: number;
  rawAttempts: number;
  rawDuplicateAttempts: number;
  seconds: number;
}

const worker = join(dirname(fileURLToPath(import.meta.url)), 'crash-worker.ts');

function startWorker(dataDir: string, runs: number, tuning: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', worker], {
    env: { ...process.env, ...tuning, CRASH_DATA_DIR: dataDir, CRASH_RUNS: String(runs) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const listeners: ((line: Record<string, unknown>) => void)[] = [];
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
    let nl;
    while ((nl = out.indexOf('\n')) >= 0) {
      const line = out.slice(0, nl);
      out = out.slice(nl + 1);
      try {
        const msg = JSON.parse(line) as Record<string, unknown>;
        listeners.forEach((l) => l(msg));
      } catch {
        /* not a progress line */
      }
    }
  });
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  return { child, exited, onLine: (l: (line: Record<string, unknown>) => void) => listeners.push(l), stderr: () => err };
}

export interface CrashOptions {
  dataDir: string;
  runs: number;
  kills: number;
  /** Runs executing at once in the worker; lower = the workload lasts long enough for every kill. */
  concurrency?: number;
  napMs?: number;
  holdMs?: number;
  log?: (s: string) => void;
}

export async function runCrashTest(options: CrashOptions): Promise<CrashReport> {
  const tuning = { CRASH_CONCURRENCY: String(options.concurrency ?? 2), CRASH_NAP_MS: String(options.napMs ?? 30), CRASH_HOLD_MS: String(options.holdMs ?? 0) };
  const t0 = Date.now();
  const log = options.log ?? (() => {});
  let kills = 0;
  while (kills < options.kills) {
    const w = startWorker(options.dataDir, options.runs, tuning);
    let finished = false;
    w.onLine((m) => {
      if (m['done']) finished = true;
    });
    const ready = new Promise<void>((r) => w.onLine((m) => m['ready'] && r()));
    const outcome = await Promise.race([ready.then(() => 'ready' as const), w.exited.then(() => 'exited' as const)]);
    if (outcome === 'exited') throw new Error(`crash worker exited before it was ready:\n${w.stderr()}`);
    // A random moment in the life of the worker: during run creation, execution, waits or signals.
    await new Promise((r) => setTimeout(r, 30 + Math.random() * 400));
    if (finished) throw new Error(`the workload finished after ${kills} kills; lower the concurrency so every kill lands mid-work`);
    w.child.kill('SIGKILL');
    const exit = await w.exited;
    if (exit.signal !== 'SIGKILL') throw new Error(`crash worker ended by itself (${exit.code}) before the kill:\n${w.stderr()}`);
    kills++;
    if (kills % 10 === 0) log(`${kills} kills`);
  }
  // Last life: let it run to completion.
  const last = startWorker(options.dataDir, options.runs, tuning);
  const exit = await last.exited;
  if (exit.code !== 0) throw new Error(`final crash worker failed (${exit.code}):\n${last.stderr()}`);
  return { ...audit(options.dataDir, options.runs), kills, seconds: (Date.now() - t0) / 1000 };
}

function audit(dataDir: string, expected: number): Omit<CrashReport, 'kills' | 'seconds'> {
  const db = new Database(join(dataDir, 'millrace.db'), { readonly: true });
  const runs = db.prepare(`SELECT id, status, dedupe_key FROM runs`).all() as { id: string; status: string; dedupe_key: string }[];
  const waitOutputs = db.prepare(`SELECT run_id FROM node_runs WHERE node_id = 'sink' AND status = 'succeeded'`).pluck().all() as string[];
  db.close();
  const sink = new Database(join(dataDir, 'sink.db'), { readonly: true });
  const effects = sink.prepare(`SELECT run_id, job FROM effects`).all() as { run_id: string; job: string }[];
  const rawAttempts = (sink.prepare(`SELECT count(*) FROM attempts`).pluck().get() as number) ?? 0;
  sink.close();
  const jobs = new Set(runs.map((r) => r.dedupe_key));
  const effectsPerRun = new Map<string, number>();
  for (const e of effects) effectsPerRun.set(e.run_id, (effectsPerRun.get(e.run_id) ?? 0) + 1);
  const sinkDone = new Set(waitOutputs);
  return {
    runs: runs.length,
    lost: expected - jobs.size,
    stuck: runs.filter((r) => !['succeeded', 'failed', 'cancelled'].includes(r.status)).length,
    wrongState: runs.filter((r) => r.status !== 'succeeded' || !sinkDone.has(r.id)).length,
    effects: effects.length,
    runsWithoutEffect: runs.filter((r) => !effectsPerRun.has(r.id)).length,
    runsWithDuplicateEffect: [...effectsPerRun.values()].filter((n) => n > 1).length,
    rawAttempts,
    rawDuplicateAttempts: rawAttempts - effects.length,
  };
}
