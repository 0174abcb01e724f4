/** Where the tour's popover goes: beside its target on the step's side, flipped or clamped to stay on screen. */
import type { TourStep } from './tour-steps';

export interface Rect {
  top: number;
  left: number;
  width: number;
  height: number;
}

const GAP = 14;

export function placePopover(target: Rect | null, placement: TourStep['placement'], size: { width: number; height: number }, viewport: { width: number; height: number }) {
  const margin = 12;
  if (!target) return { top: Math.max(margin, (viewport.height - size.height) / 2), left: Math.max(margin, (viewport.width - size.width) / 2) };
  const fitsRight = target.left + target.width + GAP + size.width <= viewport.width - margin;
  const fitsLeft = target.left - GAP - size.width >= margin;
  const fitsBelow = target.top + target.height + GAP + size.height <= viewport.height - margin;
  const fitsAbove = target.top - GAP - size.height >= margin;
  let side = placement;
  if (side === 'right' && !fitsRight) side = fitsLeft ? 'left' : fitsBelow ? 'bottom' : 'top';
  else if (side === 'left' && !fitsLeft) side = fitsRight ? 'right' : fitsBelow ? 'bottom' : 'top';
  else if (side === 'bottom' && !fitsBelow) side = fitsAbove ? 'top' : fitsRight ? 'right' : 'left';
  else if (side === 'top' && !fitsAbove) side = fitsBelow ? 'bottom' : fitsRight ? 'right' : 'left';
  let top: number;
  let left: number;
  if (side === 'right' || side === 'left') {
    left = side === 'right' ? target.left + target.width + GAP : target.left - GAP - size.width;
    top = target.top + target.height / 2 - size.height / 2;
  } else {
    top = side === 'bottom' ? target.top + target.height + GAP : target.top - GAP - size.height;
    left = target.left + target.width / 2 - size.width / 2;
  }
  const clamp = (v: number, max: number) => Math.max(margin, Math.min(v, max - margin));
  return { top: clamp(top, viewport.height - size.height), left: clamp(left, viewport.width - size.width), side };
}


const sameRect = (a: Rect | null, b: Rect | null) =>
  a === b || (a !== null && b !== null && Math.abs(a.top - b.top) < 0.5 && Math.abs(a.left - b.left) < 0.5 && Math.abs(a.width - b.width) < 0.5 && Math.abs(a.height - b.height) < 0.5);

/**
 * Reports a step's target rectangle only when it changed (it is measured every frame). The first
 * measurement is always reported, "none" included, so a step without a target on screen clears the
 * spotlight of the step before it.
 */
export function trackRect(onChange: (rect: Rect | null) => void): (rect: Rect | null) => void {
  let last: Rect | null | undefined;
  return (rect) => {
    if (last !== undefined && sameRect(rect, last)) return;
    last = rect;
    onChange(rect);
  };
}
