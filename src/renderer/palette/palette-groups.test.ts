import { describe, expect, it } from 'vitest';
import { nodeRegistry } from '../../nodes';
import { CATEGORY_ORDER } from '../canvas/node-look';
import { groupForPalette } from './palette-groups';
import { insideView, placeNewNode } from './placement';
import { DEFAULT_NODE_SIZE } from '../canvas/layout';
import type { Flow } from '../../shared/flow/schema';

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

describe('click-to-add placement', () => {
  const flow = (nodes: { id: string; x: number; y: number }[]): Flow => ({
    schemaVersion: 1,
    id: 'f',
    name: 'F',
    nodes: nodes.map((n) => ({ id: n.id, type: 'if@1', name: n.id, position: { x: n.x, y: n.y }, config: {} })),
    edges: [],
  });

  it('centres the node in an empty view', () => {
    expect(placeNewNode(flow([]), {}, undefined, { x: 0, y: 0, width: 1000, height: 600 })).toEqual({
      x: 500 - DEFAULT_NODE_SIZE.width / 2,
      y: 300 - DEFAULT_NODE_SIZE.height / 2,
    });
  });

  it('goes right of the selected node and never overlaps another one', () => {
    const f = flow([
      { id: 'a', x: 0, y: 0 },
      { id: 'b', x: 288, y: 0 },
    ]);
    const wide = { x: -100, y: -100, width: 2000, height: 1000 };
    const spot = placeNewNode(f, { a: { width: 232, height: 100 } }, 'a', wide);
    expect(spot.x).toBeGreaterThanOrEqual(232);
    const clear = (p: { x: number; y: number }) =>
      f.nodes.every((n) => p.x >= n.position.x + 232 || p.x + 232 <= n.position.x || p.y >= n.position.y + 110 || p.y + 110 <= n.position.y);
    expect(clear(spot)).toBe(true);
    const centred = placeNewNode(f, {}, undefined, { x: 0, y: 0, width: 232, height: 110 });
    expect(clear(centred)).toBe(true);
  });

  it('goes right of the selection even outside the view (the palette scrolls to it), below a sibling there', () => {
    const f = flow([{ id: 'a', x: 700, y: 0 }]);
    const view = { x: 0, y: 0, width: 1000, height: 600 };
    const spot = placeNewNode(f, {}, 'a', view);
    expect(spot).toEqual({ x: 700 + DEFAULT_NODE_SIZE.width + 56, y: 0 });
    expect(insideView(view, spot)).toBe(false);
    const withSibling = flow([{ id: 'a', x: 0, y: 0 }, { id: 'b', x: DEFAULT_NODE_SIZE.width + 56, y: 0 }]);
    expect(placeNewNode(withSibling, {}, 'a', view)).toEqual({ x: DEFAULT_NODE_SIZE.width + 56, y: DEFAULT_NODE_SIZE.height + 40 });
  });
});
