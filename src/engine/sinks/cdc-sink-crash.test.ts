/**
 * 10,000 CDC changes through Postgres change → Set fields → Postgres sink while the engine is
 * SIGKILLed 3 times and Postgres is restarted (immediate mode) 2 times: the sink table equals the
 * source's own audit — 0 missing, 0 duplicate rows — checked with SQL.
 */
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from '../triggers/pg/postgres-for-tests';
import { createWorkloadTables, runWorkload } from '../triggers/pg/cdc-workload';
import { waitFor } from '../triggers/pg/testing';

const workerFile = join(dirname(fileURLToPath(import.meta.url)), '..', 'testing', 'cdc-sink-worker.ts');
let pg: TestPostgres;
let dataDir = '';

beforeAll(async () => {
  pg = await startTestPostgres();
  await createWorkloadTables(pg);
  // No key on purpose: a duplicate delivery would show up as a second row.
  await pg.query(`CREATE TABLE sink_changes (id int NOT NULL, version int NOT NULL)`);
  dataDir = mkdtempSync(join(tmpdir(), 'millrace-cdc-sink-'));
}, 60_000);
afterAll(async () => {
  await pg?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

function startWorker() {
  const child = spawn(process.execPath, ['--import', 'tsx', workerFile], {
    env: { ...process.env, CDC_DATA_DIR: dataDir, CDC_PG_PORT: String(pg.port), CDC_SINK_UNSAFE: process.env['CDC_SINK_UNSAFE'] ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let buffer = '';
  let stderr = '';
  const last = { ready: false, runs: 0, finished: 0, failed: 0, state: '' };
  child.stdout.on('data', (c: Buffer) => {
    buffer += c.toString();
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      try {
        Object.assign(last, JSON.parse(line));
      } catch {
        /* not a progress line */
      }
    }
  });
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  return { child, last, exited, stderr: () => stderr };
}

describe('CDC → Set fields → Postgres sink under engine kills and Postgres restarts', () => {
  it('sink table equals source: 0 missing, 0 duplicates', { timeout: 300_000 }, async () => {
    const TOTAL = 10_000;
    let worker = startWorker();
    await waitFor('worker streaming', () => worker.last.state === 'streaming' || (worker.child.exitCode !== null ? Promise.reject(new Error(worker.stderr())) : undefined), 60_000);
    const progress = { done: 0 };
    // Paced (~1,000 changes/s) so that every fault lands while changes flow.
    const writing = runWorkload(pg, TOTAL, progress, 4, 1_000);
    const faults = ['kill', 'restart-pg', 'kill', 'restart-pg', 'kill'] as const;
    let kills = 0;
    let restarts = 0;
    for (const [i, fault] of faults.entries()) {
      await waitFor(`workload at ${(i + 1) * 15} %`, () => progress.done >= (TOTAL * (i + 1) * 15) / 100 || undefined, 120_000);
      if (fault === 'kill') {
        const dead = worker;
        dead.child.kill('SIGKILL');
        expect((await dead.exited).signal, dead.stderr()).toBe('SIGKILL');
        kills++;
        worker = startWorker();
        await waitFor('worker restarted', () => worker.last.ready || (worker.child.exitCode !== null ? Promise.reject(new Error(worker.stderr())) : undefined), 60_000);
      } else {
        await pg.restart('immediate');
        restarts++;
      }
    }
    await writing;
    const source = Number((await pg.query(`SELECT count(*) AS n FROM cdc_audit`)).rows[0]?.['n']);
    await waitFor('every change to finish its run', () => (worker.last.runs >= source && worker.last.finished >= worker.last.runs ? true : undefined), 180_000);
    worker.child.kill('SIGTERM');
    expect((await worker.exited).code).toBe(0);

    expect([kills, restarts]).toEqual([3, 2]);
    // A Postgres restart can cut the workload's connection after its COMMIT landed; the workload
    // retries, so the source may hold a change or two more than TOTAL. The audit table counts
    // what really committed, and that is what the sink must equal.
    expect(source).toBeGreaterThanOrEqual(TOTAL);
    const failedRuns = (() => {
      const db = new Database(join(dataDir, 'millrace.db'), { readonly: true });
      try {
        return db.prepare(`SELECT id, error FROM runs WHERE status = 'failed' LIMIT 5`).all();
      } finally {
        db.close();
      }
    })();
    expect(worker.last.failed, JSON.stringify(failedRuns)).toBe(0);
    const q = async (sql: string) => Number((await pg.query(sql)).rows[0]?.['n']);
    const missing = await q(`SELECT count(*) AS n FROM (SELECT id, version FROM cdc_audit EXCEPT SELECT id, version FROM sink_changes) m`);
    const duplicates = await q(`SELECT count(*) AS n FROM (SELECT id, version FROM sink_changes GROUP BY id, version HAVING count(*) > 1) d`);
    const phantoms = await q(`SELECT count(*) AS n FROM (SELECT id, version FROM sink_changes EXCEPT SELECT id, version FROM cdc_audit) p`);
    expect({ missing, duplicates, phantoms, rows: await q(`SELECT count(*) AS n FROM sink_changes`) }).toEqual({ missing: 0, duplicates: 0, phantoms: 0, rows: source });
  });
});
