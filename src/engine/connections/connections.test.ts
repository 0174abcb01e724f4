/**
 * Named Postgres connections through the EngineApi (arguments parsed as the rpc server does):
 * CRUD, unique names, secret references only, delete refused while a flow picks it, hostile input,
 * missing-connection problems, and the Test button against a real PostgreSQL 15.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, type Engine } from '../engine';
import { engineApiArgs, type EngineApi } from '../../shared/api';
import type { Flow } from '../../shared/flow/schema';
import type { PgConnectionFields } from '../../shared/connections';
import { startTestPostgres, type TestPostgres } from '../triggers/pg/postgres-for-tests';
import { createMemoryPortPair } from '../../shared/rpc/protocol';
import { serveEngineApi } from '../../shared/rpc/server';
import { createEngineClient } from '../../shared/rpc/client';

let pg: TestPostgres;
let dir: string;
let engine: Engine;
let api: EngineApi;

const settings = (over: Partial<PgConnectionFields> = {}): PgConnectionFields => ({
  host: pg.host,
  port: pg.port,
  database: pg.database,
  user: pg.user,
  password: '',
  connectionString: '',
  tls: 'disable',
  ...over,
});

beforeAll(async () => {
  pg = await startTestPostgres();
  await pg.query(`CREATE ROLE plain_user LOGIN`);
  dir = mkdtempSync(join(tmpdir(), 'millrace-conn-'));
  engine = createEngine({ dataDir: dir, seedDemo: false, env: { MILLRACE_SECRET_PG_URL: pg.connectionString() } });
  // Through the rpc server, which parses every argument with engineApiArgs: what a client sends is what is tested.
  const [clientPort, serverPort] = createMemoryPortPair();
  serveEngineApi(engine, serverPort);
  api = createEngineClient(clientPort);
}, 60_000);
afterAll(async () => {
  await engine?.close();
  await pg?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const sinkFlow = (id: string, connection: string): Flow => ({
  schemaVersion: 1,
  id,
  name: `Flow ${id}`,
  nodes: [
    { id: 't', type: 'manual-trigger@1', name: 'Start', position: { x: 0, y: 0 }, config: {} },
    { id: 'sink', type: 'postgres-sink@1', name: 'Results', position: { x: 200, y: 0 }, config: { connection, table: 'public.results', columns: [{ name: 'id', value: '{{ id }}' }] } },
  ],
  edges: [{ id: 'e', source: 't', sourcePort: 'out', target: 'sink', targetPort: 'in' }],
});

describe('named connections', () => {
  it('create, list, edit, delete; the data folder keeps references, never a value', async () => {
    const a = await api.saveConnection({ name: 'Warehouse', settings: settings({ password: 'secret:WAREHOUSE_PW' }) });
    expect(a).toMatchObject({ name: 'Warehouse', host: pg.host, port: pg.port, password: 'secret:WAREHOUSE_PW', usedBy: [] });
    expect(a.id).toMatch(/^conn_/);
    const b = await api.saveConnection({ id: a.id, name: 'Warehouse (prod)', settings: settings({ port: 6543, password: 'secret:WAREHOUSE_PW' }) });
    expect(b).toMatchObject({ id: a.id, name: 'Warehouse (prod)', port: 6543 });
    expect((await api.listConnections()).map((c) => c.name)).toEqual(['Warehouse (prod)']);
    expect(await api.deleteConnection({ id: a.id })).toEqual({ deleted: true });
    expect(await api.deleteConnection({ id: a.id })).toEqual({ deleted: false });
    expect(await api.listConnections()).toEqual([]);
    await expect(api.saveConnection({ id: 'conn_nope', name: 'X', settings: settings() })).rejects.toThrow(/no connection with id "conn_nope"/);
  });

  it('names are unique, case-insensitively', async () => {
    const a = await api.saveConnection({ name: 'Orders DB', settings: settings() });
    await expect(api.saveConnection({ name: 'orders db', settings: settings() })).rejects.toThrow(/a connection named "orders db" already exists/);
    const other = await api.saveConnection({ name: 'Other', settings: settings() });
    await expect(api.saveConnection({ id: other.id, name: 'ORDERS DB', settings: settings() })).rejects.toThrow(/already exists/);
    // Renaming to its own name (another case) is fine.
    expect((await api.saveConnection({ id: a.id, name: 'ORDERS DB', settings: settings() })).name).toBe('ORDERS DB');
    await api.deleteConnection({ id: a.id });
    await api.deleteConnection({ id: other.id });
  });

  it('a plain password or connection string is refused at the boundary, and nothing is stored', async () => {
    await expect(api.saveConnection({ name: 'Leaky', settings: settings({ password: 'hunter2' }) })).rejects.toThrow(/secret reference/);
    await expect(api.saveConnection({ name: 'Leaky', settings: settings({ connectionString: 'postgres://u:hunter2@h/db' }) })).rejects.toThrow(/secret reference/);
    expect(await api.listConnections()).toEqual([]);
    const files = readdirSync(dir).filter((f) => f.startsWith('millrace.db'));
    for (const f of files) expect(readFileSync(join(dir, f)).includes('hunter2')).toBe(false);
  });

  it('hostile input is refused with the field, or stays data', async () => {
    const bad: unknown[] = [
      { name: '', settings: settings() },
      { name: 'a\u0000b', settings: settings() },
      { name: 'x'.repeat(101), settings: settings() },
      { name: 'ok', settings: { ...settings(), extra: 1 } },
      { name: 'ok', settings: settings({ host: 'db.example.com/../../etc' }) },
      { name: 'ok', settings: settings({ port: 70000 }) },
      { name: 'ok', settings: { ...settings(), port: '5432' } },
      { name: 'ok', settings: settings({ tls: 'maybe' as 'disable' }) },
      { id: "conn_'; DROP TABLE flows; --", name: 'ok', settings: settings() },
      JSON.parse(`{"name":"ok","settings":${JSON.stringify(settings())},"__proto__":{"admin":true}}`),
    ];
    for (const arg of bad) await expect(api.saveConnection(arg as never), JSON.stringify(arg)).rejects.toThrow();
    // A name that looks like SQL or markup is just a name.
    const sql = await api.saveConnection({ name: `x'); DROP TABLE pg_connections; -- <b>`, settings: settings() });
    expect((await api.listConnections()).map((c) => c.name)).toEqual([`x'); DROP TABLE pg_connections; -- <b>`]);
    await api.deleteConnection({ id: sql.id });
    expect(engineApiArgs.testConnection.safeParse({}).success).toBe(false);
    expect(engineApiArgs.testConnection.safeParse({ id: 'conn_a', settings: settings() }).success).toBe(false);
  });

  it('delete is refused while a flow picks it, naming the flow and node; a missing connection is a problem on that node and field', async () => {
    const c = await api.saveConnection({ name: 'Shared', settings: settings() });
    const saved = await api.saveFlow({ flow: sinkFlow('uses', c.id) });
    expect(saved.problems).toEqual([]);
    expect((await api.listConnections())[0]?.usedBy).toEqual([{ flowId: 'uses', flowName: 'Flow uses', nodeId: 'sink', nodeName: 'Results' }]);
    await expect(api.deleteConnection({ id: c.id })).rejects.toThrow(/the connection "Shared" is used by "Flow uses" › "Results"/);
    await api.deleteFlow({ id: 'uses' });
    expect(await api.deleteConnection({ id: c.id })).toEqual({ deleted: true });

    // A flow from elsewhere (import) that picks a connection this data folder does not have.
    const imported = await api.saveFlow({ flow: sinkFlow('orphan', 'conn_elsewhere') });
    expect(imported.problems).toEqual([expect.objectContaining({ kind: 'config', nodeId: 'sink', field: 'connection', message: expect.stringMatching(/named connection "conn_elsewhere" does not exist/) })]);
    expect(await api.validateFlow({ flow: sinkFlow('orphan', 'conn_elsewhere') })).toHaveLength(1);
    await expect(api.startRun({ flowId: 'orphan', input: { id: 1 } })).rejects.toThrow(/Results.*connection.*does not exist/);
    // Hostile ids in the node config are refused by the node's schema.
    const bad = await api.saveFlow({ flow: sinkFlow('bad-id', "x'; --") });
    expect(bad.problems).toEqual([expect.objectContaining({ nodeId: 'sink', field: 'connection' })]);
    await api.deleteFlow({ id: 'orphan' });
    await api.deleteFlow({ id: 'bad-id' });
  });

  it('Test connects for real: server version, logical WAL and replication for a superuser', async () => {
    const ok = await api.testConnection({ settings: settings() });
    expect(ok).toMatchObject({ ok: true, connected: true, serverVersion: expect.stringMatching(/^15\./), trigger: { walLevel: 'logical', logical: true, replication: true }, problems: [] });
    // Through a secret-held URL, by id.
    const c = await api.saveConnection({ name: 'By URL', settings: settings({ host: 'ignored', connectionString: 'secret:PG_URL' }) });
    expect(await api.testConnection({ id: c.id })).toMatchObject({ ok: true, connected: true });
    await api.deleteConnection({ id: c.id });
  });

  it('Test says what a trigger lacks, with the fix; and an unreachable server or a missing secret clearly', async () => {
    const plain = await api.testConnection({ settings: settings({ user: 'plain_user' }) });
    expect(plain.ok).toBe(true);
    expect(plain.trigger).toMatchObject({ replication: false });
    expect(plain.problems).toEqual([expect.objectContaining({ level: 'warning', code: 'replication_privilege', fix: 'ALTER ROLE "plain_user" WITH REPLICATION;' })]);
    const down = await api.testConnection({ settings: settings({ port: 1 }) });
    expect(down).toMatchObject({ ok: false, connected: false, problems: [expect.objectContaining({ code: 'connection', message: expect.stringMatching(/cannot connect.*(refused|Postgres running)/) })] });
    const noSecret = await api.testConnection({ settings: settings({ password: 'secret:NOT_SET_ANYWHERE' }) });
    expect(noSecret).toMatchObject({ ok: false, problems: [expect.objectContaining({ code: 'secret', message: expect.stringMatching(/NOT_SET_ANYWHERE/) })] });
    await expect(api.testConnection({ id: 'conn_missing' })).rejects.toThrow(/no connection/);
  });
});
