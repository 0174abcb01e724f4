import { describe, expect, it } from 'vitest';
import { newId, newSortableId } from './ids';

describe('newId', () => {
  it('has the prefix and ten base-36 characters', () => {
    expect(newId('run')).toMatch(/^run_[0-9a-z]{10}$/);
  });

  it('does not repeat across many calls', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => newId('flow')));
    expect(ids.size).toBe(10_000);
  });
});

describe('newSortableId', () => {
  it('has the prefix, nine clock and eight random base-36 characters', () => {
    expect(newSortableId('run')).toMatch(/^run_[0-9a-z]{17}$/);
  });

  it('sorts by creation time and does not repeat', async () => {
    const first = Array.from({ length: 5_000 }, () => newSortableId('run'));
    await new Promise((r) => setTimeout(r, 5));
    const later = newSortableId('run');
    expect(first.every((id) => id < later)).toBe(true);
    expect(new Set(first).size).toBe(5_000);
  });
});
