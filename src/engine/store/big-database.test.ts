/**
 * A database over 2 GiB opens, and start-up memory does not depend on the database size. The
 * file is built quickly from large blobs in a scratch table. The old header check (reading the
 * whole file) fails on exactly this file: the test asserts that too, so it can catch a regression.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { openDatabase } from './database';

const GiB = 1024 * 1024 * 1024;
const worker = join(dirname(fileURLToPath(import.meta.url)), 'testing', 'open-worker.ts');

let dir: string;
let file: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'millrace-bigdb-'));
  file = join(dir, 'data', 'millrace.db');
  openDatabase(file).close();
  const db = new Database(file);
  db.pragma('synchronous = OFF');
  db.pragma('journal_mode = OFF'); // straight into the file: half the writes of WAL + checkpoint
  db.exec('CREATE TABLE scratch_blobs (b BLOB)');
  // 2,100 one-MiB blobs: a little over 2 GiB, written in one transaction.
  db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2100) INSERT INTO scratch_blobs SELECT zeroblob(1048576) FROM n`);
  db.close();
}, 300_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a database over 2 GiB', () => {
  it('is over 2 GiB, and reading it whole (the old header check) fails', () => {
    expect(statSync(file).size).toBeGreaterThan(2 * GiB);
    expect(() => readFileSync(file)).toThrow(expect.objectContaining({ code: 'ERR_FS_FILE_TOO_LARGE' }));
  });

  it('opens in a fresh engine process with start-up RSS under 300 MB', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', worker, join(dir, 'data')], { encoding: 'utf8', timeout: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const { rss } = JSON.parse(r.stdout.trim().split('\n').pop()!) as { rss: number };
    console.log(`[big database] ${(statSync(file).size / GiB).toFixed(2)} GiB file, start-up RSS ${Math.round(rss / 2 ** 20)} MB`);
    expect(rss).toBeLessThan(300 * 1024 * 1024);
  }, 180_000);
});
