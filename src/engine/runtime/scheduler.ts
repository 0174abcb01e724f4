/**
 * The scheduler decides which runs execute now: oldest first, within the global and per-flow
 * concurrency limits, one run at a time per ordering key. It keeps no run state of its own — the
 * queue in SQLite is the truth — so a restart simply continues where the last process stopped.
 * It wakes on: new runs, finished runs, signals, the earliest timer of a waiting run, and a slow
 * safety poll.
 */
import type { ClaimableRun } from '../store/run-queue';

export interface SchedulerQueue {
  claimable(now: number, limit: number): ClaimableRun[];
  nextWakeAt(): number | null;
}

export interface SchedulerOptions {
  queue: SchedulerQueue;
  /** Starts a run; the promise settles when the runner returns — with `parked: true` if the run now waits. */
  execute: (run: ClaimableRun) => Promise<{ parked: boolean }> | undefined;
  globalConcurrency: number;
  flowConcurrency: (flowId: string) => number | undefined;
  now?: () => number;
  pollMs?: number;
  onError?: (e: unknown) => void;
}

export class Scheduler {
  private readonly active = new Map<string, { flowId: string; promise: Promise<void> }>();
  private tickQueued = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private poll: ReturnType<typeof setInterval> | undefined;
  private stopped = false;
  /** Set when the earliest wake-up time may have changed; the query runs only then, not on every pass. */
  private wakeTimesChanged = true;

  constructor(private readonly o: SchedulerOptions) {}

  start(): void {
    this.poll = setInterval(() => {
      this.wakeTimesChanged = true;
      this.wake();
    }, this.o.pollMs ?? 1000);
    this.poll.unref?.();
    this.wake();
  }

  /** Ask for a scheduling pass soon (coalesced). */
  wake(): void {
    if (this.stopped || this.tickQueued) return;
    this.tickQueued = true;
    queueMicrotask(() => {
      this.tickQueued = false;
      try {
        this.tick();
      } catch (e) {
        this.o.onError?.(e);
      }
    });
  }

  isActive(runId: string): boolean {
    return this.active.has(runId);
  }

  activeCount(): number {
    return this.active.size;
  }

  /** Stop starting runs; resolves when the active ones have returned. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.poll);
    clearTimeout(this.timer);
    await Promise.allSettled([...this.active.values()].map((a) => a.promise));
  }

  private tick() {
    if (this.stopped) return;
    const now = (this.o.now ?? Date.now)();
    const free = this.o.globalConcurrency - this.active.size;
    if (free > 0) {
      const perFlow = new Map<string, number>();
      for (const a of this.active.values()) perFlow.set(a.flowId, (perFlow.get(a.flowId) ?? 0) + 1);
      let started = 0;
      for (const run of this.o.queue.claimable(now, free + this.active.size)) {
        if (started >= free) break;
        if (this.active.has(run.id)) continue;
        const limit = this.o.flowConcurrency(run.flowId);
        if (limit !== undefined && (perFlow.get(run.flowId) ?? 0) >= limit) continue;
        const promise = this.o.execute(run);
        if (!promise) continue;
        started++;
        perFlow.set(run.flowId, (perFlow.get(run.flowId) ?? 0) + 1);
        const tracked = promise
          .then((r) => {
            if (r.parked) this.wakeTimesChanged = true;
          })
          .catch((e: unknown) => this.o.onError?.(e))
          .finally(() => {
            this.active.delete(run.id);
            this.wake();
          });
        this.active.set(run.id, { flowId: run.flowId, promise: tracked });
      }
    }
    this.armTimer(now);
  }

  /** One timer for the earliest self-waking run; the poll covers anything missed. */
  private armTimer(now: number) {
    if (!this.wakeTimesChanged) return;
    this.wakeTimesChanged = false;
    clearTimeout(this.timer);
    const next = this.o.queue.nextWakeAt();
    // Already due but not started (limits, ordering): a finishing run or the poll will wake us; a 0 ms timer would spin.
    if (next === null || next <= now) return;
    const delay = Math.min(next - now, 2 ** 31 - 1);
    this.timer = setTimeout(() => {
      this.wakeTimesChanged = true;
      this.wake();
    }, delay);
    this.timer.unref?.();
  }
}
