/**
 * bench:engine — a 4-node flow (trigger → Set fields → HTTP request to a fake LLM on 127.0.0.1 →
 * Write file sink), N runs at concurrency 1 and 20, fully durable. The engine runs in a process of
 * its own (bench/engine-bench-worker.ts), the fake LLM server in another, so peak RSS is the
 * engine's. Durability: WAL with synchronous=NORMAL and the group-commit writer's own fsync of
 * the WAL — nothing (run id, step result, run end) is acknowledged before an fsync covering it
 * has completed, which is what synchronous=FULL promises. Refuses to run on tmpfs (fsync is free
 * there). Baselines measured in the same run: raw better-sqlite3 single-row transactions at
 * synchronous=FULL, raw node:http keep-alive requests to the same fake server.
 */
import http from 'node:http';
import { fork, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { round, saveResults } from './stats';

const N = Number(process.env['BENCH_RUNS'] ?? 5000);
/** Runs in the memory soak (RSS must stay flat). */
const SOAK = Number(process.env['BENCH_SOAK_RUNS'] ?? 100_000);
const here = dirname(fileURLToPath(import.meta.url));
const TMPFS_MAGIC = 0x01021994;

function sqliteFullBaseline(dir: string, seconds = 2): number {
  const db = new Database(join(dir, 'baseline.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
  const ins = db.prepare('INSERT INTO t (v) VALUES (?)');
  let n = 0;
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    db.transaction(() => ins.run('{"step":"result"}'))();
    n++;
  }
  db.close();
  return round(n / seconds);
}

async function httpBaseline(url: string, seconds = 2, concurrency = 1): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const body = '{"model":"fake-1","messages":[{"role":"user","content":"hi"}]}';
  let n = 0;
  const end = performance.now() + seconds * 1000;
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end(body);
    });
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < end) {
      await one();
      n++;
    }
  }));
  agent.destroy();
  return round(n / seconds);
}

async function startLlmProcess(): Promise<{ url: string; stop(): void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'fake-llm-process.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
    child.once('exit', (code) => reject(new Error(`fake LLM exited (${code})`)));
  });
  return { url, stop: () => child.kill('SIGTERM') };
}

type Phase = { runsPerSec: number; p50Ms: number; p99Ms: number; fsyncsPerRun: number; writesPerCommit: number; rssMb: number; peakRssMb: number };

function startEngineProcess(dataDir: string, llmUrl: string) {
  const child = fork(join(here, 'engine-bench-worker.ts'), [], { execArgv: ['--import', 'tsx'], env: { ...process.env, BENCH_DATA_DIR: dataDir, BENCH_LLM_URL: llmUrl } });
  let fail: (e: Error) => void = () => {};
  child.once('exit', (code) => fail(new Error(`engine process exited (${code})`)));
  const next = () =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      fail = reject;
      child.once('message', (m) => resolve(m as Record<string, unknown>));
    });
  return {
    ready: next(),
    phase: async (concurrency: number, runs: number) => {
      const reply = next();
      child.send({ concurrency, runs });
      return (await reply) as unknown as Phase;
    },
    close: async () => {
      const reply = next();
      child.send({ close: true });
      return (await reply) as { peakRssMb: number; checkpoints: Record<string, number> };
    },
  };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'millrace-bench-'));
  if (statfsSync(dir).type === TMPFS_MAGIC) {
    rmSync(dir, { recursive: true, force: true });
    console.error(`refusing to run: ${tmpdir()} is tmpfs, where fsync is free and the figures would mean nothing; set TMPDIR to a disk folder`);
    process.exit(2);
  }
  console.log('engine: WAL, synchronous=NORMAL + the writer\'s fsync of the WAL before every acknowledgement (durability of synchronous=FULL); checkpoints off the hot path');
  const llm = await startLlmProcess();
  try {
    const baseline = { sqliteFullTxPerSec: sqliteFullBaseline(dir), httpReqPerSec: await httpBaseline(llm.url), httpReqPerSecConc20: await httpBaseline(llm.url, 2, 20) };
    console.log(`baseline: raw SQLite FULL ${baseline.sqliteFullTxPerSec} tx/s, raw node:http ${baseline.httpReqPerSec} req/s (20 at once: ${baseline.httpReqPerSecConc20})`);
    const engine = startEngineProcess(dir, llm.url);
    await engine.ready;
    await engine.phase(4, 200); // warm-up: JIT, statement cache, keep-alive sockets
    const conc1 = await engine.phase(1, N);
    console.log(`concurrency 1:  ${conc1.runsPerSec} runs/s, p50 ${conc1.p50Ms} ms, p99 ${conc1.p99Ms} ms, ${conc1.fsyncsPerRun} fsyncs/run`);
    const conc20 = await engine.phase(20, N);
    console.log(`concurrency 20: ${conc20.runsPerSec} runs/s, p50 ${conc20.p50Ms} ms, p99 ${conc20.p99Ms} ms, ${conc20.fsyncsPerRun} fsyncs/run`);
    // Soak: RSS of the engine process sampled every 10% of the way; "flat" = the last samples do not keep climbing.
    const rssSamplesMb: number[] = [];
    const chunk = Math.max(1, Math.floor(SOAK / 10));
    for (let done = 0; done < SOAK; done += chunk) rssSamplesMb.push((await engine.phase(20, Math.min(chunk, SOAK - done))).rssMb);
    console.log(`soak ${SOAK} runs: engine RSS MB ${rssSamplesMb.join(' → ')}`);
    const closed = await engine.close();
    console.log(`checkpoints: ${JSON.stringify(closed.checkpoints)}`);
    const results = {
      runs: N,
      durability: 'WAL + synchronous=NORMAL + writer fsync before acknowledgement',
      conc1: { runsPerSec: conc1.runsPerSec, p50Ms: conc1.p50Ms, p99Ms: conc1.p99Ms },
      conc20: { runsPerSec: conc20.runsPerSec, p50Ms: conc20.p50Ms, p99Ms: conc20.p99Ms },
      baseline,
      ratios: {
        conc1RunsPerSqliteTx: round(conc1.runsPerSec / baseline.sqliteFullTxPerSec, 3),
        conc20RunsPerSqliteTx: round(conc20.runsPerSec / baseline.sqliteFullTxPerSec, 3),
        conc1RunsPerHttpReq: round(conc1.runsPerSec / baseline.httpReqPerSec, 3),
      },
      journalWritesPerCommit: { conc1: conc1.writesPerCommit, conc20: conc20.writesPerCommit },
      fsyncsPerRun: conc20.fsyncsPerRun,
      fsyncsPerRunConc1: conc1.fsyncsPerRun,
      checkpoints: closed.checkpoints,
      peakRssMb: closed.peakRssMb,
      soak: { runs: SOAK, rssSamplesMb, growthSecondHalfMb: round((rssSamplesMb.at(-1) ?? 0) - (rssSamplesMb[Math.floor(rssSamplesMb.length / 2)] ?? 0)) },
    };
    saveResults('engine', results);
  } finally {
    llm.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
