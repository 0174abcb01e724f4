/**
 * The engine process SIGKILLed several times while 20,000 changes are written, then restarted:
 * 0 missing and 0 duplicate runs against the source audit, and at every kill the slot's confirmed
 * position was never ahead of the journal (every change Postgres was told to forget was in it).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from './postgres-for-tests';
import { auditAgainstSource, createWorkloadTables, runWorkload } from './cdc-workload';
import { journalEvents, waitFor } from './testing';
import { parseLsn } from './lsn';

const workerFile = join(dirname(fileURLToPath(import.meta.url)), 'cdc-crash-worker.ts');
let pg: TestPostgres;
let dataDir = '';

beforeAll(async () => {
  pg = await startTestPostgres();
  await createWorkloadTables(pg);
  dataDir = mkdtempSync(join(tmpdir(), 'millrace-cdc-crash-'));
});
afterAll(async () => {
  await pg?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

function startWorker() {
  const child = spawn(process.execPath, ['--import', 'tsx', workerFile], {
    env: { ...process.env, CDC_DATA_DIR: dataDir, CDC_PG_PORT: String(pg.port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let buffer = '';
  let stderr = '';
  const last: { ready: boolean; runs: number; state: string } = { ready: false, runs: 0, state: '' };
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

async function confirmedFlush(): Promise<bigint> {
  const row = (await pg.query(`SELECT confirmed_flush_lsn::text AS c FROM pg_replication_slots WHERE slot_name LIKE 'millrace_%'`)).rows[0];
  return parseLsn(String(row?.['c']));
}

describe('engine SIGKILLed during 20,000 changes', () => {
  it('loses nothing, duplicates nothing, and never confirms past the journal', { timeout: 180_000 }, async () => {
    const TOTAL = 20_000;
    const KILLS = 4;
    let worker = startWorker();
    await waitFor('worker ready', () => worker.last.state === 'streaming' || (worker.child.exitCode !== null ? Promise.reject(new Error(worker.stderr())) : undefined), 30_000);
    const progress = { done: 0 };
    // Paced at 500 changes/s (~40 s), so every kill lands while changes are being written, also on a slow, shared machine where each restart takes seconds.
    const writing = runWorkload(pg, TOTAL, progress, 4, 500);
    const checkpoints: { confirmed: bigint; journaled: Set<string> }[] = [];
    for (let k = 0; k < KILLS; k++) {
      await new Promise((r) => setTimeout(r, 400 + Math.random() * 500));
      // Every kill lands mid-work: changes are still being written.
      expect(progress.done).toBeLessThan(TOTAL);
      worker.child.kill('SIGKILL');
      expect((await worker.exited).signal).toBe('SIGKILL');
      // The process is dead: what Postgres was told to forget must already be in the journal.
      checkpoints.push({ confirmed: await confirmedFlush(), journaled: new Set(journalEvents(dataDir, 'crash-cdc').map((r) => r.dedupeKey)) });
      worker = startWorker();
      await waitFor('worker restarted', () => worker.last.ready || (worker.child.exitCode !== null ? Promise.reject(new Error(worker.stderr())) : undefined), 30_000);
    }
    await writing;
    const source = Number((await pg.query(`SELECT count(*) AS n FROM cdc_audit`)).rows[0]?.['n']);
    await waitFor('catch-up', () => worker.last.runs >= source || undefined, 90_000);
    await new Promise((r) => setTimeout(r, 500));
    worker.child.kill('SIGTERM');
    expect((await worker.exited).code).toBe(0);

    const runs = journalEvents(dataDir, 'crash-cdc');
    const report = await auditAgainstSource(pg, runs.map((r) => r.event));
    expect(report.sourceChanges).toBe(TOTAL);
    expect(report).toMatchObject({ missing: 0, duplicates: 0, phantoms: 0 });
    // At each kill, every change that committed before the confirmed position was journaled.
    let checkedChanges = 0;
    for (const cp of checkpoints) {
      expect(cp.confirmed).toBeGreaterThan(0n);
      const mustHave = runs.filter((r) => parseLsn(r.event.lsn!) < cp.confirmed);
      checkedChanges += mustHave.length;
      expect(mustHave.filter((r) => !cp.journaled.has(r.dedupeKey))).toEqual([]);
    }
    expect(checkedChanges).toBeGreaterThan(0);
  });
});
