import { describe, expect, it } from 'vitest';
import { newId } from './ids';

describe('newId', () => {
  it('has the prefix and ten base-36 characters', () => {
    expect(newId('run')).toMatch(/^run_[0-9a-z]{10}$/);
  });

  it('does not repeat across many calls', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => newId('flow')));
    expect(ids.size).toBe(10_000);
  });
});
