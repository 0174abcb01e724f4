import { describe, expect, it } from 'vitest';
import { placePopover, trackRect, type Rect } from './tour-place';

const viewport = { width: 1440, height: 900 };
const size = { width: 340, height: 180 };

describe('placePopover', () => {
  it('puts the popover beside its target on the asked side', () => {
    const at = placePopover({ top: 300, left: 400, width: 240, height: 120 }, 'right', size, viewport);
    expect(at).toEqual({ top: 270, left: 654, side: 'right' });
  });

  it('flips to the other side when the asked one is off screen', () => {
    const at = placePopover({ top: 300, left: 1200, width: 220, height: 120 }, 'right', size, viewport);
    expect(at.side).toBe('left');
    expect(at.left).toBe(1200 - 14 - 340);
  });

  it('a target at the top edge (the Approvals button) gets the popover below, inside the window', () => {
    const at = placePopover({ top: 8, left: 1300, width: 110, height: 36 }, 'top', size, viewport);
    expect(at.side).toBe('bottom');
    expect(at.left + size.width).toBeLessThanOrEqual(viewport.width - 12);
  });

  it('no target: centred', () => {
    expect(placePopover(null, 'right', size, viewport)).toEqual({ top: 360, left: 550 });
  });
});

describe('trackRect', () => {
  it('reports the first measurement even when nothing is found, then only changes', () => {
    const seen: (Rect | null)[] = [];
    const report = trackRect((r) => seen.push(r));
    report(null); // a new step whose target is not on screen: the old spotlight must go
    report(null);
    const a = { top: 10, left: 10, width: 100, height: 40 };
    report(a);
    report({ ...a, top: 10.2 }); // sub-pixel jitter while the canvas settles
    report({ ...a, left: 60 });
    expect(seen).toEqual([null, a, { ...a, left: 60 }]);
  });
});
