/**
 * Postgres sink against a real PostgreSQL 15: each mode executed twice with the same key lands one
 * row; values and names that look like SQL stay data; a missing column or a wrong type fails
 * before anything is written; the broken variants (no key, key outside the transaction) are caught.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestPostgres, type TestPostgres } from '../triggers/pg/postgres-for-tests';
import { createPgSinkService } from '../services/pg-sink';
import { createEngine, type Engine } from '../engine';
import type { PgConnectionSettings, TableWrite } from '../../shared/services';
import type { Flow } from '../../shared/flow/schema';

let pg: TestPostgres;
let conn: PgConnectionSettings;
const noSecrets = async () => {
  throw new Error('no secrets in this test');
};

beforeAll(async () => {
  pg = await startTestPostgres();
  conn = { host: pg.host, port: pg.port, database: pg.database, user: pg.user, password: '', connectionString: '', tls: 'disable' };
  await pg.query(`CREATE TABLE results (id int PRIMARY KEY, note text, score numeric, meta jsonb, "weird ""col""" text)`);
  await pg.query(`CREATE TABLE plain (id serial PRIMARY KEY, ext_id int NOT NULL, note text)`);
}, 60_000);
afterAll(async () => {
  await pg?.stop();
});

const write = (over: Partial<TableWrite>): TableWrite => ({
  schema: 'public',
  table: 'plain',
  mode: 'insert',
  row: { ext_id: 1, note: 'x' },
  keyColumns: [],
  idempotencyKey: 'k1',
  runId: 'run_a',
  nodeId: 'sink',
  ...over,
});

const count = async (sql: string) => Number((await pg.query(sql)).rows[0]?.['n']);

describe('Postgres sink service', () => {
  it('insert twice with the same key: one row, the key recorded in millrace_effects in the same transaction', async () => {
    const svc = createPgSinkService({ resolveSecret: noSecrets });
    const a = await svc.write(conn, write({ idempotencyKey: 'ins-1', row: { ext_id: 101, note: 'first' } }));
    const b = await svc.write(conn, write({ idempotencyKey: 'ins-1', row: { ext_id: 101, note: 'first' } }));
    expect([a.applied, b.applied]).toEqual([true, false]);
    expect(await count(`SELECT count(*) AS n FROM plain WHERE ext_id = 101`)).toBe(1);
    expect(await count(`SELECT count(*) AS n FROM millrace_effects WHERE key = 'ins-1'`)).toBe(1);
    expect(a.sql).toBe('INSERT INTO "public"."plain" ("ext_id", "note") VALUES ($1, $2)');
    await svc.close();
  });

  it('concurrent writers with the same key: exactly one row', async () => {
    const svc = createPgSinkService({ resolveSecret: noSecrets });
    const results = await Promise.all(Array.from({ length: 8 }, () => svc.write(conn, write({ idempotencyKey: 'race-1', row: { ext_id: 102 } }))));
    expect(results.filter((r) => r.applied)).toHaveLength(1);
    expect(await count(`SELECT count(*) AS n FROM plain WHERE ext_id = 102`)).toBe(1);
    await svc.close();
  });

  it('upsert twice: one row, the second overwrites with the same values; update twice: applied once', async () => {
    const svc = createPgSinkService({ resolveSecret: noSecrets });
    const row = { id: 1, note: 'hello', score: 2.5, meta: { a: [1, 2] } };
    await svc.write(conn, write({ table: 'results', mode: 'upsert', keyColumns: ['id'], row }));
    await svc.write(conn, write({ table: 'results', mode: 'upsert', keyColumns: ['id'], row }));
    expect((await pg.query(`SELECT id, note, score::float AS score, meta FROM results WHERE id = 1`)).rows).toEqual([{ id: 1, note: 'hello', score: 2.5, meta: { a: [1, 2] } }]);
    const u1 = await svc.write(conn, write({ table: 'results', mode: 'update', keyColumns: ['id'], row: { id: 1, note: 'updated' }, idempotencyKey: 'upd-1' }));
    const u2 = await svc.write(conn, write({ table: 'results', mode: 'update', keyColumns: ['id'], row: { id: 1, note: 'updated' }, idempotencyKey: 'upd-1' }));
    expect([u1.applied, u1.rowCount, u2.applied]).toEqual([true, 1, false]);
    await svc.close();
  });

  it('values and names that look like SQL stay data', async () => {
    const svc = createPgSinkService({ resolveSecret: noSecrets });
    const evil = `x'); DROP TABLE results; --`;
    await svc.write(conn, write({ table: 'results', mode: 'upsert', keyColumns: ['id'], row: { id: 2, note: evil, 'weird "col"': '"; DELETE FROM plain; --' } }));
    expect((await pg.query(`SELECT note, "weird ""col""" AS w FROM results WHERE id = 2`)).rows).toEqual([{ note: evil, w: '"; DELETE FROM plain; --' }]);
    await expect(svc.write(conn, write({ table: 'results"; DROP TABLE plain; --', row: { id: 3 } }))).rejects.toThrow(/does not exist/);
    expect(await count(`SELECT count(*) AS n FROM plain`)).toBeGreaterThan(0);
    await svc.close();
  });

  it('lists tables (without its own millrace_effects) and columns with their types', async () => {
    const svc = createPgSinkService({ resolveSecret: noSecrets });
    const tables = await svc.listTables(conn);
    expect(tables).toEqual(expect.arrayContaining([{ schema: 'public', table: 'results' }, { schema: 'public', table: 'plain' }]));
    expect(tables.some((t) => t.table === 'millrace_effects')).toBe(false);
    const cols = await svc.listColumns(conn, 'public', 'plain');
    expect(cols).toEqual([
      { name: 'id', type: 'int4', nullable: false, hasDefault: true },
      { name: 'ext_id', type: 'int4', nullable: false, hasDefault: false },
      { name: 'note', type: 'text', nullable: true, hasDefault: false },
    ]);
    await svc.close();
  });

  it('an unreachable server is a clear, retryable error', async () => {
    const svc = createPgSinkService({ resolveSecret: noSecrets });
    const e = (await svc.write({ ...conn, port: 1 }, write({})).catch((x: unknown) => x)) as Error & { details?: { permanent?: boolean } };
    expect(e.message).toMatch(/cannot connect to 127\.0\.0\.1:1.*(refused|Postgres running)/);
    expect(e.details?.permanent).toBe(false);
    await svc.close();
  });

  // The audit every exactly-once test uses: the same write delivered twice (a replay) leaves one row.
  async function deliveredTwice(svc: ReturnType<typeof createPgSinkService>, key: string, ext: number) {
    await svc.write(conn, write({ idempotencyKey: key, row: { ext_id: ext } }));
    await svc.write(conn, write({ idempotencyKey: key, row: { ext_id: ext } }));
    return count(`SELECT count(*) AS n FROM plain WHERE ext_id = ${ext}`);
  }

  it('the audit catches the broken variants: no key → 2 rows; the good sink → 1', async () => {
    expect(await deliveredTwice(createPgSinkService({ resolveSecret: noSecrets }), 'audit-good', 201)).toBe(1);
    expect(await deliveredTwice(createPgSinkService({ resolveSecret: noSecrets, unsafe: 'no-key' }), 'audit-nokey', 202)).toBe(2);
  });

  it('key outside the transaction: a crash between the row and the key (simulated by a failing key insert) duplicates on replay', async () => {
    // The row commits, the key write fails (as if the process died right there), the replay writes the row again.
    const svc = createPgSinkService({ resolveSecret: noSecrets, unsafe: 'key-outside-transaction' });
    await pg.query(`ALTER TABLE millrace_effects ADD CONSTRAINT no_crash_key CHECK (key <> 'crash-key')`);
    await svc.write(conn, write({ idempotencyKey: 'crash-key', row: { ext_id: 203 } })).catch(() => {});
    await pg.query(`ALTER TABLE millrace_effects DROP CONSTRAINT no_crash_key`);
    await svc.write(conn, write({ idempotencyKey: 'crash-key', row: { ext_id: 203 } }));
    expect(await count(`SELECT count(*) AS n FROM plain WHERE ext_id = 203`)).toBe(2);
    // The real sink, same failure at the same point: the transaction rolls the row back with the key.
    const good = createPgSinkService({ resolveSecret: noSecrets });
    await pg.query(`ALTER TABLE millrace_effects ADD CONSTRAINT no_crash_key CHECK (key <> 'crash-key-2')`);
    await good.write(conn, write({ idempotencyKey: 'crash-key-2', row: { ext_id: 204 } })).catch(() => {});
    await pg.query(`ALTER TABLE millrace_effects DROP CONSTRAINT no_crash_key`);
    await good.write(conn, write({ idempotencyKey: 'crash-key-2', row: { ext_id: 204 } }));
    expect(await count(`SELECT count(*) AS n FROM plain WHERE ext_id = 204`)).toBe(1);
    await svc.close();
    await good.close();
  });
});

describe('Postgres sink node in the engine', () => {
  let dir: string;
  let engine: Engine;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'millrace-pgsink-'));
    engine = createEngine({ dataDir: dir, seedDemo: false });
  });
  afterAll(async () => {
    await engine?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const flow = (id: string, sink: Record<string, unknown>): Flow => ({
    schemaVersion: 1,
    id,
    name: id,
    nodes: [
      { id: 't', type: 'manual-trigger@1', name: 'Start', position: { x: 0, y: 0 }, config: {} },
      { id: 'sink', type: 'postgres-sink@1', name: 'Results', position: { x: 200, y: 0 }, config: { host: pg.host, port: pg.port, user: pg.user, database: pg.database, ...sink } },
    ],
    edges: [{ id: 'e', source: 't', sourcePort: 'out', target: 'sink', targetPort: 'in' }],
  });

  const run = async (flowId: string, input: unknown) => {
    const { runId } = await engine.startRun({ flowId, input });
    return engine.waitForRun(runId);
  };

  it('two runs with the same mapped key land one row; the trace records what was sent and the answer', async () => {
    await engine.saveFlow({
      flow: flow('pg-key', { table: 'public.plain', columns: [{ name: 'ext_id', value: '{{ id }}' }, { name: 'note', value: 'order {{ id }}' }], key: '{{ id }}' }),
    });
    const a = await run('pg-key', { id: 301 });
    const b = await run('pg-key', { id: 301 });
    expect([a.run.status, b.run.status]).toEqual(['succeeded', 'succeeded']);
    expect(await count(`SELECT count(*) AS n FROM plain WHERE ext_id = 301`)).toBe(1);
    expect(a.nodes['sink']?.output).toMatchObject({ applied: true, idempotencyKey: 'pg-key:sink:301', sql: expect.stringContaining('$1') });
    expect(b.nodes['sink']?.output).toMatchObject({ applied: false, answer: expect.stringMatching(/already recorded/) });
  });

  it('a missing column or a wrong type fails before running, naming the column; nothing is written', async () => {
    await engine.saveFlow({ flow: flow('pg-bad', { table: 'public.plain', columns: [{ name: 'ext_id', value: '{{ id }}' }, { name: 'nope', value: 'x' }] }) });
    const a = await run('pg-bad', { id: 302 });
    expect(a.run.status).toBe('failed');
    expect(a.nodes['sink']?.error?.message).toMatch(/column "nope" does not exist in public\.plain/);
    await engine.saveFlow({ flow: flow('pg-type', { table: 'public.plain', columns: [{ name: 'ext_id', value: '{{ id }}' }] }) });
    const b = await run('pg-type', { id: 'not a number' });
    expect(b.nodes['sink']?.error?.message).toMatch(/column "ext_id" \(int4\) needs an integer, got string "not a number"/);
    expect(await count(`SELECT count(*) AS n FROM plain WHERE ext_id = 302`)).toBe(0);
  });
});
