/**
 * Runs, their events and their traces. A trace is a fold over run events: the live canvas applies
 * events one by one with `applyRunEvent`, a stored run is read back in the same shape.
 */
export type RunStatus = 'queued' | 'running' | 'waiting' | 'succeeded' | 'failed' | 'cancelled';
export type NodeRunStatus = 'pending' | 'running' | 'waiting' | 'succeeded' | 'failed' | 'skipped';
export const FINAL_RUN_STATUSES = ['succeeded', 'failed', 'cancelled'] as const;

/** Why a node is parked: a timer, a signal (e.g. an approval), or the backoff before a retry. */
export interface WaitInfo {
  kind: 'sleep' | 'signal' | 'retry';
  /** When the wait ends by itself (timer, signal timeout, retry time); null = only a signal ends it. */
  until: number | null;
  signal?: string;
}

/** One failed attempt of a node, kept in the trace. */
export interface AttemptInfo {
  attempt: number;
  error: ErrorInfo;
  at: number;
  /** When the next attempt was scheduled. */
  retryAt: number | null;
}

export interface ErrorInfo {
  message: string;
  /** The config field at fault, when known. */
  field?: string;
}

export interface RunSummary {
  id: string;
  flowId: string;
  flowVersion: number;
  flowName: string;
  status: RunStatus;
  createdAt: number;
  finishedAt: number | null;
  durationMs: number | null;
  error: (ErrorInfo & { nodeId?: string }) | null;
  /** Set when this run is a re-run of another. */
  parentRunId: string | null;
  /** When a waiting run wakes up by itself. */
  wakeAt: number | null;
  /** A test run (Run dialog: a sample or a recent row, not a real event). Absent on ordinary runs. */
  test?: boolean;
}

export interface NodeTrace {
  nodeId: string;
  /** `type@version` of the node when it ran. */
  nodeType: string;
  status: NodeRunStatus;
  startedAt: number | null;
  finishedAt: number | null;
  durationMs: number | null;
  input: unknown;
  output: unknown;
  error: ErrorInfo | null;
  /** Current attempt (1-based). */
  attempt: number;
  /** Failed attempts before the current one. */
  attempts: AttemptInfo[];
  waiting: WaitInfo | null;
  /**
   * Effects of this node that were sent again after a crash or retry found them started but not
   * recorded: the target may have them twice (same idempotency key). Stored traces only.
   */
  redelivered?: number;
  /** Live progress while the node runs (streamed LLM text); cleared when it finishes. Not stored. */
  progress?: string;
}

export interface RunTrace {
  run: RunSummary;
  input: unknown;
  nodes: Record<string, NodeTrace>;
}

export type RunEvent =
  | {
      type: 'run.started';
      runId: string;
      flowId: string;
      flowName: string;
      flowVersion: number;
      at: number;
      input: unknown;
      /** Set when this run is a re-run of another. */
      parentRunId?: string | null;
      /** A test run (see RunSummary.test). */
      test?: boolean;
    }
  | { type: 'node.started'; runId: string; nodeId: string; nodeType: string; at: number; input: unknown; attempt: number }
  | { type: 'node.succeeded'; runId: string; nodeId: string; at: number; durationMs: number; output: unknown }
  | { type: 'node.failed'; runId: string; nodeId: string; at: number; durationMs: number; error: ErrorInfo }
  | { type: 'node.skipped'; runId: string; nodeId: string; at: number; reason: string }
  | { type: 'node.waiting'; runId: string; nodeId: string; at: number; waiting: WaitInfo }
  | { type: 'node.retrying'; runId: string; nodeId: string; at: number; attempt: number; error: ErrorInfo; retryAt: number }
  /** Live only (never journaled): the node's progress so far, e.g. the streamed reply text. */
  | { type: 'node.progress'; runId: string; nodeId: string; at: number; text: string }
  | { type: 'run.waiting'; runId: string; at: number; wakeAt: number | null }
  | { type: 'run.resumed'; runId: string; at: number }
  | {
      type: 'run.finished';
      runId: string;
      at: number;
      status: (typeof FINAL_RUN_STATUSES)[number];
      durationMs: number;
      error: (ErrorInfo & { nodeId?: string }) | null;
    };

export type RunEventType = RunEvent['type'];

function emptyNode(nodeId: string, nodeType = ''): NodeTrace {
  return {
    nodeId,
    nodeType,
    status: 'pending',
    startedAt: null,
    finishedAt: null,
    durationMs: null,
    input: null,
    output: null,
    error: null,
    attempt: 1,
    attempts: [],
    waiting: null,
  };
}

type Handlers = { [K in RunEventType]: (t: RunTrace | null, e: Extract<RunEvent, { type: K }>) => RunTrace | null };

/** Exhaustive: adding an event type is a compile error here until it is handled. */
const handlers = {
  'run.started': (_t, e) => ({
    run: {
      id: e.runId,
      flowId: e.flowId,
      flowName: e.flowName,
      flowVersion: e.flowVersion,
      status: 'running',
      createdAt: e.at,
      finishedAt: null,
      durationMs: null,
      error: null,
      parentRunId: e.parentRunId ?? null,
      wakeAt: null,
      ...(e.test ? { test: true } : {}),
    },
    input: e.input,
    nodes: {},
  }),
  'node.started': (t, e) =>
    t &&
    withNode(t, e.nodeId, ({ progress: _, ...n }) => ({ ...n, nodeType: e.nodeType, status: 'running', startedAt: e.at, input: e.input, attempt: e.attempt, waiting: null })),
  'node.succeeded': (t, e) =>
    t && withNode(t, e.nodeId, ({ progress: _, ...n }) => ({ ...n, status: 'succeeded', finishedAt: e.at, durationMs: e.durationMs, output: e.output })),
  'node.failed': (t, e) =>
    t && withNode(t, e.nodeId, ({ progress: _, ...n }) => ({ ...n, status: 'failed', finishedAt: e.at, durationMs: e.durationMs, error: e.error })),
  // Progress of a node that already finished (a late, out-of-order event) is dropped.
  'node.progress': (t, e) => t && withNode(t, e.nodeId, (n) => (n.status === 'running' ? { ...n, progress: e.text } : n)),
  'node.skipped': (t, e) => t && withNode(t, e.nodeId, (n) => ({ ...n, status: 'skipped', finishedAt: e.at })),
  'node.waiting': (t, e) => t && withNode(t, e.nodeId, (n) => ({ ...n, status: 'waiting', waiting: e.waiting })),
  'node.retrying': (t, e) =>
    t &&
    withNode(t, e.nodeId, (n) => ({
      ...n,
      status: 'waiting',
      error: e.error,
      attempts: [...n.attempts, { attempt: e.attempt, error: e.error, at: e.at, retryAt: e.retryAt }],
      waiting: { kind: 'retry', until: e.retryAt },
    })),
  'run.waiting': (t, e) => t && { ...t, run: { ...t.run, status: 'waiting', wakeAt: e.wakeAt } },
  'run.resumed': (t) => t && { ...t, run: { ...t.run, status: 'running', wakeAt: null } },
  'run.finished': (t, e) =>
    t && {
      ...t,
      run: { ...t.run, status: e.status, finishedAt: e.at, durationMs: e.durationMs, error: e.error, wakeAt: null },
      nodes: e.status === 'succeeded' ? t.nodes : stopUnfinished(t.nodes, e.at, stoppedMessage(e.status)),
    },
} satisfies Handlers;

export function stoppedMessage(status: (typeof FINAL_RUN_STATUSES)[number]): string {
  return status === 'cancelled' ? 'stopped: the run was cancelled' : 'stopped: the run ended before this node finished';
}

/** A run that ends while nodes still run or wait leaves them failed ("stopped"), never waiting forever. */
function stopUnfinished(nodes: Record<string, NodeTrace>, at: number, message: string): Record<string, NodeTrace> {
  const out: Record<string, NodeTrace> = {};
  for (const [id, n] of Object.entries(nodes)) {
    out[id] = n.status === 'running' || n.status === 'waiting' ? { ...n, status: 'failed', waiting: null, finishedAt: at, error: n.error ?? { message } } : n;
  }
  return out;
}

function withNode(t: RunTrace, nodeId: string, f: (n: NodeTrace) => NodeTrace): RunTrace {
  return { ...t, nodes: { ...t.nodes, [nodeId]: f(t.nodes[nodeId] ?? emptyNode(nodeId)) } };
}

/** Apply one event to a trace. Events for another run leave the trace unchanged. */
export function applyRunEvent(trace: RunTrace | null, event: RunEvent): RunTrace | null {
  // run.started included: a trace keeps following its own run when another run starts meanwhile.
  if (trace && trace.run.id !== event.runId) return trace;
  const h = handlers[event.type] as (t: RunTrace | null, e: RunEvent) => RunTrace | null;
  return h(trace, event);
}

export function foldRunEvents(events: readonly RunEvent[]): RunTrace | null {
  return events.reduce<RunTrace | null>(applyRunEvent, null);
}
