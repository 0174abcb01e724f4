/** `millrace demo-postgres` as a real process: prints its settings, serves the demo table, cleans up on SIGTERM. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';

const bin = join(import.meta.dirname, '..', '..', '..', '..', 'bin', 'millrace.mjs');

describe('millrace demo-postgres', () => {
  it('starts a logical-replication-ready Postgres with the demo table and removes it on SIGTERM', async () => {
    const child = spawn(process.execPath, [bin, 'demo-postgres'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      const port = await new Promise<number>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no settings printed:\n${out}`)), 30_000);
        child.stdout.on('data', () => {
          const m = /port (\d+)/.exec(out);
          if (m && out.includes('Stop with Ctrl+C')) {
            clearTimeout(t);
            resolve(Number(m[1]));
          }
        });
      });
      const dataDir = /data in (\S+)/.exec(out)?.[1] ?? '';
      const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
      await c.connect();
      expect((await c.query(`SHOW wal_level`)).rows[0]).toEqual({ wal_level: 'logical' });
      expect((await c.query(`SELECT count(*)::int AS n FROM orders`)).rows[0]).toEqual({ n: 3 });
      await c.end();
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(existsSync(dataDir)).toBe(false);
    } finally {
      // Never leave the cluster running when an assertion fails halfway.
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    }
  });
});
