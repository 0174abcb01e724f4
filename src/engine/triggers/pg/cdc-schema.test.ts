/** Schema changes mid-stream and TOASTed values (> 8 KB) under default and FULL replica identity. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from './postgres-for-tests';
import { runEvents, startEngine, triggerFlow, waitForRunCount, waitForState, type EngineFixture } from './testing';

let pg: TestPostgres;
let fx: EngineFixture;

beforeAll(async () => {
  pg = await startTestPostgres();
  fx = startEngine();
});
afterAll(async () => {
  await fx?.close();
  await pg?.stop();
});

async function activate(flowId: string, table: string) {
  await fx.engine.saveFlow({ flow: triggerFlow(flowId, pg, { tables: table }) });
  await fx.engine.activateFlow({ id: flowId });
  await waitForState(fx.engine, flowId, 'streaming');
}

describe('schema changes mid-stream', () => {
  it('keeps streaming through ADD, RENAME, type change and DROP COLUMN; each event has the new shape', async () => {
    await pg.query(`CREATE TABLE items (id int PRIMARY KEY, name text, qty int)`);
    await activate('ddl', 'items');
    await pg.query(`INSERT INTO items VALUES (1, 'a', 1)`);
    await pg.query(`ALTER TABLE items ADD COLUMN price numeric DEFAULT 0`);
    await pg.query(`INSERT INTO items VALUES (2, 'b', 2, 9.5)`);
    await pg.query(`ALTER TABLE items RENAME COLUMN name TO title`);
    await pg.query(`INSERT INTO items VALUES (3, 'c', 3, 1)`);
    await pg.query(`ALTER TABLE items ALTER COLUMN qty TYPE bigint`);
    await pg.query(`UPDATE items SET qty = 9000000000 WHERE id = 3`);
    await pg.query(`ALTER TABLE items DROP COLUMN price`);
    await pg.query(`INSERT INTO items VALUES (4, 'd', 4)`);
    await waitForRunCount(fx.engine, 'ddl', 5);
    const events = await runEvents(fx.engine, 'ddl');
    expect(events.map((e) => e.new)).toEqual([
      { id: 1, name: 'a', qty: 1 },
      { id: 2, name: 'b', qty: 2, price: '9.5' },
      { id: 3, title: 'c', qty: 3, price: '1' },
      { id: 3, title: 'c', qty: '9000000000', price: '1' },
      { id: 4, title: 'd', qty: '4' },
    ]);
    expect(events[3]!.columns.find((c) => c.name === 'qty')?.type).toBe('int8');
  });
});

describe('TOAST values over 8 KB', () => {
  const big = 'x'.repeat(20_000) + Math.random().toString(36);

  it('marks an unchanged TOASTed value explicitly under the default replica identity', async () => {
    await pg.query(`CREATE TABLE docs (id int PRIMARY KEY, body text, n int)`);
    await pg.query(`ALTER TABLE docs ALTER COLUMN body SET STORAGE EXTERNAL`);
    await activate('toast', 'docs');
    await pg.query(`INSERT INTO docs VALUES (1, $1, 0)`, [big]);
    await pg.query(`UPDATE docs SET n = 1 WHERE id = 1`);
    await pg.query(`UPDATE docs SET body = $1 WHERE id = 1`, [`${big}!`]);
    await waitForRunCount(fx.engine, 'toast', 3);
    const [ins, untouched, changed] = await runEvents(fx.engine, 'toast');
    expect(ins!.new!['body']).toBe(big);
    // Not sent by Postgres: absent from `new` and named in unchangedToast — never a silent null.
    expect(untouched!.new).toEqual({ id: 1, n: 1 });
    expect(untouched!.unchangedToast).toEqual(['body']);
    expect(changed!.new!['body']).toBe(`${big}!`);
    expect(changed!.unchangedToast).toEqual([]);
  });

  it('carries the full value under REPLICA IDENTITY FULL', async () => {
    await pg.query(`CREATE TABLE docs_full (id int PRIMARY KEY, body text, n int)`);
    await pg.query(`ALTER TABLE docs_full ALTER COLUMN body SET STORAGE EXTERNAL; ALTER TABLE docs_full REPLICA IDENTITY FULL`);
    await activate('toast-full', 'docs_full');
    await pg.query(`INSERT INTO docs_full VALUES (1, $1, 0)`, [big]);
    await pg.query(`UPDATE docs_full SET n = 1 WHERE id = 1`);
    await waitForRunCount(fx.engine, 'toast-full', 2);
    const [, upd] = await runEvents(fx.engine, 'toast-full');
    expect(upd!.new).toEqual({ id: 1, body: big, n: 1 });
    expect(upd!.old).toEqual({ id: 1, body: big, n: 0 });
    expect(upd!.unchangedToast).toEqual([]);
    expect(upd!.key).toEqual({ id: 1 });
  });
});
