/**
 * The store as an async contract: what the engine needs from any durable store — the run queue,
 * the step journal, signals, waits and source positions — with every promise resolving only once
 * what it reports is durable. SQLite implements it here (group commit + the WAL fsync frontier);
 * a Postgres store for many workers must implement the same contract, where "durable" is the
 * commit acknowledgement. `store-contract.ts` is the test suite any implementation must pass.
 *
 * The runner still talks to the synchronous-read Journal (runtime/journal.ts) for speed; this
 * contract is the boundary a second store is written against.
 */
import type { Db } from './database';
import type { GroupCommitWriter } from './group-commit';
import type { RunQueue, ClaimableRun } from './run-queue';
import type { NewRun, StoredStep, StoredWait } from '../runtime/journal';
import { RunStore } from './run-store';

export interface DurableStore {
  /** Creates a run (or finds the one with its dedupe key). Durable when it resolves. */
  createRun(run: NewRun): Promise<{ runId: string; deduplicated: boolean }>;
  /** Creates runs and records a source position in one durable unit: never one without the other. */
  createRuns(runs: NewRun[], position: { source: string; value: string }): Promise<{ created: number; deduplicated: number }>;
  /** Runs that may start now; a run whose creation is not yet durable is never among them. */
  claimable(now: number, limit: number): Promise<ClaimableRun[]>;
  /** First delivery wins; a signal sent before anyone waits is kept. Durable when it resolves. */
  signal(runId: string, name: string, payload: unknown, now: number): Promise<{ accepted: boolean }>;
  getSignal(runId: string, name: string): Promise<{ payload: unknown } | undefined>;
  /** A step result; the first write of a (run, node, step) wins. Durable when it resolves. */
  putStep(runId: string, nodeId: string, name: string, nodeType: string, value: unknown, now: number): Promise<void>;
  getStep(runId: string, nodeId: string, name: string): Promise<StoredStep>;
  registerWait(runId: string, nodeId: string, name: string, wakeAt: number | null, signal: string | null, now: number): Promise<void>;
  resolveWait(runId: string, nodeId: string, name: string, result: unknown, now: number): Promise<void>;
  getWait(runId: string, nodeId: string, name: string): Promise<StoredWait | undefined>;
  position(source: string): Promise<string | undefined>;
  /** The durability frontier: the sequence number of the newest write, and a wait for a point of it. */
  lastSeq(): number;
  whenDurable(seq: number): Promise<void>;
}

export class SqliteDurableStore implements DurableStore {
  private readonly journal: RunStore;

  constructor(
    private readonly db: Db,
    private readonly writer: GroupCommitWriter,
    private readonly queue: RunQueue,
  ) {
    this.journal = new RunStore(db, writer);
  }

  createRun(run: NewRun) {
    return this.queue.enqueue(run, run.flowName);
  }
  createRuns(runs: NewRun[], position: { source: string; value: string }) {
    const set = this.db.prepare(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`);
    return this.queue.enqueueMany(runs, runs[0]?.flowName ?? '', () => void set.run(`position:${position.source}`, position.value));
  }
  async claimable(now: number, limit: number) {
    return this.queue.claimable(now, limit);
  }
  signal(runId: string, name: string, payload: unknown, now: number) {
    return this.queue.signal(runId, name, payload, now);
  }
  async getSignal(runId: string, name: string) {
    return this.journal.getSignal(runId, name);
  }
  putStep(runId: string, nodeId: string, name: string, nodeType: string, value: unknown, now: number) {
    return this.journal.putStep(runId, nodeId, name, nodeType, value, now);
  }
  async getStep(runId: string, nodeId: string, name: string) {
    return this.journal.getStep(runId, nodeId, name);
  }
  registerWait(runId: string, nodeId: string, name: string, wakeAt: number | null, signal: string | null, now: number) {
    return this.journal.registerWait(runId, nodeId, name, wakeAt, signal, now);
  }
  resolveWait(runId: string, nodeId: string, name: string, result: unknown, now: number) {
    return this.journal.resolveWait(runId, nodeId, name, result, now);
  }
  async getWait(runId: string, nodeId: string, name: string) {
    return this.journal.getWait(runId, nodeId, name);
  }
  async position(source: string) {
    return (this.db.prepare(`SELECT value FROM settings WHERE key = ?`).pluck().get(`position:${source}`) as string | undefined) ?? undefined;
  }
  lastSeq() {
    return this.writer.lastSeq;
  }
  whenDurable(seq: number) {
    return this.writer.whenDurable(seq);
  }
}
