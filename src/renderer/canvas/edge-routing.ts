/**
 * Edges that would cross a node they do not connect are routed around it (issue 13, item 9).
 * React Flow draws edges beneath nodes, so a curve through a node vanishes behind it and seems to
 * connect it. A plain curve is kept when nothing is in the way (cheap test on the nodes' boxes,
 * sampled along the curve); otherwise @tisoap/react-flow-smart-edge finds a path on a grid around
 * the nodes' padded boxes (A*), drawn as a smooth curve through its points.
 */
import type { Node, Position } from '@xyflow/react';
import { getSmartEdge, svgDrawSmoothLinePath, pathfindingJumpPointNoDiagonal } from '@tisoap/react-flow-smart-edge';

export interface EdgeGeometry {
  source: string;
  target: string;
  sourceX: number;
  sourceY: number;
  targetX: number;
  targetY: number;
  sourcePosition: Position;
  targetPosition: Position;
}

/** Clearance kept around nodes, in flow pixels. */
const PADDING = 12;

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

function boxOf(n: Node): Box | null {
  const w = n.measured?.width ?? n.width;
  const h = n.measured?.height ?? n.height;
  if (!w || !h) return null;
  return { x: n.position.x, y: n.position.y, w, h };
}

/** Points along React Flow's default bezier for left→right handles (control points offset horizontally). */
export function bezierSamples(e: Pick<EdgeGeometry, 'sourceX' | 'sourceY' | 'targetX' | 'targetY'>, count = 24): { x: number; y: number }[] {
  const dx = Math.max(Math.abs(e.targetX - e.sourceX) * 0.5, 25);
  const c1 = { x: e.sourceX + dx, y: e.sourceY };
  const c2 = { x: e.targetX - dx, y: e.targetY };
  const out = [];
  for (let i = 1; i < count; i++) {
    const t = i / count;
    const u = 1 - t;
    out.push({
      x: u * u * u * e.sourceX + 3 * u * u * t * c1.x + 3 * u * t * t * c2.x + t * t * t * e.targetX,
      y: u * u * u * e.sourceY + 3 * u * u * t * c1.y + 3 * u * t * t * c2.y + t * t * t * e.targetY,
    });
  }
  return out;
}

/** True when the plain curve passes through a node other than the two it connects. */
export function crossesOtherNode(e: EdgeGeometry, nodes: readonly Node[]): boolean {
  const boxes = nodes.filter((n) => n.id !== e.source && n.id !== e.target).map(boxOf).filter((b): b is Box => b !== null);
  if (boxes.length === 0) return false;
  return bezierSamples(e).some((p) => boxes.some((b) => p.x > b.x - PADDING / 2 && p.x < b.x + b.w + PADDING / 2 && p.y > b.y - PADDING / 2 && p.y < b.y + b.h + PADDING / 2));
}

/** [path, labelX, labelY] around the nodes in the way, or null to draw the plain curve. */
export function routeAroundNodes(e: EdgeGeometry, nodes: readonly Node[]): [string, number, number] | null {
  if (!crossesOtherNode(e, nodes)) return null;
  const r = getSmartEdge({
    ...e,
    nodes: [...nodes],
    options: { nodePadding: PADDING, gridRatio: 10, drawEdge: svgDrawSmoothLinePath, generatePath: pathfindingJumpPointNoDiagonal },
  });
  // No path found (a node boxed in): the plain curve, behind the nodes, is the honest fallback.
  if (r instanceof Error) return null;
  return [r.svgPathString, r.edgeCenterX, r.edgeCenterY];
}
