import { describe, expect, it } from 'vitest';
import { createPoller, type PollTimers } from './demo-poller';

/** Manual timers: `fire()` runs every due callback, so the test decides when a second passes. */
function manualTimers() {
  let next = 1;
  const pending = new Map<number, () => void>();
  const timers: PollTimers = {
    set: (fn) => {
      const id = next++;
      pending.set(id, fn);
      return id;
    },
    clear: (handle) => pending.delete(handle as number),
  };
  return {
    timers,
    pending: () => pending.size,
    fire() {
      const due = [...pending.values()];
      pending.clear();
      due.forEach((fn) => fn());
    },
  };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('createPoller', () => {
  it('polls at once, then once per interval, and stops for good', async () => {
    const t = manualTimers();
    let ticks = 0;
    const poller = createPoller(async () => void ticks++, 1000, t.timers);
    poller.start();
    expect(ticks).toBe(1);
    await settle();
    expect(t.pending()).toBe(1);
    t.fire();
    await settle();
    expect(ticks).toBe(2);
    poller.stop();
    expect(t.pending()).toBe(0);
    t.fire();
    await settle();
    expect(ticks).toBe(2);
    expect(poller.running).toBe(false);
  });

  it('never overlaps: the next tick waits until the slow one settled', async () => {
    const t = manualTimers();
    let release: () => void = () => undefined;
    let inFlight = 0;
    let maxInFlight = 0;
    const poller = createPoller(
      () =>
        new Promise<void>((resolve) => {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          release = () => {
            inFlight--;
            resolve();
          };
        }),
      1000,
      t.timers,
    );
    poller.start();
    await settle();
    expect(t.pending()).toBe(0); // nothing scheduled while the request is out
    poller.start(); // a second start while running is a no-op
    release();
    await settle();
    expect(t.pending()).toBe(1);
    t.fire();
    await settle();
    release();
    await settle();
    expect(maxInFlight).toBe(1);
    poller.stop();
  });

  it('a tick that settles after stop() and start() does not start a second loop', async () => {
    const t = manualTimers();
    const releases: (() => void)[] = [];
    const poller = createPoller(() => new Promise<void>((r) => releases.push(r)), 1000, t.timers);
    poller.start();
    poller.stop();
    poller.start(); // second loop's first tick
    expect(releases).toHaveLength(2);
    releases[0]!(); // the old tick settles late
    releases[1]!();
    await settle();
    expect(t.pending()).toBe(1);
    poller.stop();
  });

  it('keeps polling after a failed tick', async () => {
    const t = manualTimers();
    let ticks = 0;
    const poller = createPoller(async () => {
      ticks++;
      throw new Error('engine away');
    }, 1000, t.timers);
    poller.start();
    await settle();
    t.fire();
    await settle();
    expect(ticks).toBe(2);
    poller.stop();
  });
});
