/**
 * Shared clocks for components that show relative or remaining time. Everyone asking for the same
 * period reads the same clock, so the badge, the banner and the run data count down in step.
 */
import { useCallback, useSyncExternalStore } from 'react';

interface Clock {
  now: number;
  listeners: Set<() => void>;
  timer: ReturnType<typeof setInterval> | null;
}

const clocks = new Map<number, Clock>();
/** What a component without a running clock sees: the last time any clock read the time. */
let lastNow = Date.now();

function clockOf(everyMs: number): Clock {
  let clock = clocks.get(everyMs);
  if (!clock) {
    clock = { now: Date.now(), listeners: new Set(), timer: null };
    clocks.set(everyMs, clock);
  }
  return clock;
}

function subscribe(everyMs: number, listener: () => void): () => void {
  const clock = clockOf(everyMs);
  clock.listeners.add(listener);
  if (clock.timer === null) {
    // A clock that stood still catches up at once rather than one period late.
    clock.now = lastNow = Date.now();
    clock.timer = setInterval(() => {
      clock.now = lastNow = Date.now();
      for (const l of clock.listeners) l();
    }, everyMs);
  }
  return () => {
    clock.listeners.delete(listener);
    if (clock.listeners.size === 0 && clock.timer !== null) {
      clearInterval(clock.timer);
      clock.timer = null;
    }
  };
}

const standStill = () => () => {};

/** The time, re-rendering every `everyMs`; null stands still, so only live countdowns pay for a timer. */
export function useNow(everyMs: number | null): number {
  const subscribeTo = useCallback((listener: () => void) => (everyMs === null ? standStill() : subscribe(everyMs, listener)), [everyMs]);
  return useSyncExternalStore(subscribeTo, () => (everyMs === null ? lastNow : clockOf(everyMs).now));
}
