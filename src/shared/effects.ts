/** The effect ledger as the API shows it (src/engine/store/effect-ledger.ts builds it). */

export interface EffectRecord {
  runId: string;
  flowId: string;
  nodeId: string;
  /** The effect's step name (e.g. "write", "deliver", "append"). */
  step: string;
  /** Where the run came from: its dedupe key (for CDC runs the commit LSN + position in the transaction). */
  sourcePosition: string | null;
  /** Set for re-runs. */
  parentRunId: string | null;
  idempotencyKey: string;
  /** e.g. "postgres:host:5432/db/public.orders", "webhook:POST https://…" (null for effects that do not say). */
  target: string | null;
  /** What the target answered, short (null while in doubt). */
  answer: string | null;
  /** False when the target already had the key (nothing new was written); null when unknown. */
  applied: boolean | null;
  /** True when an earlier attempt started and its result was never recorded (a crash, a cut connection); null when the effect does not say. */
  mayHaveRunBefore: boolean | null;
  /** done: the result is recorded; started: the effect began and no result is recorded (in flight, failed, or cut by a crash). */
  state: 'done' | 'started';
  startedAt: number;
  finishedAt: number | null;
}

export interface EffectGap {
  kind: 'reached-without-effect' | 'effect-in-doubt' | 'key-applied-twice';
  runId: string;
  nodeId: string;
  message: string;
}

export interface EffectReconciliation {
  flowId: string;
  /** Per sink node: runs that reached it vs effects recorded. */
  nodes: { nodeId: string; nodeName: string; reached: number; effects: number; applied: number; mayHaveRunBefore: number }[];
  gaps: EffectGap[];
}
