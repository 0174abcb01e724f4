/**
 * Group commit and the durability frontier.
 *
 * Every queued write gets a sequence number. Writes of one event-loop turn are committed together
 * in one SQLite transaction (no fsync inside COMMIT: `synchronous=NORMAL`); `committedSeq` is the
 * highest number in a committed batch. An fsync of the WAL file then runs on libuv's thread pool;
 * when it succeeds, every write committed before it *started* is on disk and `durableSeq` advances
 * to that point. Nothing is acknowledged before `durableSeq` has passed it:
 *
 *   writes 1..3 commit → fsync A starts (target 3) → 4..9 commit → A ends: durableSeq = 3
 *   → fsync B starts (target 9) → …
 *
 * One number instead of a pile of promises: an effect waits until `durableSeq` reaches the last
 * write its run made (`whenDurable(seq)`); the scheduler claims a run only once the write that
 * created it is durable. With a Postgres store, `durableSeq` would be the commit acknowledgement.
 *
 * A full disk is not fatal: a batch that fails with SQLITE_FULL is kept, in order, ahead of every
 * newer write and committed again with backoff until space returns; the runs that wait on it just
 * wait, and resume without a restart. Writes that create something a caller is waiting to hear
 * about (`startRun`) are refused at once instead (`refuseWhenFull`): "the disk is full" now beats
 * a spinner that lasts until someone frees space.
 *
 * An fsync error is fatal (PostgreSQL's lesson, "fsyncgate"): Linux reports a writeback error once
 * per file, so a later fsync returning 0 proves nothing about the pages the failed one covered.
 * Every write not yet durable is rejected, nothing is acknowledged on this file again, and
 * `onFatal` lets the owner reopen the database and recover from what is really on disk.
 */
import * as nodeFs from 'node:fs';
import type { Db } from './database';

type Op = () => void;

/** The file operations durability rests on; injected so tests can simulate power loss and broken disks. */
export interface DurabilityFs {
  openSync(path: string, flags: string): number;
  closeSync(fd: number): void;
  fsync(fd: number, callback: (err: NodeJS.ErrnoException | null) => void): void;
  fsyncSync(fd: number): void;
}

export const realDurabilityFs: DurabilityFs = {
  openSync: (path, flags) => nodeFs.openSync(path, flags),
  closeSync: (fd) => nodeFs.closeSync(fd),
  fsync: (fd, cb) => nodeFs.fsync(fd, cb),
  fsyncSync: (fd) => nodeFs.fsyncSync(fd),
};

export interface GroupCommitStats {
  commits: number;
  writes: number;
  fsyncs: number;
}

export interface GroupCommitOptions {
  /** The database's WAL file (as SQLite sees it: symlinks resolved); fsynced after commits. Omit to treat commits as durable (tests, `:memory:`). */
  walPath?: string;
  fs?: DurabilityFs;
  onError?: (e: Error) => void;
  /** The disk filled up (a batch was kept for retry: `error`), or space came back (`null`). */
  onStall?: (error: Error | null) => void;
  /** First retry delay of a batch that failed on a full disk; doubles up to 2 s. */
  fullRetryMs?: number;
  /** An fsync failed: the writer is dead. The owner should reopen the database. */
  onFatal?: (e: Error) => void;
  /**
   * Broken on purpose, for the power-loss test's negative control: acknowledge at commit, before
   * the fsync. Never set outside tests.
   */
  unsafeAcknowledgeAtCommit?: boolean;
  /**
   * A second fsync may start while one runs; each still only counts for what was committed before
   * it started, and the frontier advances in start order. 1 keeps the disk (and a core) calmer.
   */
  maxFsyncsInFlight?: number;
}

interface Waiter {
  seq: number;
  resolve: () => void;
  reject: (e: Error) => void;
}

/** SQLite's answer when the disk (or the database's size cap) is full. */
export const isDiskFull = (e: unknown): boolean => (e as { code?: unknown } | null)?.code === 'SQLITE_FULL';

interface StalledBatch {
  ops: Op[];
  waiters: Waiter[];
  last: number;
  error: Error;
  attempt: number;
  timer: ReturnType<typeof setTimeout>;
}

export class GroupCommitWriter {
  private ops: Op[] = [];
  /** Ops whose callers asked to be refused, not kept waiting, when the disk is full. */
  private readonly refusable = new WeakSet<Op>();
  /** A batch that failed on a full disk, retried with backoff ahead of everything newer. */
  private stalled: StalledBatch | null = null;
  /** Sequence number of each op in `ops`. */
  private opSeqs: number[] = [];
  /** Index in `ops` of the pending post for a key, so a newer post of the same row replaces it. */
  private keyed = new Map<string, number>();
  /** Per-write acknowledgements of the batch being accumulated (rejected if its commit fails). */
  private batchWaiters: Waiter[] = [];
  /** Committed writes waiting for the frontier, in seq order. */
  private waiters: Waiter[] = [];
  private lastQueuedSeq = 0;
  private committed = 0;
  private durable = 0;
  /** Fsyncs in flight, in start order, with the frontier each will establish. */
  private inFlight: { target: number; done: boolean; ok: boolean }[] = [];
  private scheduled = false;
  private failure: Error | null = null;
  private fatal = false;
  private walFd: number | null = null;
  private readonly fs: DurabilityFs;
  private readonly maxInFlight: number;
  private drained: (() => void)[] = [];
  /** The broken variant's own record of what its late fsyncs covered. */
  private syncedUnsafe = 0;
  readonly stats: GroupCommitStats = { commits: 0, writes: 0, fsyncs: 0 };

  constructor(
    private readonly db: Db,
    private readonly options: GroupCommitOptions = {},
  ) {
    this.fs = options.fs ?? realDurabilityFs;
    this.maxInFlight = options.maxFsyncsInFlight ?? 1;
    // Read-write: Windows' FlushFileBuffers needs write access to the handle.
    if (options.walPath) this.walFd = this.fs.openSync(options.walPath, 'r+');
  }

  /** Highest write sequence number committed to SQLite (visible to reads, maybe not on disk). */
  get committedSeq(): number {
    return this.committed;
  }

  /** Highest write sequence number known to be on disk. */
  get durableSeq(): number {
    return this.durable;
  }

  /** The sequence number of the newest write queued so far (committed or not). */
  get lastSeq(): number {
    return this.lastQueuedSeq;
  }

  /** Size of the WAL file (0 without one), read through the writer's own descriptor. */
  walBytes(): number {
    return this.walFd === null ? 0 : nodeFs.fstatSync(this.walFd).size;
  }

  get failed(): Error | null {
    return this.failure;
  }

  /** The disk-full error while a batch waits for space, else null. */
  get stalledOn(): Error | null {
    return this.stalled?.error ?? null;
  }

  /**
   * Queue a write; resolves once it is committed and durable, rejects if its batch fails.
   * `touchesKey` names a keyed row (see `post`) this write also changes.
   */
  write(op: Op, touchesKey?: string): Promise<void> {
    return this.writeSeq(op, touchesKey).done;
  }

  /** `write`, also returning the write's sequence number (for `whenDurable`). */
  writeSeq(op: Op, touchesKey?: string, options: { refuseWhenFull?: boolean } = {}): { seq: number; done: Promise<void> } {
    if (this.failure) return { seq: this.lastQueuedSeq, done: Promise.reject(this.failure) };
    if (options.refuseWhenFull) {
      if (this.stalled) return { seq: this.lastQueuedSeq, done: Promise.reject(this.stalled.error) };
      this.refusable.add(op);
    }
    // Seal the pending post of that row: a later post must not jump ahead of this write.
    if (touchesKey !== undefined) this.keyed.delete(touchesKey);
    const seq = this.enqueue(op);
    const done = new Promise<void>((resolve, reject) => this.batchWaiters.push({ seq, resolve, reject }));
    return { seq, done };
  }

  /**
   * Queue a write nobody waits for (trace rows). With a key, a later post of the same key replaces
   * a pending one in place: a node that starts and finishes within one batch costs one row write.
   * The replacing op must write the complete row (an upsert), since the replaced one never runs.
   */
  post(op: Op, key?: string): number {
    if (this.failure) return this.lastQueuedSeq;
    if (key !== undefined) {
      const at = this.keyed.get(key);
      if (at !== undefined) {
        this.ops[at] = op;
        return this.opSeqs[at]!;
      }
      this.keyed.set(key, this.ops.length);
    }
    return this.enqueue(op);
  }

  /** Resolves once durableSeq ≥ seq; rejects if the writer has died first. */
  whenDurable(seq: number): Promise<void> {
    if (seq <= this.durable) return Promise.resolve();
    if (this.failure) return Promise.reject(this.failure);
    if (this.options.unsafeAcknowledgeAtCommit && seq <= this.committed) {
      this.advance(this.committed);
      return Promise.resolve();
    }
    const p = new Promise<void>((resolve, reject) => this.insertWaiter({ seq, resolve, reject }));
    // Not committed yet: the scheduled flush commits it (never flush here: a caller waiting on the
    // frontier must yield to the event loop, or runs that only wait on each other could spin).
    if (seq > this.committed) this.schedule();
    else this.startSync();
    return p;
  }

  /** Resolves once everything committed so far (by anyone on this database, direct writes included) is durable. */
  sync(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    // A stalled batch holds seqs below the next one: moving the frontier past them would declare
    // them durable. An empty write queued behind the stall is durable only after everything before it.
    if (this.stalled) return this.write(() => {});
    this.flush();
    if (this.walFd === null) return Promise.resolve();
    // Direct writes (flow saves) commit outside the writer: count them as a write of their own.
    const seq = ++this.lastQueuedSeq;
    this.committed = seq;
    if (this.options.unsafeAcknowledgeAtCommit) {
      this.advance(seq);
      this.startSync();
    }
    return this.whenDurable(seq);
  }

  /** Commit everything queued now (synchronously); durability follows with the next fsync. */
  flush(): void {
    this.scheduled = false;
    // While the disk is full only the retry timer commits (in order: the stalled batch first).
    if (this.stalled) return;
    if (this.ops.length === 0) return;
    const ops = this.ops;
    const seqs = this.opSeqs;
    const batch = this.batchWaiters;
    const last = this.lastQueuedSeq;
    this.ops = [];
    this.opSeqs = [];
    this.batchWaiters = [];
    this.keyed.clear();
    this.commit(ops, seqs, batch, last, 0);
  }

  private commit(ops: Op[], seqs: number[], batch: Waiter[], last: number, attempt: number): void {
    try {
      this.db.transaction(() => {
        for (const op of ops) op();
      })();
      this.stats.commits++;
      this.stats.writes += ops.length;
      if (attempt > 0) this.options.onStall?.(null);
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      if (isDiskFull(e) && !this.failure) {
        this.stall(ops, seqs, batch, last, error, attempt);
        return;
      }
      this.options.onError?.(error);
      for (const w of batch) w.reject(error);
      // The frontier still moves past these numbers: their writes are gone, and their owners were told.
      this.committed = last;
      return;
    }
    this.committed = last;
    if (this.walFd === null || this.options.unsafeAcknowledgeAtCommit) {
      for (const w of batch) w.resolve();
      this.advance(last);
      // The broken variant still fsyncs, just too late: the data reaches the disk a moment after the "ok".
      if (this.options.unsafeAcknowledgeAtCommit) this.startSync();
      return;
    }
    for (const w of batch) this.insertWaiter(w);
    this.startSync();
  }

  /**
   * Keeps a batch that failed on a full disk (SQLite rolled it back) and commits it again later.
   * Refusable ops leave the batch now and their callers hear why; nothing else is lost or reordered.
   */
  private stall(ops: Op[], seqs: number[], batch: Waiter[], last: number, error: Error, attempt: number): void {
    const refused = new Set<number>();
    const keep: Op[] = [];
    const keepSeqs: number[] = [];
    ops.forEach((op, i) => {
      if (this.refusable.has(op)) refused.add(seqs[i]!);
      else {
        keep.push(op);
        keepSeqs.push(seqs[i]!);
      }
    });
    for (const w of batch) if (refused.has(w.seq)) w.reject(error);
    const waiters = batch.filter((w) => !refused.has(w.seq));
    if (attempt === 0) this.options.onStall?.(error);
    const delay = Math.min(2000, (this.options.fullRetryMs ?? 100) * 2 ** Math.min(attempt, 10));
    const timer = setTimeout(() => this.retryStalled(), delay);
    this.stalled = { ops: keep, waiters, last, error, attempt: attempt + 1, timer };
    // The retry commits these seqs with the stalled batch; nothing between is committed before it.
    this.stalledSeqs = keepSeqs;
  }
  private stalledSeqs: number[] = [];

  /** One more try: the stalled batch first, then everything queued since, in one transaction. */
  private retryStalled(): void {
    const st = this.stalled;
    if (!st || this.failure) return;
    this.stalled = null;
    const ops = [...st.ops, ...this.ops];
    const seqs = [...this.stalledSeqs, ...this.opSeqs];
    const batch = [...st.waiters, ...this.batchWaiters];
    const last = this.lastQueuedSeq;
    this.ops = [];
    this.opSeqs = [];
    this.batchWaiters = [];
    this.keyed.clear();
    this.stalledSeqs = [];
    this.scheduled = false;
    this.commit(ops, seqs, batch, last, st.attempt);
  }

  /** Resolves when no fsync is running (checkpoints must not race the frontier). */
  idle(): Promise<void> {
    if (this.inFlight.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.drained.push(resolve));
  }

  /**
   * After close, writes are refused with this error. Everything committed is made durable first,
   * once no fsync is running any more, so the file descriptor is never closed under a queued fsync.
   */
  async stop(reason: Error): Promise<void> {
    if (!this.failure) this.flush();
    const alreadyFailed = this.failure;
    this.failure ??= reason;
    await this.idle();
    if (this.walFd !== null) {
      if (!alreadyFailed) {
        try {
          this.fs.fsyncSync(this.walFd);
          this.advance(this.committed);
        } catch (e) {
          this.die(e instanceof Error ? e : new Error(String(e)));
        }
      }
      this.fs.closeSync(this.walFd);
      this.walFd = null;
    }
    this.rejectAll(this.failure);
  }

  private enqueue(op: Op): number {
    const seq = ++this.lastQueuedSeq;
    this.ops.push(op);
    this.opSeqs.push(seq);
    this.schedule();
    return seq;
  }

  private schedule() {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  private insertWaiter(w: Waiter) {
    // Almost always appended in order; a late whenDurable(small seq) is placed where it belongs.
    let i = this.waiters.length;
    while (i > 0 && this.waiters[i - 1]!.seq > w.seq) i--;
    this.waiters.splice(i, 0, w);
  }

  private startSync() {
    if (this.fatal || this.walFd === null) return;
    if (this.inFlight.length >= this.maxInFlight) return;
    const unsafe = this.options.unsafeAcknowledgeAtCommit === true;
    const lastStarted = this.inFlight.at(-1)?.target ?? (unsafe ? this.syncedUnsafe : this.durable);
    // Nothing new since the last fsync started (or nobody waits): no fsync needed.
    if (this.committed <= lastStarted || (this.waiters.length === 0 && !unsafe)) return;
    const entry = { target: this.committed, done: false, ok: false };
    this.inFlight.push(entry);
    this.fs.fsync(this.walFd, (err) => {
      this.stats.fsyncs++;
      entry.done = true;
      entry.ok = !err;
      if (err) this.die(err);
      // The frontier advances in start order: a later fsync's success says nothing about an earlier one's range.
      while (this.inFlight.length > 0 && this.inFlight[0]!.done) {
        const head = this.inFlight.shift()!;
        if (head.ok && !this.fatal) {
          this.syncedUnsafe = head.target;
          this.advance(head.target);
        }
      }
      if (this.inFlight.length === 0) {
        const drained = this.drained;
        this.drained = [];
        drained.forEach((d) => d());
      }
      this.startSync();
    });
  }

  private advance(target: number) {
    if (target <= this.durable) return;
    this.durable = target;
    let n = 0;
    while (n < this.waiters.length && this.waiters[n]!.seq <= target) n++;
    const ready = this.waiters.splice(0, n);
    for (const w of ready) w.resolve();
  }

  private die(err: Error) {
    if (this.fatal) return;
    this.fatal = true;
    const error = Object.assign(new Error(`the disk failed to make the journal durable (${err.message}); nothing more is acknowledged on this file`), {
      code: (err as NodeJS.ErrnoException).code ?? 'EIO',
      cause: err,
    });
    this.failure = error;
    this.options.onError?.(error);
    this.rejectAll(error);
    this.options.onFatal?.(error);
  }

  private rejectAll(error: Error) {
    const stalled = this.stalled;
    this.stalled = null;
    if (stalled) clearTimeout(stalled.timer);
    const waiting = [...this.waiters, ...this.batchWaiters, ...(stalled?.waiters ?? [])];
    this.waiters = [];
    this.batchWaiters = [];
    waiting.forEach((w) => w.reject(error));
  }
}
