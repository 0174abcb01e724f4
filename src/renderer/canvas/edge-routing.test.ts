import { describe, expect, it } from 'vitest';
import { Position, type Node } from '@xyflow/react';
import { crossesOtherNode, routeAroundNodes } from './edge-routing';

const node = (id: string, x: number, y: number): Node => ({ id, position: { x, y }, data: {}, measured: { width: 200, height: 100 } });
// a (0,0) → c (600,0), with b sitting right between them on the same row.
const nodes = [node('a', 0, 0), node('b', 300, 0), node('c', 600, 0)];
const edge = { source: 'a', target: 'c', sourceX: 200, sourceY: 50, targetX: 600, targetY: 50, sourcePosition: Position.Right, targetPosition: Position.Left };

/** Points of an SVG path's coordinates (M/L/Q/C commands with absolute numbers). */
function pathPoints(d: string): { x: number; y: number }[] {
  const nums = (d.match(/-?\d+(\.\d+)?/g) ?? []).map(Number);
  const out = [];
  for (let i = 0; i + 1 < nums.length; i += 2) out.push({ x: nums[i]!, y: nums[i + 1]! });
  return out;
}

describe('edge routing', () => {
  it('keeps the plain curve when nothing is in the way', () => {
    expect(crossesOtherNode(edge, [node('a', 0, 0), node('c', 600, 0), node('far', 300, 400)])).toBe(false);
    expect(routeAroundNodes(edge, [node('a', 0, 0), node('c', 600, 0)])).toBeNull();
  });

  it('routes around a node the curve would cross: no point of the path inside it', () => {
    expect(crossesOtherNode(edge, nodes)).toBe(true);
    const routed = routeAroundNodes(edge, nodes);
    expect(routed).not.toBeNull();
    const inside = pathPoints(routed![0]).filter((p) => p.x > 300 && p.x < 500 && p.y > 0 && p.y < 100);
    expect(inside).toEqual([]);
  });
});
