import { describe, expect, it } from 'vitest';
import { nodeRegistry } from '../../nodes';
import { CATEGORY_ORDER } from '../canvas/node-look';
import { groupForPalette } from './palette-groups';

describe('palette grouping', () => {
  it('groups every latest node type by category in a stable order', () => {
    const groups = groupForPalette(nodeRegistry.latest(), '', CATEGORY_ORDER);
    expect(groups.map((g) => g.category)).toEqual(CATEGORY_ORDER.filter((c) => groups.some((g) => g.category === c)));
    expect(groups.flatMap((g) => g.items).length).toBe(nodeRegistry.latest().length);
    expect(groups[0]?.category).toBe('trigger');
  });

  it('matches every word of the query against title, type and description', () => {
    const hits = groupForPalette(nodeRegistry.latest(), 'http api', CATEGORY_ORDER).flatMap((g) => g.items.map((d) => d.type));
    expect(hits).toEqual(['http-request']);
    expect(groupForPalette(nodeRegistry.latest(), 'no-such-node', CATEGORY_ORDER)).toEqual([]);
  });
});
