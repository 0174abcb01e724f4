/** Where a node added by clicking the palette goes: next to the selection, in view, never on top of a node. */
import type { Flow, Position } from '../../shared/flow/schema';
import { DEFAULT_NODE_SIZE, type Size } from '../canvas/layout';

const GAP_X = 56;
const GAP_Y = 40;

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

function overlaps(flow: Flow, sizes: Readonly<Record<string, Size>>, at: Position): boolean {
  return flow.nodes.some((n) => {
    const size = sizes[n.id] ?? DEFAULT_NODE_SIZE;
    return (
      at.x < n.position.x + size.width + GAP_X / 2 &&
      at.x + DEFAULT_NODE_SIZE.width + GAP_X / 2 > n.position.x &&
      at.y < n.position.y + size.height + GAP_Y / 2 &&
      at.y + DEFAULT_NODE_SIZE.height + GAP_Y / 2 > n.position.y
    );
  });
}

/** Inside with a margin, so the node's ports are not hidden under the panels beside the canvas. */
export function insideView(view: Rect, at: Position, size: Size = DEFAULT_NODE_SIZE): boolean {
  const m = 24;
  return at.x >= view.x + m && at.y >= view.y + m && at.x + size.width <= view.x + view.width - m && at.y + size.height <= view.y + view.height - m;
}

/** Free spots walking down and right from `start`, nearest first. */
function* freeSpots(flow: Flow, sizes: Readonly<Record<string, Size>>, start: Position): Generator<Position> {
  const stepX = DEFAULT_NODE_SIZE.width + GAP_X;
  const stepY = DEFAULT_NODE_SIZE.height + GAP_Y;
  for (let ring = 0; ring < 8; ring++) {
    for (let column = 0; column <= ring; column++) {
      const candidate = { x: Math.round(start.x + column * stepX), y: Math.round(start.y + (ring - column) * stepY) };
      if (!overlaps(flow, sizes, candidate)) yield candidate;
    }
  }
}

/**
 * Prefers the spot right of the selected node (the usual next step in a pipeline), then the
 * view's centre; a spot inside the view wins over a nearer one outside it.
 */
export function placeNewNode(flow: Flow, sizes: Readonly<Record<string, Size>>, selected: string | undefined, view: Rect): Position {
  const anchor = flow.nodes.find((n) => n.id === selected);
  if (anchor) {
    // The next step of a pipeline goes in the column right of its source, even outside the view
    // (the palette scrolls it into sight): stacked below a sibling there, never under the source.
    const x = Math.round(anchor.position.x + (sizes[anchor.id]?.width ?? DEFAULT_NODE_SIZE.width) + GAP_X);
    for (let row = 0; row < 8; row++) {
      for (const sign of row === 0 ? [1] : [1, -1]) {
        const spot = { x, y: Math.round(anchor.position.y + sign * row * (DEFAULT_NODE_SIZE.height + GAP_Y)) };
        if (!overlaps(flow, sizes, spot)) return spot;
      }
    }
  }
  const centre = { x: Math.round(view.x + view.width / 2 - DEFAULT_NODE_SIZE.width / 2), y: Math.round(view.y + view.height / 2 - DEFAULT_NODE_SIZE.height / 2) };
  const starts = anchor ? [{ x: anchor.position.x + (sizes[anchor.id]?.width ?? DEFAULT_NODE_SIZE.width) + GAP_X, y: anchor.position.y }, centre] : [centre];
  let fallback: Position | null = null;
  for (const start of starts) {
    for (const spot of freeSpots(flow, sizes, start)) {
      fallback ??= spot;
      if (insideView(view, spot)) return spot;
    }
  }
  return fallback ?? centre;
}
