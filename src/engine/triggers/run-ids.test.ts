import { describe, expect, it } from 'vitest';
import { runIdForEvent } from './run-ids';

describe('run ids for source events', () => {
  it('are the same for the same (flow, dedupe key), so idempotency keys survive a replay', () => {
    expect(runIdForEvent('flow_a', '00000000016B3748:3')).toBe(runIdForEvent('flow_a', '00000000016B3748:3'));
    expect(runIdForEvent('flow_a', '00000000016B3748:3')).not.toBe(runIdForEvent('flow_b', '00000000016B3748:3'));
    expect(runIdForEvent('flow_a', '00000000016B3748:3')).not.toBe(runIdForEvent('flow_a', '00000000016B3748:4'));
  });

  it('are unique across many events and valid run ids', () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => runIdForEvent('flow_a', `${(0x16b3748 + i).toString(16).toUpperCase().padStart(16, '0')}:${i % 7}`));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids.slice(0, 50)) expect(id).toMatch(/^run_[0-9a-z]{36}$/);
    expect(runIdForEvent('f', 'backfill:b1:public.orders:{"id":1}')).toMatch(/^run_e[0-9a-f]{20}$/);
  });

  it('grow with the commit position, so inserts append to the id index', () => {
    const a = runIdForEvent('flow_a', '00000000016B3748:9');
    const b = runIdForEvent('flow_a', '00000000016B3749:0');
    const c = runIdForEvent('flow_a', '0000000100000000:0');
    expect(a < b && b < c).toBe(true);
  });
});
