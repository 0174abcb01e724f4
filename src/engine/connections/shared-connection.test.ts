/**
 * One named connection picked by a Postgres change trigger and a Postgres sink (real PostgreSQL
 * 15, two clusters): a source insert lands in the sink table; then the connection is edited to the
 * other cluster's port and the trigger reconnects there and the next write lands there — checked
 * with SQL on both servers; the slot left on the first server is dropped there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, type Engine } from '../engine';
import type { Flow } from '../../shared/flow/schema';
import type { PgConnectionFields } from '../../shared/connections';
import { startTestPostgres, type TestPostgres } from '../triggers/pg/postgres-for-tests';
import { waitFor, waitForState } from '../triggers/pg/testing';

let a: TestPostgres;
let b: TestPostgres;
let dir: string;
let engine: Engine;

const schema = `CREATE TABLE src (id int PRIMARY KEY, note text); CREATE TABLE dst (id int PRIMARY KEY, note text)`;

beforeAll(async () => {
  [a, b] = await Promise.all([startTestPostgres(), startTestPostgres()]);
  await Promise.all([a.query(schema), b.query(schema)]);
  dir = mkdtempSync(join(tmpdir(), 'millrace-shared-conn-'));
  engine = createEngine({ dataDir: dir, seedDemo: false, triggers: { healthIntervalMs: 500 } });
}, 90_000);
afterAll(async () => {
  await engine?.close();
  await Promise.all([a?.stop(), b?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const settingsOf = (pg: TestPostgres): PgConnectionFields => ({ host: pg.host, port: pg.port, database: pg.database, user: pg.user, password: '', connectionString: '', tls: 'disable' });
const ids = async (pg: TestPostgres, table: string) => (await pg.query<{ id: number }>(`SELECT id FROM ${table} ORDER BY id`)).rows.map((r) => r.id);

const flow = (connection: string): Flow => ({
  schemaVersion: 1,
  id: 'shared',
  name: 'Shared connection',
  nodes: [
    // The inline fields point nowhere useful: only the named connection can make this work.
    { id: 'pg', type: 'postgres-change@1', name: 'Source changed', position: { x: 0, y: 0 }, config: { connection, port: 1, tables: 'public.src', update: false, delete: false } },
    {
      id: 'sink',
      type: 'postgres-sink@1',
      name: 'Copy',
      position: { x: 300, y: 0 },
      config: { connection, port: 1, table: 'public.dst', mode: 'insert', columns: [{ name: 'id', value: '{{ new.id }}' }, { name: 'note', value: '{{ new.note }}' }] },
      settings: { retry: { maxAttempts: 10, initialDelayMs: 100, maxDelayMs: 1000 } },
    },
  ],
  edges: [{ id: 'e1', source: 'pg', sourcePort: 'change', target: 'sink', targetPort: 'in' }],
});

describe('a named connection shared by a change trigger and a sink', () => {
  it('lands the change through the connection, and follows an edit to another server', { timeout: 120_000 }, async () => {
    const conn = await engine.saveConnection({ name: 'Shared', settings: settingsOf(a) });
    const saved = await engine.saveFlow({ flow: flow(conn.id) });
    expect(saved.problems).toEqual([]);
    expect((await engine.listConnections())[0]?.usedBy.map((u) => u.nodeName).sort()).toEqual(['Copy', 'Source changed']);
    await engine.activateFlow({ id: 'shared' });
    await waitForState(engine, 'shared', 'streaming', 30_000);

    await a.query(`INSERT INTO src VALUES (1, 'on a')`);
    await waitFor('row 1 in a.dst', async () => (await ids(a, 'dst')).includes(1), 30_000);
    expect(await ids(a, 'dst')).toEqual([1]);
    expect(await ids(b, 'dst')).toEqual([]);

    // Edit the connection: same name, the other cluster's port. The running trigger reconnects by itself.
    await engine.saveConnection({ id: conn.id, name: 'Shared', settings: settingsOf(b) });
    await waitFor(
      'the trigger streaming from b',
      async () => ((await b.query(`SELECT count(*)::int AS n FROM pg_replication_slots WHERE active`)).rows[0]?.['n'] === 1 ? true : undefined),
      30_000,
    );
    await waitForState(engine, 'shared', 'streaming', 30_000);
    // The slot it left behind on a is dropped there (it would pin a's WAL forever), and its publication with it.
    expect((await a.query(`SELECT slot_name FROM pg_replication_slots`)).rows).toEqual([]);
    expect((await a.query(`SELECT pubname FROM pg_publication`)).rows).toEqual([]);
    await b.query(`INSERT INTO src VALUES (2, 'on b')`);
    await waitFor('row 2 in b.dst', async () => (await ids(b, 'dst')).includes(2), 30_000).catch(async (e: unknown) => {
      const runs = await engine.listRuns({ flowId: 'shared' });
      const traces = await Promise.all(runs.map((r) => engine.getRunTrace({ runId: r.id })));
      throw new Error(`${String(e)}; runs: ${JSON.stringify(traces.map((t) => [t.run.status, t.input, Object.values(t.nodes).map((n) => n.error?.message)]))}; status ${JSON.stringify(await engine.getTriggerStatus({ flowId: 'shared' }))}`);
    });
    expect(await ids(b, 'dst')).toEqual([2]);
    expect(await ids(a, 'dst')).toEqual([1]);
    // The sink's effects were recorded against the connection, not the unused inline fields.
    const effects = await engine.listEffects({ flowId: 'shared' });
    expect(effects.map((e) => e.target)).toEqual(expect.arrayContaining([`postgres:@${conn.id}/public.dst`]));

    // The connection is in use: it cannot be deleted from under the flow.
    await expect(engine.deleteConnection({ id: conn.id })).rejects.toThrow(/"Shared connection" › "Source changed", "Shared connection" › "Copy"/);
    await engine.deactivateFlow({ id: 'shared', dropSlot: true });
  });
});
