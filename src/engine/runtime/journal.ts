/**
 * What the runner reads from and writes to. Two implementations: SQLite with group commit (the
 * app; src/engine/store/run-store.ts) and in-memory (unit tests; ./memory-journal.ts).
 * Methods returning a Promise are durability points: the runner awaits them before moving on.
 * The others are trace writes, applied in order but not awaited.
 */
import type { ErrorInfo, WaitInfo } from '../../shared/runs';

export interface NewRun {
  id: string;
  flowId: string;
  flowVersion: number;
  flowName: string;
  input: unknown;
  createdAt: number;
  dedupeKey?: string | null;
  orderingKey?: string | null;
  parentRunId?: string | null;
  /** A re-run: the run its effects repeat (idempotency keys are built from it). Default: the run itself. */
  effectKeyRunId?: string | null;
  /** A test run: labelled everywhere; sinks set to "skip on test runs" do not write. */
  test?: boolean;
  deadlineAt?: number | null;
  /** Re-run from a node: that node's input replaced by this value. */
  inputOverrides?: Record<string, unknown> | null;
}

export type StoredStep = { found: true; value: unknown; nodeType: string } | { found: false };

/** What a run already did, loaded when it (re)starts: the replay state. */
export type NodeState =
  | { status: 'succeeded'; outputs: Record<string, unknown> }
  | { status: 'skipped' }
  | { status: 'failed'; error: ErrorInfo }
  | { status: 'running' | 'waiting'; failedAttempts: number; retryAt: number | null };

export interface StoredWait {
  wakeAt: number | null;
  resolved: boolean;
  result: unknown;
}

export type FinalStatus = 'succeeded' | 'failed' | 'cancelled';
export type RunError = (ErrorInfo & { nodeId?: string }) | null;

export interface Journal {
  runStarted(runId: string, at: number): void;
  runWaiting(runId: string, wakeAt: number | null, at: number): Promise<void>;
  /**
   * `skipIf` is asked inside the transaction that would write the end: when it answers true (an
   * earlier write of the run failed), nothing is written, so a run never ends recorded without its
   * steps. The promise still resolves once durable; the caller then reports the failed write.
   */
  runFinished(runId: string, status: FinalStatus, error: RunError, at: number, skipIf?: () => boolean): Promise<void>;

  loadNodeStates(runId: string): Map<string, NodeState>;
  nodeStarted(runId: string, nodeId: string, nodeType: string, input: unknown, attempt: number, at: number): void;
  /** `outputs` is the full port record (replayed on resume); `shown` is what the trace displays. */
  nodeSucceeded(runId: string, nodeId: string, outputs: Record<string, unknown>, shown: unknown, at: number): void;
  nodeFailed(runId: string, nodeId: string, error: ErrorInfo, at: number): void;
  nodeSkipped(runId: string, nodeId: string, nodeType: string, at: number): void;
  nodeWaiting(runId: string, nodeId: string, waiting: WaitInfo, at: number): void;
  /** Durable: the attempt count must survive a crash, or a crash loop would retry forever. */
  attemptFailed(runId: string, nodeId: string, attempt: number, error: ErrorInfo, retryAt: number, at: number): Promise<void>;

  getStep(runId: string, nodeId: string, name: string): StoredStep;
  putStep(runId: string, nodeId: string, name: string, nodeType: string, value: unknown, at: number): Promise<void>;

  getWait(runId: string, nodeId: string, name: string): StoredWait | undefined;
  registerWait(runId: string, nodeId: string, name: string, wakeAt: number | null, signal: string | null, at: number): Promise<void>;
  resolveWait(runId: string, nodeId: string, name: string, result: unknown, at: number): Promise<void>;
  getSignal(runId: string, name: string): { payload: unknown } | undefined;

  /**
   * The durability frontier. `lastSeq()` is the sequence number of the newest write queued so far
   * (read it right after a write to learn that write's number); `whenDurable(seq)` resolves once
   * every write up to it is on disk, and rejects if the store can no longer make it so.
   */
  lastSeq(): number;
  whenDurable(seq: number): Promise<void>;
}
