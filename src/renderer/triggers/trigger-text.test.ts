import { describe, expect, it } from 'vitest';
import type { TriggerStatus } from '../../shared/triggers';
import { backfillPercent, formatBytes, triggerChip } from './trigger-text';

const base: TriggerStatus = {
  flowId: 'f', nodeId: 'n', slot: 's', publication: 'p', state: 'streaming', message: null, attempt: 0, nextRetryAt: null,
  confirmedLsn: null, changes: 0, health: null, backfill: null,
};

describe('trigger words', () => {
  it('formats sizes', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 kB');
    expect(formatBytes(50 * 1024 * 1024)).toBe('50 MB');
    expect(formatBytes(null)).toBe('—');
  });

  it('names each state on the chip', () => {
    expect(triggerChip(undefined)).toEqual({ text: 'inactive', tone: 'idle' });
    // Paused (slot kept) never reads like never activated, nor like stopped with the slot dropped.
    expect(triggerChip({ ...base, state: 'inactive', paused: true })).toEqual({ text: 'paused', tone: 'warning' });
    expect(triggerChip({ ...base, state: 'inactive' })).toEqual({ text: 'inactive', tone: 'idle' });
    const held = { exists: true, active: false, walStatus: 'reserved', lagBytes: 3 * 1024 * 1024, retainedBytes: 4 * 1024 * 1024, safeWalBytes: null, warning: null, checkedAt: 0 };
    expect(triggerChip({ ...base, state: 'inactive', paused: true, health: held })).toEqual({ text: 'paused · backlog 3.0 MB', tone: 'warning' });
    expect(triggerChip({ ...base, health: { exists: true, active: true, walStatus: 'reserved', lagBytes: 2048, retainedBytes: 4096, safeWalBytes: null, warning: null, checkedAt: 0 } })).toEqual({ text: 'live · lag 2.0 kB', tone: 'ok' });
    expect(triggerChip({ ...base, state: 'reconnecting', attempt: 3 })).toEqual({ text: 'reconnecting (3)', tone: 'warning' });
    expect(triggerChip({ ...base, state: 'slot_lost' }).tone).toBe('error');
    expect(triggerChip({ ...base, health: { exists: true, active: true, walStatus: 'unreserved', lagBytes: 10, retainedBytes: 10, safeWalBytes: 1, warning: 'close', checkedAt: 0 } }).tone).toBe('warning');
  });

  it('shows backfill progress', () => {
    expect(backfillPercent({ ...base, backfill: { state: 'running', rowsDone: 250, rowsTotal: 1000, table: 't' } })).toBe(25);
    expect(backfillPercent({ ...base, backfill: { state: 'done', rowsDone: 1000, rowsTotal: 1000, table: null } })).toBe(100);
    expect(triggerChip({ ...base, backfill: { state: 'running', rowsDone: 500, rowsTotal: 1000, table: 't' } }).text).toContain('backfill 50%');
  });
});
