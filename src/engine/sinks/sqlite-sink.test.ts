/** SQLite table sink on real files: twice with the same key → one row; upsert/update; types checked; confined to output/. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createEngine, type Engine } from '../engine';
import { createSqliteSinkService } from '../services/sqlite-sink';
import type { Flow } from '../../shared/flow/schema';

let dir: string;
let engine: Engine;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'millrace-sqlitesink-'));
  engine = createEngine({ dataDir: dir, seedDemo: false });
});
afterAll(async () => {
  await engine?.close();
  rmSync(dir, { recursive: true, force: true });
});

const flow = (id: string, config: Record<string, unknown>): Flow => ({
  schemaVersion: 1,
  id,
  name: id,
  nodes: [
    { id: 't', type: 'manual-trigger@1', name: 'Start', position: { x: 0, y: 0 }, config: {} },
    { id: 'sink', type: 'sqlite-sink@1', name: 'Rows', position: { x: 200, y: 0 }, config },
  ],
  edges: [{ id: 'e', source: 't', sourcePort: 'out', target: 'sink', targetPort: 'in' }],
});
const run = async (flowId: string, input: unknown) => engine.waitForRun((await engine.startRun({ flowId, input })).runId);
const rows = (file: string, sql: string) => {
  const db = new Database(join(dir, 'output', file), { readonly: true });
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
};

describe('SQLite table sink', () => {
  it('creates the file and table; two runs with the same mapped key land one row', async () => {
    await engine.saveFlow({ flow: flow('sq-key', { file: 'db/out.db', table: 'orders', columns: [{ name: 'id', value: '{{ id }}' }, { name: 'note', value: '{{ note }}' }], key: '{{ id }}' }) });
    const a = await run('sq-key', { id: 1, note: `x'); DROP TABLE orders; --` });
    const b = await run('sq-key', { id: 1, note: 'again' });
    expect([a.run.status, b.run.status]).toEqual(['succeeded', 'succeeded']);
    expect(rows('db/out.db', 'SELECT id, note FROM orders')).toEqual([{ id: 1, note: `x'); DROP TABLE orders; --` }]);
    expect(b.nodes['sink']?.output).toMatchObject({ applied: false });
  });

  it('upsert on a key column overwrites; update twice is applied once', async () => {
    await engine.saveFlow({ flow: flow('sq-up', { file: 'up.db', table: 't', mode: 'upsert', keyColumns: 'id', columns: [{ name: 'id', value: '{{ id }}' }, { name: 'v', value: '{{ v }}' }] }) });
    await run('sq-up', { id: 1, v: 'a' });
    await run('sq-up', { id: 1, v: 'b' });
    expect(rows('up.db', 'SELECT id, v FROM t')).toEqual([{ id: 1, v: 'b' }]);
    const svc = createSqliteSinkService(join(dir, 'output'));
    const w = { schema: 'main', table: 't', mode: 'update' as const, row: { id: 1, v: 'c' }, keyColumns: ['id'], idempotencyKey: 'u1', runId: 'r', nodeId: 'n' };
    expect((await svc.write('up.db', w)).applied).toBe(true);
    expect((await svc.write('up.db', w)).applied).toBe(false);
    svc.close();
  });

  it('checks types against the table before running, naming the column', async () => {
    const db = new Database(join(dir, 'output', 'typed.db'));
    db.exec('CREATE TABLE t (id INTEGER NOT NULL, amount REAL)');
    db.close();
    await engine.saveFlow({ flow: flow('sq-type', { file: 'typed.db', table: 't', columns: [{ name: 'id', value: '{{ id }}' }, { name: 'amount', value: '{{ amount }}' }] }) });
    const r = await run('sq-type', { id: 1, amount: 'lots' });
    expect(r.nodes['sink']?.error?.message).toMatch(/column "amount" \(REAL\) needs a number, got string "lots"/);
    expect(rows('typed.db', 'SELECT count(*) AS n FROM t')).toEqual([{ n: 0 }]);
  });

  it('a database path through a symlinked folder is refused; nothing is created outside', async () => {
    mkdirSync(join(dir, 'elsewhere'));
    symlinkSync(join(dir, 'elsewhere'), join(dir, 'output', 'link'));
    await engine.saveFlow({ flow: flow('sq-link', { file: 'link/x.db', table: 't', columns: [{ name: 'id', value: '1' }] }) });
    const r = await run('sq-link', {});
    expect(r.nodes['sink']?.error?.message).toMatch(/outside the output folder/);
    expect(readdirSync(join(dir, 'elsewhere'))).toEqual([]);
  });
});
