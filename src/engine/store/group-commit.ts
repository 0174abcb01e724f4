/**
 * Group commit: journal writes from every concurrent run are queued and applied together in one
 * SQLite transaction (one fsync at synchronous=FULL) on the next turn of the event loop.
 * A caller that must not move on before its write is durable awaits the returned promise;
 * trace-only writes are fire-and-forget but still applied in order.
 */
import type { Db } from './database';

type Op = () => void;

export interface GroupCommitStats {
  commits: number;
  writes: number;
}

export class GroupCommitWriter {
  private ops: Op[] = [];
  private waiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private scheduled = false;
  private failure: Error | null = null;
  readonly stats: GroupCommitStats = { commits: 0, writes: 0 };

  constructor(
    private readonly db: Db,
    private readonly onError: (e: Error) => void = () => {},
  ) {}

  /** Queue a write; the promise resolves once it is committed (and fsynced, at synchronous=FULL). */
  write(op: Op): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    this.ops.push(op);
    this.schedule();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Queue a write nobody waits for (trace rows). Errors still surface through onError. */
  post(op: Op): void {
    if (this.failure) return;
    this.ops.push(op);
    this.schedule();
  }

  /** Apply everything queued now, synchronously. */
  flush(): void {
    this.scheduled = false;
    if (this.ops.length === 0) return;
    const ops = this.ops;
    const waiters = this.waiters;
    this.ops = [];
    this.waiters = [];
    try {
      this.db.transaction(() => {
        for (const op of ops) op();
      })();
      this.stats.commits++;
      this.stats.writes += ops.length;
      for (const w of waiters) w.resolve();
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      this.onError(error);
      for (const w of waiters) w.reject(error);
    }
  }

  /** After close, writes are refused with this error instead of touching a closed database. */
  stop(reason: Error): void {
    this.flush();
    this.failure = reason;
  }

  private schedule() {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }
}
