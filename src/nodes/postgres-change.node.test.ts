import { describe, expect, it } from 'vitest';
import { parseColumnList, parseTableList, postgresChange } from './postgres-change.node.js';
import { matchesFilter, parseRowFilter } from './postgres-change-filter';
import { fakeContext } from './testing';

describe('postgres-change@1', () => {
  it('emits the run input as its change, a sample when started by hand', async () => {
    const cfg = postgresChange.config.parse({});
    const event = { operation: 'insert', table: 'orders' };
    expect(await postgresChange.execute(fakeContext({ runInput: event }), {}, cfg)).toEqual({ change: event });
    const sample = await postgresChange.execute(fakeContext(), {}, cfg);
    expect(sample.change).toMatchObject({ operation: 'insert', table: 'orders' });
  });

  it('refuses a literal password and accepts a secret reference', () => {
    expect(postgresChange.config.safeParse({ password: 'hunter2' }).success).toBe(false);
    expect(postgresChange.config.safeParse({ password: 'secret:PG_PASSWORD' }).success).toBe(true);
  });

  it('reports an unreadable row filter on the filter field', () => {
    const r = postgresChange.config.safeParse({ filter: 'status is paid' });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['filter']);
  });

  it('reads table and column lists', () => {
    expect(parseTableList('public.orders, items ,"Odd"."My Table"')).toEqual([
      { schema: 'public', table: 'orders' },
      { schema: 'public', table: 'items' },
      { schema: 'Odd', table: 'My Table' },
    ]);
    expect(parseColumnList(' id, "Name" ,')).toEqual(['id', 'Name']);
  });
});

describe('row filter', () => {
  const f = (text: string) => {
    const p = parseRowFilter(text);
    if (!p.ok) throw new Error(p.error);
    return p.conditions;
  };
  const rows = { new: { status: 'paid', amount: '120', note: null, flag: true }, old: { status: 'open', amount: 80 } };

  it('evaluates comparisons, numbers sent as text and null tests', () => {
    expect(matchesFilter(f("new.status = 'paid'"), rows)).toBe(true);
    expect(matchesFilter(f("new.status = 'open'"), rows)).toBe(false);
    expect(matchesFilter(f('new.amount > 100 and old.amount < 100'), rows)).toBe(true);
    expect(matchesFilter(f('new.amount >= 121'), rows)).toBe(false);
    expect(matchesFilter(f('new.note is null and new.status is not null'), rows)).toBe(true);
    expect(matchesFilter(f('new.flag = true'), rows)).toBe(true);
    expect(matchesFilter(f("new.status <> 'paid'"), rows)).toBe(false);
  });

  it('keeps "and" inside quoted text and fails conditions on a missing old row', () => {
    expect(f("new.status = 'rock and roll'")).toEqual([{ side: 'new', column: 'status', op: '=', value: 'rock and roll' }]);
    expect(matchesFilter(f("old.status = 'open'"), { new: rows.new, old: null })).toBe(false);
  });

  it('explains what it cannot read', () => {
    expect(parseRowFilter('status = 1')).toMatchObject({ ok: false });
    expect(parseRowFilter('new.status = paid')).toMatchObject({ ok: false, error: expect.stringContaining('quote text') });
  });
});
