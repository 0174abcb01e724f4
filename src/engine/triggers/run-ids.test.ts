import { describe, expect, it } from 'vitest';
import { triggerRunId } from './run-ids';

describe('trigger run ids', () => {
  it('are unique, valid run ids, and grow with time', () => {
    const ids = Array.from({ length: 20_000 }, () => triggerRunId(1_800_000_000_000));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids.slice(0, 50)) expect(id).toMatch(/^run_[0-9a-z]{19}$/);
    expect(triggerRunId(1_800_000_000_001) > triggerRunId(1_800_000_000_000)).toBe(true);
    expect(triggerRunId(1_900_000_000_000) > triggerRunId(1_800_000_000_999)).toBe(true);
  });
});
