/** Snapshot visibility of streamed (32-bit) transaction ids, across an xid epoch boundary. */
import { describe, expect, it } from 'vitest';
import { parseSnapshot, visibleIn, widen } from './backfill';

describe('backfill snapshot visibility', () => {
  it('parses pg_snapshot text', () => {
    expect(parseSnapshot('740:745:740,742')).toEqual({ xmin: 740n, xmax: 745n, xip: new Set([740n, 742n]) });
    expect(parseSnapshot('800:800:')).toEqual({ xmin: 800n, xmax: 800n, xip: new Set() });
    expect(() => parseSnapshot('nonsense')).toThrow(/unexpected snapshot/);
  });

  it('sees ended transactions below xmax, not running or later ones', () => {
    const s = parseSnapshot('740:745:740,742');
    expect(visibleIn(s, 739)).toBe(true);
    expect(visibleIn(s, 740)).toBe(false);
    expect(visibleIn(s, 741)).toBe(true);
    expect(visibleIn(s, 742)).toBe(false);
    expect(visibleIn(s, 744)).toBe(true);
    expect(visibleIn(s, 745)).toBe(false);
    expect(visibleIn(s, 9_000)).toBe(false);
  });

  it('maps 32-bit ids to the epoch nearest the snapshot', () => {
    const epoch = 1n << 32n;
    // xmax just after a wraparound into epoch 3; xid 0xFFFFFFF0 belongs to epoch 2.
    const s = parseSnapshot(`${3n * epoch - 20n}:${3n * epoch + 5n}:${3n * epoch - 20n},${3n * epoch + 2n}`);
    expect(widen(s, 0xfffffff0)).toBe(3n * epoch - 16n);
    expect(widen(s, 3)).toBe(3n * epoch + 3n);
    expect(visibleIn(s, 0xfffffff0)).toBe(true);
    expect(visibleIn(s, 0xffffffec)).toBe(false); // 3·2^32 − 20: running
    expect(visibleIn(s, 2)).toBe(false); // running
    expect(visibleIn(s, 4)).toBe(true);
    expect(visibleIn(s, 6)).toBe(false); // at or after xmax
  });
});
