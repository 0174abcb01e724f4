/**
 * Run history and per-node analytics: the contract between the engine's SQL (store/run-history.ts,
 * store/run-analytics.ts) and the runs list, heatmap and charts. Pages are keyset-paged: a cursor
 * names the last row seen, so page 2,000 costs what page 1 costs.
 */
import { z } from 'zod';
import type { RunSummary } from './runs';

const id = z.string().min(1).max(64);
const time = z.number().int().min(0).max(8.64e15);

export const RUN_STATUSES = ['queued', 'running', 'waiting', 'succeeded', 'failed', 'cancelled'] as const;

export const runHistoryQuerySchema = z
  .object({
    flowId: id,
    /** From the previous page's `nextCursor`; absent for the first page. */
    cursor: z.string().max(100).optional(),
    limit: z.number().int().min(1).max(500).optional(),
    status: z.array(z.enum(RUN_STATUSES)).max(6).optional(),
    /** Created at or after / before (ms since epoch). */
    from: time.optional(),
    to: time.optional(),
    flowVersion: z.number().int().min(1).optional(),
    /** `schema.table` of a change trigger. */
    triggerTable: z.string().min(1).max(300).optional(),
    triggerOp: z.enum(['insert', 'update', 'delete', 'read']).optional(),
    hasError: z.boolean().optional(),
    minDurationMs: z.number().min(0).optional(),
    minCostUsd: z.number().min(0).optional(),
    /** Words searched in a bounded extract of the run's input, node outputs and errors (FTS5). */
    text: z.string().max(200).optional(),
  })
  .strict();
export type RunHistoryQuery = z.infer<typeof runHistoryQuerySchema>;

/** What started a run: a person (manual / re-run) or a database change. */
export type RunOrigin =
  | { kind: 'manual' }
  | { kind: 'rerun'; parentRunId: string }
  | { kind: 'change'; table: string; operation: string; key: Record<string, unknown> | null };

export interface RunHistoryRow extends RunSummary {
  origin: RunOrigin;
  /** Sum of the run's LLM costs, once it finished; null when none was priced. */
  costUsd: number | null;
  /** `pending` while a node waits for a signal (an approval). */
  approval: 'pending' | null;
}

export interface RunHistoryPage {
  rows: RunHistoryRow[];
  /** Pass back as `cursor` for the next page; null at the end. */
  nextCursor: string | null;
}

export const statsWindowSchema = z.object({ flowId: id, from: time, to: time }).strict();
export type StatsWindow = z.infer<typeof statsWindowSchema>;

/** Everything one node did in a window, for the canvas. */
export interface NodeStats {
  nodeId: string;
  /** Node runs that started in the window (skipped ones not counted). */
  runs: number;
  succeeded: number;
  failed: number;
  /** Still waiting (e.g. approvals pending). */
  waiting: number;
  /** failed / finished (succeeded + failed); null when none finished. */
  errorRate: number | null;
  /** Extra attempts (retries) over all runs. */
  retries: number;
  /** Nearest-rank percentiles of finished durations (ms). */
  p50Ms: number | null;
  p95Ms: number | null;
  maxMs: number | null;
  /** LLM nodes: summed priced cost, tokens, and the share of calls served from the cache. */
  costUsd: number | null;
  tokens: number | null;
  llmCalls: number;
  cacheHitRate: number | null;
}

export const nodeRunsQuerySchema = z
  .object({ flowId: id, nodeId: id, from: time, to: time, order: z.enum(['slowest', 'costliest', 'failing']), limit: z.number().int().min(1).max(100).optional() })
  .strict();
export type NodeRunsQuery = z.infer<typeof nodeRunsQuerySchema>;

export interface NodeRunRef {
  runId: string;
  status: string;
  startedAt: number | null;
  durationMs: number | null;
  costUsd: number | null;
  attempt: number;
  error: string | null;
}

export interface ErrorGroup {
  message: string;
  count: number;
  lastAt: number | null;
  /** The most recent run that failed with this message. */
  sampleRunId: string;
}

export const flowSeriesQuerySchema = z.object({ flowId: id, from: time, to: time, buckets: z.number().int().min(1).max(500) }).strict();
export type FlowSeriesQuery = z.infer<typeof flowSeriesQuerySchema>;

export interface FlowSeries {
  /** Start of each bucket (ms). */
  t: number[];
  runs: number[];
  failed: number[];
  costUsd: number[];
}

/** Cursor text: created_at and seq of the last row of a page. */
export function encodeCursor(createdAt: number, seq: number): string {
  return `${createdAt}.${seq}`;
}

export function decodeCursor(cursor: string): { createdAt: number; seq: number } | null {
  const m = /^(\d{1,16})\.(\d{1,16})$/.exec(cursor);
  return m ? { createdAt: Number(m[1]), seq: Number(m[2]) } : null;
}

/** Words as quoted FTS5 phrases (the last one a prefix), so user text is never FTS5 syntax. */
export function ftsQuery(text: string): string | null {
  const words = text
    .split(/[\s"]+/)
    .map((w) => w.replace(/[^\p{L}\p{N}_@.:-]/gu, ''))
    .filter((w) => w.length > 0)
    .slice(0, 12);
  if (words.length === 0) return null;
  return words.map((w, i) => `"${w}"${i === words.length - 1 ? '*' : ''}`).join(' ');
}

/** A node's pinned output: used instead of executing the node in manual runs. */
export interface PinInfo {
  nodeId: string;
  sourceRunId: string;
  pinnedAt: number;
  /** What the trace shows for the pinned output. */
  output: unknown;
}

export const pinArgsSchema = z.object({ flowId: id, nodeId: id, runId: id }).strict();
export const unpinArgsSchema = z.object({ flowId: id, nodeId: id }).strict();
export const listPinsArgsSchema = z.object({ flowId: id }).strict();
