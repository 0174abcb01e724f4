/**
 * Against a real Postgres: insert/update/delete arrive with the right shape; operations, row
 * filters and column selection apply; changes to one row run in commit order.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from './postgres-for-tests';
import { recorded, runEvents, startEngine, triggerFlow, waitFor, waitForRunCount, waitForState, type EngineFixture } from './testing';

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

let table = 0;
let name = '';
beforeEach(async () => {
  name = `orders_${++table}`;
  await pg.query(`CREATE TABLE ${name} (id int PRIMARY KEY, status text NOT NULL, amount numeric, note text, tags jsonb, at timestamptz)`);
});

async function activate(flowId: string, config: Record<string, unknown>, recorder?: { maxPauseMs: number }) {
  await fx.engine.saveFlow({ flow: triggerFlow(flowId, pg, { tables: `public.${name}`, ...config }, recorder ? { recorder } : {}) });
  await fx.engine.activateFlow({ id: flowId });
  await waitForState(fx.engine, flowId, 'streaming');
}

describe('Postgres change trigger: event shape', () => {
  it('delivers insert, update and delete with rows, key, columns and source position', async () => {
    await activate('shape', {});
    await pg.query(`INSERT INTO ${name} VALUES (1, 'open', 12.50, 'first', '{"a":1}', '2026-01-02T03:04:05Z')`);
    await pg.query(`UPDATE ${name} SET status = 'paid' WHERE id = 1`);
    await pg.query(`DELETE FROM ${name} WHERE id = 1`);
    await waitForRunCount(fx.engine, 'shape', 3);
    const [ins, upd, del] = await runEvents(fx.engine, 'shape');
    expect(ins).toMatchObject({
      source: 'live',
      schema: 'public',
      table: name,
      operation: 'insert',
      new: { id: 1, status: 'open', amount: '12.50', note: 'first', tags: { a: 1 }, at: '2026-01-02T03:04:05.000Z' },
      old: null,
      key: { id: 1 },
      position: 0,
      unchangedToast: [],
    });
    expect(ins!.columns).toEqual([
      { name: 'id', type: 'int4', key: true },
      { name: 'status', type: 'text', key: false },
      { name: 'amount', type: 'numeric', key: false },
      { name: 'note', type: 'text', key: false },
      { name: 'tags', type: 'jsonb', key: false },
      { name: 'at', type: 'timestamptz', key: false },
    ]);
    expect(ins!.lsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    expect(typeof ins!.xid).toBe('number');
    expect(Date.parse(ins!.commitTime!)).toBeGreaterThan(Date.now() - 60_000);
    // Default replica identity: the update carries the new row and the key, no old row.
    expect(upd).toMatchObject({ operation: 'update', new: { id: 1, status: 'paid' }, old: null, key: { id: 1 } });
    expect(del).toMatchObject({ operation: 'delete', new: null, old: null, key: { id: 1 } });
    expect(new Set([ins!.lsn, upd!.lsn, del!.lsn]).size).toBe(3);
  });

  it('keeps text byte for byte: a leading U+FEFF, zero-width and right-to-left characters, emoji', async () => {
    await activate('text', {});
    const note = '\uFEFFhello \u200B\u202Eevil\u202C 🎉 שלום';
    await pg.query(`INSERT INTO ${name} (id, status, note) VALUES (1, $1, $2)`, ['\uFEFFopen', note]);
    await waitForRunCount(fx.engine, 'text', 1);
    const [ins] = await runEvents(fx.engine, 'text');
    expect(ins!.new).toMatchObject({ status: '\uFEFFopen', note });
  });

  it('gives whole old rows under REPLICA IDENTITY FULL', async () => {
    await pg.query(`ALTER TABLE ${name} REPLICA IDENTITY FULL`);
    await activate('full', {});
    await pg.query(`INSERT INTO ${name} (id, status, amount) VALUES (7, 'open', 5)`);
    await pg.query(`UPDATE ${name} SET amount = 6 WHERE id = 7`);
    await waitForRunCount(fx.engine, 'full', 2);
    const [, upd] = await runEvents(fx.engine, 'full');
    expect(upd).toMatchObject({ operation: 'update', old: { id: 7, status: 'open', amount: '5' }, new: { amount: '6' }, key: { id: 7 } });
  });

  it('applies operations, the row filter and the column selection; positions count within a transaction', async () => {
    await activate('filtered', { delete: false, filter: "new.status = 'paid' and new.amount > 10", columns: 'status' });
    await pg.query(`BEGIN; INSERT INTO ${name} (id, status, amount) VALUES (1, 'open', 50), (2, 'paid', 5), (3, 'paid', 50); DELETE FROM ${name} WHERE id = 3; COMMIT;`);
    await pg.query(`UPDATE ${name} SET status = 'paid' WHERE id = 1`);
    await waitForRunCount(fx.engine, 'filtered', 2);
    await new Promise((r) => setTimeout(r, 300));
    const events = await runEvents(fx.engine, 'filtered');
    expect(events.map((e) => [e.operation, e.new])).toEqual([
      ['insert', { id: 3, status: 'paid' }],
      ['update', { id: 1, status: 'paid' }],
    ]);
    // Row 3 was the third change of its transaction; the key column is kept though not selected.
    expect(events[0]!.position).toBe(2);
    expect(events[0]!.columns.map((c) => c.name)).toEqual(['id', 'status']);
  });

  it('runs changes to the same row one at a time, in commit order', async () => {
    recorded.length = 0;
    await activate('ordered', {}, { maxPauseMs: 15 });
    await pg.query(`INSERT INTO ${name} (id, status, amount) SELECT g, 'v0', 0 FROM generate_series(1, 5) g`);
    const c = await pg.client();
    try {
      for (let v = 1; v <= 20; v++) await c.query(`UPDATE ${name} SET status = 'v${v}', amount = ${v} WHERE id = ${(v % 5) + 1} OR id = ${((v + 2) % 5) + 1}`);
    } finally {
      await c.end();
    }
    await waitFor('every run to finish', () => recorded.filter((r) => r.event.table === name).length >= 5 + 40 || undefined, 20_000);
    const perRow = new Map<number, number[]>();
    for (const r of recorded.filter((x) => x.event.table === name)) {
      const id = Number(r.event.key!['id']);
      perRow.set(id, [...(perRow.get(id) ?? []), Number(r.event.new!['amount'])]);
    }
    expect(perRow.size).toBe(5);
    for (const [, amounts] of perRow) expect(amounts).toEqual([...amounts].sort((a, b) => a - b));
  });
});
