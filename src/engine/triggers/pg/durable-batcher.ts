/**
 * Between the replication stream and the journal: collects shaped changes, writes everything
 * received in one event-loop turn as one batch of runs (one transaction, one fsync via group
 * commit), and confirms a source position only after the batch holding it is durable. Batches
 * complete in submission order, so confirmations are monotonic.
 *
 * Backpressure: when more than `maxInFlight` changes are received but not yet durable, the
 * stream is paused until half of them are written — memory stays bounded whatever the
 * transaction size or the engine's speed.
 */
import type { ShapedChange } from './change-shaper';
import type { Lsn } from './lsn';

export interface BatchItem {
  runs: ShapedChange[];
  /** Source position that is safe to confirm once this item (and all before it) is durable. */
  lsn: Lsn | null;
  /** Extra synchronous write in the same transaction (e.g. the backfill cursor). */
  alsoWrite?: () => void;
  onDurable?: () => void;
}

export interface BatcherDeps {
  /** Creates the runs and runs `alsoWrite` in the same durable transaction. */
  write(runs: ShapedChange[], alsoWrite: () => void): Promise<{ created: number }>;
  /** Records the confirmed position (inside the transaction). */
  persistLsn(lsn: Lsn): void;
  /** Tells Postgres (after the transaction is durable). */
  confirm(lsn: Lsn): void;
  pause(): void;
  resume(): void;
  onError(error: Error): void;
  onCreated(count: number): void;
  maxInFlight: number;
}

export class DurableBatcher {
  private pending: BatchItem[] = [];
  private pendingRuns = 0;
  private inFlight = 0;
  private tail: Promise<void> = Promise.resolve();
  private scheduled = false;
  private paused = false;
  private failed = false;

  constructor(private readonly deps: BatcherDeps) {}

  submit(item: BatchItem): void {
    if (this.failed) return;
    this.pending.push(item);
    this.pendingRuns += item.runs.length;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    if (!this.paused && this.inFlight + this.pendingRuns >= this.deps.maxInFlight) {
      this.paused = true;
      this.deps.pause();
    }
  }

  /** Resolves when everything submitted so far is durable (or the batcher failed). */
  drained(): Promise<void> {
    if (this.pending.length > 0) this.flush();
    return this.tail;
  }

  /** Changes received and not yet durable. */
  get backlog(): number {
    return this.inFlight + this.pendingRuns;
  }

  private flush() {
    this.scheduled = false;
    if (this.pending.length === 0 || this.failed) return;
    const items = this.pending;
    const count = this.pendingRuns;
    this.pending = [];
    this.pendingRuns = 0;
    this.inFlight += count;
    const runs = items.length === 1 ? items[0]!.runs : items.flatMap((i) => i.runs);
    let lsn: Lsn | null = null;
    for (const i of items) if (i.lsn !== null && (lsn === null || i.lsn > lsn)) lsn = i.lsn;
    const extra = items.filter((i) => i.alsoWrite);
    const needsWrite = runs.length > 0 || extra.length > 0;
    const write = needsWrite
      ? this.deps.write(runs, () => {
          if (lsn !== null) this.deps.persistLsn(lsn);
          for (const i of extra) i.alsoWrite!();
        })
      : Promise.resolve({ created: 0 });
    this.tail = Promise.all([this.tail, write]).then(
      ([, result]) => {
        if (this.failed) return;
        // Durable: now, and only now, may Postgres forget these changes.
        if (lsn !== null) this.deps.confirm(lsn);
        for (const i of items) i.onDurable?.();
        this.inFlight -= count;
        if (result.created > 0) this.deps.onCreated(result.created);
        if (this.paused && this.backlog < this.deps.maxInFlight / 2) {
          this.paused = false;
          this.deps.resume();
        }
      },
      (e: unknown) => {
        if (this.failed) return;
        this.failed = true;
        this.deps.onError(e instanceof Error ? e : new Error(String(e)));
      },
    );
  }
}
