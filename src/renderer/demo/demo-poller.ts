/**
 * A poll loop that never overlaps itself: the next tick is scheduled only after the previous one
 * settled, so a slow engine gets one request at a time instead of a pile-up. Started while the demo
 * bar is on screen and the tab is visible; stopped otherwise (no stream needed for a 1 s status).
 */
export interface PollTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export interface Poller {
  start(): void;
  stop(): void;
  readonly running: boolean;
}

const browserTimers: PollTimers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export function createPoller(tick: () => Promise<void>, intervalMs: number, timers: PollTimers = browserTimers): Poller {
  let running = false;
  let handle: unknown = null;
  // Each start gets its own generation, so a tick that settles after stop()+start() does not schedule a second loop.
  let generation = 0;
  const loop = (gen: number) => {
    handle = null;
    void tick()
      .catch(() => undefined)
      .then(() => {
        if (running && gen === generation) handle = timers.set(() => loop(gen), intervalMs);
      });
  };
  return {
    start() {
      if (running) return;
      running = true;
      generation += 1;
      loop(generation);
    },
    stop() {
      running = false;
      generation += 1;
      if (handle !== null) timers.clear(handle);
      handle = null;
    },
    get running() {
      return running;
    },
  };
}
