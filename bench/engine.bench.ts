/**
 * bench:engine — a 4-node flow (trigger → Set fields → HTTP request to a fake LLM on 127.0.0.1 →
 * Write file sink), N runs at concurrency 1 and 20, fully durable: every step journaled at
 * synchronous=FULL, a run counts only once its completion is committed. Baselines measured in the
 * same process: raw better-sqlite3 single-row transactions at synchronous=FULL, and raw node:http
 * keep-alive requests to the same server.
 */
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createEngine, type Engine } from '../src/engine/engine';
import type { Flow } from '../src/shared/flow/schema';
import { startFakeLlm } from './fake-llm-server';
import { percentile, round, rssSampler, saveResults } from './stats';

const N = Number(process.env['BENCH_RUNS'] ?? 5000);
/** Runs in the memory soak (RSS must stay flat). */
const SOAK = Number(process.env['BENCH_SOAK_RUNS'] ?? 100_000);

function flowFor(url: string): Flow {
  return {
    schemaVersion: 1,
    id: 'bench',
    name: 'Bench',
    nodes: [
      { id: 't', type: 'manual-trigger@1', name: 'Ticket', position: { x: 0, y: 0 }, config: {} },
      { id: 's', type: 'set-fields@1', name: 'Prompt', position: { x: 200, y: 0 }, config: { fields: [{ name: 'prompt', value: 'Classify: {{ text }}' }, { name: 'id', value: '{{ id }}' }] } },
      {
        id: 'llm', type: 'http-request@1', name: 'LLM', position: { x: 400, y: 0 },
        config: { method: 'POST', url, body: '{"model":"fake-1","messages":[{"role":"user","content":"{{ prompt }}"}]}' },
      },
      { id: 'sink', type: 'write-file@1', name: 'Sink', position: { x: 600, y: 0 }, config: { path: 'bench.jsonl', line: '{{ body.choices[0].message.content }}' } },
    ],
    edges: [
      { id: 'e1', source: 't', sourcePort: 'out', target: 's', targetPort: 'in' },
      { id: 'e2', source: 's', sourcePort: 'out', target: 'llm', targetPort: 'in' },
      { id: 'e3', source: 'llm', sourcePort: 'out', target: 'sink', targetPort: 'in' },
    ],
  };
}

async function measureEngine(engine: Engine, concurrency: number, n: number) {
  const done = new Map<string, () => void>();
  const off = engine.onRunEvent((e) => {
    if (e.type === 'run.finished') {
      if (e.status !== 'succeeded') throw new Error(`bench run failed: ${JSON.stringify(e.error)}`);
      done.get(e.runId)?.();
    }
  });
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        const start = performance.now();
        const finished = new Promise<void>((resolve) => {
          void engine.startRun({ flowId: 'bench', input: { id: i, text: `ticket ${i}: the printer is on fire` } }).then(({ runId }) => done.set(runId, resolve));
        });
        await finished;
        latencies.push(performance.now() - start);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  off();
  latencies.sort((a, b) => a - b);
  return { runsPerSec: round(n / seconds), p50Ms: round(percentile(latencies, 50), 2), p99Ms: round(percentile(latencies, 99), 2) };
}

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

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'millrace-bench-'));
  const llm = await startFakeLlm();
  const rss = rssSampler();
  try {
    const baseline = { sqliteFullTxPerSec: sqliteFullBaseline(dir), httpReqPerSec: await httpBaseline(llm.url), httpReqPerSecConc20: await httpBaseline(llm.url, 2, 20) };
    console.log(`baseline: raw SQLite FULL ${baseline.sqliteFullTxPerSec} tx/s, raw node:http ${baseline.httpReqPerSec} req/s (20 at once: ${baseline.httpReqPerSecConc20})`);
    const engine = createEngine({ dataDir: join(dir, 'engine'), seedDemo: false, concurrency: 20, retention: { maxAgeDays: null, maxRunsPerFlow: null } });
    await engine.saveFlow({ flow: flowFor(llm.url) });
    await measureEngine(engine, 4, 200); // warm-up: JIT, statement cache, keep-alive sockets
    const before = engine.journalStats();
    const conc1 = await measureEngine(engine, 1, N);
    console.log(`concurrency 1:  ${conc1.runsPerSec} runs/s, p50 ${conc1.p50Ms} ms, p99 ${conc1.p99Ms} ms`);
    const mid = engine.journalStats();
    const conc20 = await measureEngine(engine, 20, N);
    console.log(`concurrency 20: ${conc20.runsPerSec} runs/s, p50 ${conc20.p50Ms} ms, p99 ${conc20.p99Ms} ms`);
    const after = engine.journalStats();
    // Soak: RSS sampled every 10% of the way; "flat" = the last samples do not keep climbing.
    const rssSamplesMb: number[] = [];
    const chunk = Math.max(1, Math.floor(SOAK / 10));
    for (let done = 0; done < SOAK; done += chunk) {
      await measureEngine(engine, 20, Math.min(chunk, SOAK - done));
      rssSamplesMb.push(round(process.memoryUsage().rss / 1024 / 1024));
    }
    console.log(`soak ${SOAK} runs: RSS MB ${rssSamplesMb.join(' → ')}`);
    const writesPerCommit = {
      conc1: round((mid.writes - before.writes) / Math.max(1, mid.commits - before.commits)),
      conc20: round((after.writes - mid.writes) / Math.max(1, after.commits - mid.commits)),
    };
    await engine.close();
    const results = {
      runs: N,
      conc1,
      conc20,
      baseline,
      ratios: {
        conc1RunsPerSqliteTx: round(conc1.runsPerSec / baseline.sqliteFullTxPerSec, 3),
        conc20RunsPerSqliteTx: round(conc20.runsPerSec / baseline.sqliteFullTxPerSec, 3),
        conc1RunsPerHttpReq: round(conc1.runsPerSec / baseline.httpReqPerSec, 3),
      },
      journalWritesPerCommit: writesPerCommit,
      fsyncsPerRun: round((after.fsyncs - before.fsyncs) / (2 * N), 2),
      peakRssMb: rss.peakMb(),
      soak: { runs: SOAK, rssSamplesMb, growthSecondHalfMb: round((rssSamplesMb.at(-1) ?? 0) - (rssSamplesMb[Math.floor(rssSamplesMb.length / 2)] ?? 0)) },
      // Peers measured on this machine kind (ENVIRONMENT.md), same flow shape; not re-measured here.
      reference: { n8nRunsPerSec: '31–49', dbosConc1RunsPerSec: 85, dbosConc20RunsPerSec: '130–170' },
    };
    saveResults('engine', results);
  } finally {
    rss.stop();
    await llm.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
