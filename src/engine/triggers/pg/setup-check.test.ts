/** The setup check against real clusters: each misconfiguration yields its message and fix. */
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresChangeConfig } from '../../../nodes/postgres-change.node.js';
import { resolveConnection } from './connection';
import { startTestPostgres, withPostgres, type TestPostgres } from './postgres-for-tests';
import { checkSetup } from './setup-check';
import { startEngine, triggerFlow } from './testing';

const names = { slot: 'millrace_f_n', publication: 'millrace_f_n' };
let pg: TestPostgres;

beforeAll(async () => {
  pg = await startTestPostgres();
  await pg.query(`CREATE TABLE with_pk (id int PRIMARY KEY, v text); CREATE TABLE no_pk (v text);
    CREATE ROLE app LOGIN PASSWORD 'pw-never-logged'; GRANT SELECT ON with_pk, no_pk TO app;
    CREATE ROLE replicator LOGIN REPLICATION PASSWORD 'pw2'; GRANT SELECT ON with_pk TO replicator;`);
});
afterAll(async () => {
  await pg?.stop();
});

async function check(p: TestPostgres, config: Record<string, unknown>, secrets: Record<string, string> = {}) {
  const cfg = postgresChangeConfig.parse({ host: p.host, port: p.port, ...config });
  const conn = await resolveConnection(cfg, async (ref) => secrets[ref] ?? '');
  return checkSetup(cfg, conn, names);
}

describe('setup check', () => {
  it('passes on a well-configured cluster', async () => {
    const r = await check(pg, { tables: 'public.with_pk' });
    expect(r).toMatchObject({ ok: true, connected: true, problems: [] });
    expect(r.serverVersion).toMatch(/^1\d\./);
  });

  it('shows the ALTER SYSTEM and the restart for wal_level=replica', async () => {
    await withPostgres(
      async (replica) => {
        await replica.query(`CREATE TABLE t (id int PRIMARY KEY)`);
        const r = await check(replica, { tables: 't' });
        expect(r.ok).toBe(false);
        const p = r.problems.find((x) => x.code === 'wal_level');
        expect(p?.message).toContain('"replica"');
        expect(p?.message).toMatch(/restart/i);
        expect(p?.fix).toBe('ALTER SYSTEM SET wal_level = logical;');
      },
      { walLevel: 'replica' },
    );
  });

  it('names the missing REPLICATION attribute, with the ALTER ROLE', async () => {
    const r = await check(pg, { tables: 'with_pk', user: 'app', password: 'secret:APP' }, { 'secret:APP': 'pw-never-logged' });
    expect(r.ok).toBe(false);
    expect(r.problems.find((x) => x.code === 'replication_privilege')?.fix).toBe('ALTER ROLE "app" WITH REPLICATION;');
    expect(JSON.stringify(r)).not.toContain('pw-never-logged');
  });

  it('refuses a table without a primary key and offers REPLICA IDENTITY FULL', async () => {
    const r = await check(pg, { tables: 'no_pk' });
    const p = r.problems.find((x) => x.code === 'no_primary_key');
    expect(p?.level).toBe('error');
    expect(p?.fix).toBe('ALTER TABLE "public"."no_pk" REPLICA IDENTITY FULL;');
  });

  it('reports missing tables and privileges, and old.* filters without FULL identity', async () => {
    const r = await check(pg, { tables: 'with_pk, nope, no_pk', user: 'replicator', filter: 'old.v = 1' });
    expect(r.problems.map((p) => p.code)).toEqual(expect.arrayContaining(['table_missing', 'table_privilege', 'old_values']));
  });

  it('turns a wrong password into a message without the password', async () => {
    await withPostgres(async (strict) => {
      await strict.query(`CREATE ROLE u LOGIN PASSWORD 'right'`);
      // Password auth on TCP: rewrite pg_hba and reload.
      await strict.query(`ALTER SYSTEM SET password_encryption = 'scram-sha-256'`);
      writeFileSync(`${strict.dataDir}/pg_hba.conf`, 'local all all trust\nhost all postgres 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\n');
      await strict.query(`SELECT pg_reload_conf()`);
      await new Promise((r) => setTimeout(r, 200));
      const r = await check(strict, { user: 'u', password: 'secret:PW' }, { 'secret:PW': 'wrong-pass-123' });
      expect(r.connected).toBe(false);
      expect(r.problems[0]?.message).toMatch(/password authentication failed.*check the user and the password secret/);
      expect(JSON.stringify(r)).not.toContain('wrong-pass-123');
    });
  });

  it('activation refuses with the problems and leaves no slot behind', async () => {
    const fx = startEngine();
    try {
      await fx.engine.saveFlow({ flow: triggerFlow('nopk', pg, { tables: 'no_pk' }) });
      await expect(fx.engine.activateFlow({ id: 'nopk' })).rejects.toThrow(/no primary key/);
      expect((await pg.query(`SELECT count(*)::int AS n FROM pg_replication_slots`)).rows[0]).toEqual({ n: 0 });
      const report = await fx.engine.checkTriggerSetup({ flowId: 'nopk', nodeId: 'pg' });
      expect(report.problems.map((p) => p.code)).toContain('no_primary_key');
    } finally {
      await fx.close();
    }
  });
});
