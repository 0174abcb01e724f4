/**
 * Group commit. Journal writes from every concurrent run are queued and applied together in one
 * SQLite transaction per turn of the event loop. Durability comes from an fsync of the WAL file
 * that runs on libuv's thread pool, shared by every batch committed since the previous fsync:
 *
 *   batch A commits (no fsync, ~0.1 ms) → fsync #1 starts → batch B commits → batch C commits →
 *   fsync #1 ends: A is durable → fsync #2 starts (covers B and C) → …
 *
 * This is what `synchronous=FULL` does inside COMMIT (sync the WAL after writing the transaction),
 * except that the main thread keeps executing runs while the disk syncs, and one fsync covers many
 * commits. A caller that must not move on before its write is durable awaits `write()`; its promise
 * resolves only after an fsync that started after its commit has finished. Trace rows use `post()`:
 * ordered, committed with the batch, never awaited. With no WAL path (tests, `:memory:`), `write()`
 * resolves at commit.
 */
import { fsync, openSync, closeSync, fsyncSync } from 'node:fs';
import type { Db } from './database';

type Op = () => void;

/**
 * A commit that lands while an fsync is running need not wait for it to end before its own starts:
 * a second fsync may run beside it (each waiter still waits for one that started after its commit).
 */
const MAX_FSYNCS_IN_FLIGHT = 2;
type Waiter = { resolve: () => void; reject: (e: Error) => void };

export interface GroupCommitStats {
  commits: number;
  writes: number;
  fsyncs: number;
}

export interface GroupCommitOptions {
  /** The database's `-wal` file; fsynced after commits. Omit to resolve writes at commit. */
  walPath?: string;
  onError?: (e: Error) => void;
}

export class GroupCommitWriter {
  private ops: Op[] = [];
  /** Index in `ops` of the pending post for a key, so a newer post of the same row replaces it. */
  private keyed = new Map<string, number>();
  private waiters: Waiter[] = [];
  /** Called right after the commit, before the fsync: work that may start early but must not be acknowledged yet. */
  private committedCallbacks: (() => void)[] = [];
  /** Committed, waiting for the next fsync to start. */
  private committed: Waiter[] = [];
  private syncing = 0;
  private scheduled = false;
  private failure: Error | null = null;
  private walFd: number | null = null;
  readonly stats: GroupCommitStats = { commits: 0, writes: 0, fsyncs: 0 };

  constructor(
    private readonly db: Db,
    private readonly options: GroupCommitOptions = {},
  ) {
    if (options.walPath) this.walFd = openSync(options.walPath, 'r');
  }

  /**
   * Queue a write; the promise resolves once it is committed and fsynced.
   * `touchesKey` names a keyed row (see `post`) this write also changes.
   */
  write(op: Op, touchesKey?: string, onCommitted?: () => void): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    // Seal the pending post of that row: a later post must not jump ahead of this write.
    if (touchesKey !== undefined) this.keyed.delete(touchesKey);
    this.ops.push(op);
    if (onCommitted) this.committedCallbacks.push(onCommitted);
    this.schedule();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /**
   * Queue a write nobody waits for (trace rows). With a key, a later post of the same key replaces
   * a pending one in place: a node that starts and finishes within one batch costs one row write.
   * The replacing op must write the complete row (an upsert), since the replaced one never runs.
   */
  post(op: Op, key?: string): void {
    if (this.failure) return;
    if (key !== undefined) {
      const at = this.keyed.get(key);
      if (at !== undefined) {
        this.ops[at] = op;
        return;
      }
      this.keyed.set(key, this.ops.length);
    }
    this.ops.push(op);
    this.schedule();
  }

  /** Resolves once everything committed so far (by anyone on this database) is durable. */
  sync(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    this.flush();
    if (this.walFd === null) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.committed.push({ resolve, reject });
      this.startSync();
    });
  }

  /** Commit everything queued now (synchronously); durability follows with the next fsync. */
  flush(): void {
    this.scheduled = false;
    if (this.ops.length === 0) return;
    const ops = this.ops;
    const waiters = this.waiters;
    const callbacks = this.committedCallbacks;
    this.ops = [];
    this.waiters = [];
    this.committedCallbacks = [];
    this.keyed.clear();
    try {
      this.db.transaction(() => {
        for (const op of ops) op();
      })();
      this.stats.commits++;
      this.stats.writes += ops.length;
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      this.options.onError?.(error);
      for (const w of waiters) w.reject(error);
      return;
    }
    for (const cb of callbacks) {
      try {
        cb();
      } catch (e) {
        this.options.onError?.(e instanceof Error ? e : new Error(String(e)));
      }
    }
    if (this.walFd === null) {
      for (const w of waiters) w.resolve();
      return;
    }
    this.committed.push(...waiters);
    this.startSync();
  }

  /** After close, writes are refused with this error; everything committed is fsynced first. */
  stop(reason: Error): void {
    this.flush();
    this.failure = reason;
    if (this.walFd !== null) {
      fsyncSync(this.walFd);
      const waiting = this.committed;
      this.committed = [];
      waiting.forEach((w) => w.resolve());
      closeSync(this.walFd);
      this.walFd = null;
    }
  }

  private startSync() {
    if (this.syncing >= MAX_FSYNCS_IN_FLIGHT || this.committed.length === 0 || this.walFd === null) return;
    this.syncing++;
    const batch = this.committed;
    this.committed = [];
    fsync(this.walFd, (err) => {
      this.syncing--;
      this.stats.fsyncs++;
      if (err) {
        // The disk refused to make the data durable: nothing may be acknowledged any more.
        this.failure = err;
        this.options.onError?.(err);
        batch.forEach((w) => w.reject(err));
        this.committed.forEach((w) => w.reject(err));
        this.committed = [];
        return;
      }
      batch.forEach((w) => w.resolve());
      this.startSync();
    });
  }

  private schedule() {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }
}
