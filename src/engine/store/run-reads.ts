/** The read side of runs: lists and traces for the UI, straight from SQL (never by loading every run). */
import type { Db } from './database';
import { payloadsOf, type PayloadStore } from './payloads';
import type { AttemptInfo, ErrorInfo, NodeTrace, RunStatus, RunSummary, RunTrace, WaitInfo } from '../../shared/runs';

interface RunRow {
  id: string;
  flow_id: string;
  flow_version: number;
  flow_name: string;
  status: RunStatus;
  input: string | null;
  error: string | null;
  parent_run_id: string | null;
  wake_at: number | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  is_test: number;
}

interface NodeRow {
  node_id: string;
  node_type: string;
  status: NodeTrace['status'];
  attempt: number;
  input: string | null;
  output: string | null;
  error: string | null;
  waiting: string | null;
  started_at: number | null;
  finished_at: number | null;
}

const parse = (s: string | null): unknown => (s === null ? null : JSON.parse(s));

export class RunReads {
  private readonly payloads: PayloadStore;

  constructor(private readonly db: Db) {
    this.payloads = payloadsOf(db);
  }

  listRuns(filter: { flowId?: string; limit?: number }): RunSummary[] {
    const limit = filter.limit ?? 50;
    const rows = (
      filter.flowId
        ? this.db.prepare(`SELECT * FROM runs WHERE flow_id = ? ORDER BY seq DESC LIMIT ?`).all(filter.flowId, limit)
        : this.db.prepare(`SELECT * FROM runs ORDER BY seq DESC LIMIT ?`).all(limit)
    ) as RunRow[];
    return rows.map(toSummary);
  }

  getTrace(runId: string): RunTrace | undefined {
    const run = this.db.prepare(`SELECT * FROM runs WHERE id = ?`).get(runId) as RunRow | undefined;
    if (!run) return undefined;
    const nodes = this.db.prepare(`SELECT * FROM node_runs WHERE run_id = ?`).all(runId) as NodeRow[];
    const attempts = this.db.prepare(`SELECT node_id, attempt, error, at, retry_at FROM node_attempts WHERE run_id = ? ORDER BY attempt`).all(runId) as {
      node_id: string;
      attempt: number;
      error: string;
      at: number;
      retry_at: number | null;
    }[];
    // ctx.step.effect journals `redelivered:<step>:…` each time it sends an effect again (step-context.ts).
    const redelivered = new Map(
      (this.db.prepare(`SELECT node_id, count(*) AS n FROM steps WHERE run_id = ? AND name LIKE 'redelivered:%' GROUP BY node_id`).all(runId) as { node_id: string; n: number }[]).map(
        (r) => [r.node_id, r.n],
      ),
    );
    const trace: RunTrace = { run: toSummary(run), input: this.payloads.decodeOrNull(run.input), nodes: {} };
    for (const n of nodes) {
      trace.nodes[n.node_id] = {
        nodeId: n.node_id,
        nodeType: n.node_type,
        status: n.status,
        startedAt: n.started_at,
        finishedAt: n.finished_at,
        durationMs: n.started_at !== null && n.finished_at !== null && n.status !== 'skipped' ? n.finished_at - n.started_at : null,
        input: this.payloads.decodeOrNull(n.input),
        output: this.payloads.decodeOrNull(n.output),
        error: parse(n.error) as ErrorInfo | null,
        attempt: n.attempt,
        attempts: attempts
          .filter((a) => a.node_id === n.node_id)
          .map((a): AttemptInfo => ({ attempt: a.attempt, error: JSON.parse(a.error) as ErrorInfo, at: a.at, retryAt: a.retry_at })),
        waiting: parse(n.waiting) as WaitInfo | null,
        ...(redelivered.has(n.node_id) ? { redelivered: redelivered.get(n.node_id)! } : {}),
      };
    }
    return trace;
  }

  /** Counts by status, for tests and the crash harness. */
  countByStatus(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.db.prepare(`SELECT status, count(*) AS n FROM runs GROUP BY status`).all() as { status: string; n: number }[]) out[r.status] = r.n;
    return out;
  }
}

function toSummary(r: RunRow): RunSummary {
  return {
    id: r.id,
    flowId: r.flow_id,
    flowVersion: r.flow_version,
    flowName: r.flow_name,
    status: r.status,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
    durationMs: r.finished_at !== null ? r.finished_at - (r.started_at ?? r.created_at) : null,
    error: parse(r.error) as RunSummary['error'],
    parentRunId: r.parent_run_id,
    wakeAt: r.status === 'waiting' ? r.wake_at : null,
    ...(r.is_test === 1 ? { test: true } : {}),
  };
}
