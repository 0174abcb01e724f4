import { describe, expect, it } from 'vitest';
import { changeTriggerOf, checkSample, describeChange } from './test-run-input';
import { sampleEvent } from '../../nodes/postgres-change.node';

describe('Run dialog input', () => {
  it('finds the Postgres change trigger of a flow (and none in a manual flow)', () => {
    const node = (id: string, type: string) => ({ id, type, name: id, position: { x: 0, y: 0 }, config: {} });
    expect(changeTriggerOf({ nodes: [node('m', 'set-fields@1'), node('pg', 'postgres-change@1')] })).toEqual({ id: 'pg', name: 'pg' });
    expect(changeTriggerOf({ nodes: [node('m', 'manual-trigger@1')] })).toBeNull();
    expect(changeTriggerOf(null)).toBeNull();
  });

  it('an edited sample that still says "live" becomes a sample; bookkeeping fields are filled in', () => {
    const r = checkSample(JSON.stringify({ source: 'live', schema: 'public', table: 'orders', operation: 'update', new: { id: 1, status: 'paid' }, key: { id: 1 } }));
    expect(r).toEqual({
      ok: true,
      change: { source: 'sample', schema: 'public', table: 'orders', operation: 'update', new: { id: 1, status: 'paid' }, old: null, key: { id: 1 }, columns: [], unchangedToast: [], lsn: null, position: 0, commitTime: null, xid: null },
    });
    expect(checkSample(JSON.stringify(sampleEvent))).toMatchObject({ ok: true, change: { ...sampleEvent, source: 'sample' } });
  });

  it('says what is wrong and where', () => {
    expect(checkSample('{"schema": "public",')).toMatchObject({ ok: false, error: expect.stringContaining('not valid JSON') });
    expect(checkSample('')).toMatchObject({ ok: false });
    expect(checkSample('[1]')).toMatchObject({ ok: false });
    expect(checkSample(JSON.stringify({ schema: 'public', table: 'orders', operation: 'upsert', new: {} }))).toEqual({ ok: false, error: '"operation": operation must be insert, update, delete or read' });
    expect(checkSample(JSON.stringify({ schema: 'public', table: 'orders', operation: 'insert', new: null }))).toEqual({ ok: false, error: '"new": an insert has the row in "new"' });
    expect(checkSample(JSON.stringify({ schema: 'public', table: 'orders', operation: 'insert', new: 'x' }))).toMatchObject({ ok: false, error: expect.stringMatching(/^"new": /) });
    expect(checkSample(JSON.stringify({ schema: 'public', table: 'orders', operation: 'delete', new: null, key: { id: 1 } }))).toMatchObject({ ok: true });
  });

  it('describes a change in one line, key first, cut to length', () => {
    expect(describeChange({ ...sampleEvent })).toBe('insert public.orders id=1 · customer: Ada, amount: 42');
    expect(describeChange({ ...sampleEvent, new: { id: 1, body: 'x'.repeat(200) } }, 40)).toHaveLength(40);
  });
});
