/**
 * File modes in the data folder: 0700 folders and 0600 files whatever the umask (tested with the
 * usual 022, under which plain creation gives 0755/0644 — asserted first, so the test can fail),
 * and a folder left loose by an older build is tightened when the engine opens it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createEngine } from '../engine';
import { loadOrCreateToken } from '../server/security';

const root = mkdtempSync(join(tmpdir(), 'millrace-modes-'));
const mode = (p: string) => statSync(p).mode & 0o777;
const previousUmask = process.umask(0o022);
afterAll(() => {
  process.umask(previousUmask);
  rmSync(root, { recursive: true, force: true });
});

describe('data folder file modes', () => {
  it('plain creation under umask 022 is world-readable (what the engine must not leave)', () => {
    const dir = join(root, 'plain');
    mkdirSync(dir);
    const db = new Database(join(dir, 'x.db'));
    db.exec('CREATE TABLE t (x)');
    db.close();
    expect([mode(dir), mode(join(dir, 'x.db'))]).toEqual([0o755, 0o644]);
  });

  it('a new data folder: folders 0700, database, WAL, token and secrets 0600', async () => {
    const data = join(root, 'fresh');
    const engine = createEngine({ dataDir: data, seedDemo: false, log: () => {} });
    try {
      loadOrCreateToken(data);
      await engine.setSecret({ name: 'API_KEY', value: 'x' });
      expect(mode(data)).toBe(0o700);
      expect(mode(join(data, 'output'))).toBe(0o700);
      for (const f of ['millrace.db', 'millrace.db-wal', 'web-token', 'secrets.json']) expect([f, mode(join(data, f))]).toEqual([f, 0o600]);
      // The size the app shows under the sidebar.
      const info = await engine.getDataFolderInfo();
      expect(info.path).toBe(data);
      expect(info.databaseBytes).toBeGreaterThan(0);
      expect(info.bytes).toBeGreaterThanOrEqual(info.databaseBytes + statSync(join(data, 'secrets.json')).size);
      expect(info.reclaimableBytes).toBeGreaterThanOrEqual(0);
    } finally {
      await engine.close();
    }
  });

  it('tightens a data folder an older build left at 0755 / 0644', async () => {
    const data = join(root, 'old');
    await createEngine({ dataDir: data, seedDemo: false, log: () => {} }).close();
    chmodSync(data, 0o755);
    chmodSync(join(data, 'millrace.db'), 0o644);
    writeFileSync(join(data, 'millrace.db-wal'), '', { flag: 'a' });
    chmodSync(join(data, 'millrace.db-wal'), 0o644);
    const engine = createEngine({ dataDir: data, seedDemo: false, log: () => {} });
    try {
      expect(mode(data)).toBe(0o700);
      expect(mode(join(data, 'millrace.db'))).toBe(0o600);
      expect(mode(join(data, 'millrace.db-wal'))).toBe(0o600);
    } finally {
      await engine.close();
    }
  });
});
