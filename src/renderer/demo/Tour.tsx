/**
 * The first-run tour: a spotlight around a real element and a popover beside it, with Back, Next
 * and Skip. The spotlight lets clicks through (the canvas stays usable); Esc skips; focus moves to
 * Next at every step. Targets are looked up every frame while the tour is open, because the canvas
 * pans and the run footer of the LLM node appears after a run.
 */
import { useEffect, useId, useLayoutEffect, useRef, useState } from 'react';
import { TOUR_STEPS, type TourStep } from './tour-steps';
import { placePopover, trackRect, type Rect } from './tour-place';
import { tour, useTour } from './tour-state';
import { useSession } from '../stores/session-store';
import { useDemoFlowId } from './demo-store';
import './demo.css';

const PAD = 6;
const POPOVER_WIDTH = 340;

function findTarget(step: TourStep): Rect | null {
  for (const selector of step.targets) {
    const el = document.querySelector(selector);
    if (!el) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    return { top: r.top - PAD, left: r.left - PAD, width: r.width + PAD * 2, height: r.height + PAD * 2 };
  }
  return null;
}

export function Tour() {
  // Only over the demo flow: opening another flow pauses the tour where it was.
  const onDemoFlow = useSession((s) => s.currentFlowId) === useDemoFlowId();
  const active = useTour((s) => s.active) && onDemoFlow;
  const index = useTour((s) => s.step);
  const step = TOUR_STEPS[index];
  const [target, setTarget] = useState<Rect | null>(null);
  const [size, setSize] = useState({ width: POPOVER_WIDTH, height: 180 });
  const popover = useRef<HTMLDivElement>(null);
  const nextButton = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  const maskId = `tour-mask-${useId().replace(/[^A-Za-z0-9_-]/g, '')}`;

  useEffect(() => {
    if (!active || !step) return;
    let frame = 0;
    const report = trackRect(setTarget);
    const follow = () => {
      report(findTarget(step));
      frame = requestAnimationFrame(follow);
    };
    follow();
    return () => cancelAnimationFrame(frame);
  }, [active, step]);

  useLayoutEffect(() => {
    const el = popover.current;
    if (!active || !el) return;
    const measure = () => {
      const r = el.getBoundingClientRect();
      setSize((prev) => (Math.abs(r.width - prev.width) > 0.5 || Math.abs(r.height - prev.height) > 0.5 ? { width: r.width, height: r.height } : prev));
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [active, index]);

  useEffect(() => {
    if (active) nextButton.current?.focus();
  }, [active, index]);

  useEffect(() => {
    if (!active) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented) return;
      // A dialog or the Approvals inbox open above the canvas owns Esc, unless focus is in the tour.
      const inTour = e.target instanceof Node && popover.current?.contains(e.target);
      if (!inTour && document.querySelector('.dialog-backdrop, .approvals-panel')) return;
      e.preventDefault();
      e.stopPropagation();
      tour.skip();
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [active]);

  if (!active || !step) return null;
  const viewport = { width: window.innerWidth, height: window.innerHeight };
  const at = placePopover(target, step.placement, size, viewport);
  const last = index === TOUR_STEPS.length - 1;
  return (
    <>
      {target ? (
        <>
          {/* An SVG mask, not a huge box-shadow: software-rendered Chromium drops very large shadows. */}
          <svg className="tour-shade" aria-hidden="true" width="100%" height="100%">
            <defs>
              <mask id={maskId}>
                <rect width="100%" height="100%" fill="white" />
                <rect x={target.left} y={target.top} width={target.width} height={target.height} rx={10} fill="black" />
              </mask>
            </defs>
            <rect width="100%" height="100%" mask={`url(#${maskId})`} />
          </svg>
          <div className="tour-spotlight" data-testid="tour-spotlight" aria-hidden="true" style={{ top: target.top, left: target.left, width: target.width, height: target.height }} />
        </>
      ) : (
        <div className="tour-dim" aria-hidden="true" />
      )}
      <div
        ref={popover}
        className="tour"
        role="dialog"
        aria-modal="false"
        aria-labelledby={titleId}
        data-testid="tour"
        data-step={step.id}
        data-anchored={target !== null}
        style={{ top: at.top, left: at.left, width: POPOVER_WIDTH }}
        onKeyDown={(e) => {
          e.stopPropagation();
          if (e.key === 'ArrowRight') tour.next();
          if (e.key === 'ArrowLeft') tour.back();
        }}
      >
        <div className="tour__progress" aria-label={`Step ${index + 1} of ${TOUR_STEPS.length}`}>
          {TOUR_STEPS.map((s, i) => (
            <span key={s.id} className={`tour__pip${i === index ? ' is-current' : i < index ? ' is-done' : ''}`} />
          ))}
          <span className="tour__count">
            {index + 1} / {TOUR_STEPS.length}
          </span>
        </div>
        <h2 className="tour__title" id={titleId}>
          {step.title}
        </h2>
        <p className="tour__body">{step.body}</p>
        <div className="tour__footer">
          <button type="button" className="button button--small button--ghost" data-testid="tour-skip" onClick={() => tour.skip()} title="Skip the tour (Esc)">
            Skip tour
          </button>
          <span className="tour__spacer" />
          {index > 0 ? (
            <button type="button" className="button button--small" data-testid="tour-back" onClick={() => tour.back()}>
              Back
            </button>
          ) : null}
          <button ref={nextButton} type="button" className="button button--small button--primary" data-testid="tour-next" onClick={() => tour.next()}>
            {last ? 'Done' : 'Next'}
          </button>
        </div>
      </div>
    </>
  );
}
