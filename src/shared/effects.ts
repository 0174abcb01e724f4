/** The effect ledger as the API shows it (src/engine/store/effect-ledger.ts builds it). */
import { z } from 'zod';
import type { ColumnInfo } from './services';

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

/** Sink and ledger methods of the EngineApi (kept here so api.ts gains one line each). */
export interface SinkApi {
  /** The effect ledger: every effect of a run (or a flow), with its key, target, answer and "may have been delivered before". */
  listEffects(arg: { runId?: string; flowId?: string; limit?: number }): Promise<EffectRecord[]>;
  /** Per sink node of the flow: runs that reached it vs effects recorded, and every gap. */
  reconcileEffects(arg: { flowId: string }): Promise<EffectReconciliation>;
  /** Tables of the Postgres database a postgres-sink config points at (the inspector's picker). */
  listSinkTables(arg: { config: unknown }): Promise<{ schema: string; table: string }[]>;
  /** Columns of the config's table (Postgres or SQLite sink), with types. */
  listSinkColumns(arg: { type: string; config: unknown }): Promise<ColumnInfo[]>;
  /**
   * A sink's Test button: executes the node once with `sample` as its input against the real
   * target, outside any run. Marked as a test: its idempotency key starts with `millrace-test:`.
   */
  testSink(arg: { type: string; config: unknown; sample?: unknown }): Promise<SinkTestResult>;
}

export type SinkTestResult = { ok: true; key: string; output: unknown; logs: string[] } | { ok: false; key: string; error: string; logs: string[] };

const id = z.string().min(1).max(64);
export const sinkApiArgs = {
  listEffects: z.object({ runId: id.optional(), flowId: id.optional(), limit: z.number().int().min(1).max(10_000).optional() }).strict(),
  reconcileEffects: z.object({ flowId: id }).strict(),
  listSinkTables: z.object({ config: z.unknown() }).strict(),
  listSinkColumns: z.object({ type: z.enum(['postgres-sink@1', 'sqlite-sink@1']), config: z.unknown() }).strict(),
  testSink: z.object({ type: z.string().min(1).max(100), config: z.unknown(), sample: z.unknown().optional() }).strict(),
};
