/**
 * Patterns across runs, in SQL over real columns (migration 4): one pass over the covering index
 * `node_runs_stats` for counts, rates and sums per node, then exact nearest-rank percentiles by
 * walking the same index in duration order (LIMIT 1 OFFSET k). Nothing here loads runs into memory.
 */
import type { Db } from './database';
import type { ErrorGroup, FlowSeries, FlowSeriesQuery, NodeRunRef, NodeRunsQuery, NodeStats, StatsWindow } from '../../shared/run-history';

interface AggRow {
  node_id: string;
  runs: number;
  succeeded: number;
  failed: number;
  waiting: number;
  retries: number;
  timed: number;
  max_ms: number | null;
  cost: number | null;
  tokens: number | null;
  llm_calls: number;
  cache_hits: number;
}

export class RunAnalytics {
  private readonly s;

  constructor(db: Db) {
    this.s = {
      perNode: db.prepare(
        `SELECT node_id, count(*) AS runs, sum(status = 'succeeded') AS succeeded, sum(status = 'failed') AS failed,
                sum(status = 'waiting') AS waiting, sum(attempt - 1) AS retries, count(duration_ms) AS timed, max(duration_ms) AS max_ms,
                sum(cost_usd) AS cost, sum(tokens) AS tokens, count(cache_hit) AS llm_calls, coalesce(sum(cache_hit), 0) AS cache_hits
         FROM node_runs INDEXED BY node_runs_stats
         WHERE flow_id = @flowId AND started_at >= @from AND started_at < @to AND status <> 'skipped'
         GROUP BY node_id`,
      ),
      nth: db.prepare(
        `SELECT duration_ms FROM node_runs INDEXED BY node_runs_stats
         WHERE flow_id = @flowId AND node_id = @nodeId AND duration_ms IS NOT NULL AND started_at >= @from AND started_at < @to
         ORDER BY duration_ms LIMIT 1 OFFSET @offset`,
      ),
      slowest: db.prepare(
        `SELECT run_id, status, started_at, duration_ms, cost_usd, attempt, json_extract(error, '$.message') AS error FROM node_runs INDEXED BY node_runs_stats
         WHERE flow_id = @flowId AND node_id = @nodeId AND duration_ms IS NOT NULL AND started_at >= @from AND started_at < @to
         ORDER BY duration_ms DESC LIMIT @limit`,
      ),
      costliest: db.prepare(
        `SELECT run_id, status, started_at, duration_ms, cost_usd, attempt, json_extract(error, '$.message') AS error FROM node_runs INDEXED BY node_runs_stats
         WHERE flow_id = @flowId AND node_id = @nodeId AND cost_usd IS NOT NULL AND started_at >= @from AND started_at < @to
         ORDER BY cost_usd DESC LIMIT @limit`,
      ),
      failing: db.prepare(
        `SELECT run_id, status, started_at, duration_ms, cost_usd, attempt, json_extract(error, '$.message') AS error FROM node_runs INDEXED BY node_runs_stats
         WHERE flow_id = @flowId AND node_id = @nodeId AND status = 'failed' AND started_at >= @from AND started_at < @to
         ORDER BY started_at DESC LIMIT @limit`,
      ),
      // The bare run_id comes from the row holding max(started_at): the latest run with that message.
      errorGroups: db.prepare(
        `SELECT json_extract(error, '$.message') AS message, count(*) AS count, max(started_at) AS last_at, run_id
         FROM node_runs INDEXED BY node_runs_stats
         WHERE flow_id = @flowId AND node_id = @nodeId AND status = 'failed' AND started_at >= @from AND started_at < @to
         GROUP BY message ORDER BY count DESC, last_at DESC LIMIT 20`,
      ),
      series: db.prepare(
        `SELECT CAST((created_at - @from) / @width AS INTEGER) AS b, count(*) AS runs, sum(status = 'failed') AS failed, coalesce(sum(cost_usd), 0) AS cost
         FROM runs INDEXED BY runs_by_flow WHERE flow_id = @flowId AND created_at >= @from AND created_at < @to GROUP BY b`,
      ),
    };
  }

  nodeStats(w: StatsWindow): NodeStats[] {
    const rows = this.s.perNode.all(w) as AggRow[];
    return rows.map((r) => {
      const finished = r.succeeded + r.failed;
      return {
        nodeId: r.node_id,
        runs: r.runs,
        succeeded: r.succeeded,
        failed: r.failed,
        waiting: r.waiting,
        errorRate: finished > 0 ? r.failed / finished : null,
        retries: r.retries,
        p50Ms: this.percentile(w, r.node_id, r.timed, 0.5),
        p95Ms: this.percentile(w, r.node_id, r.timed, 0.95),
        maxMs: r.max_ms,
        costUsd: r.cost,
        tokens: r.tokens,
        llmCalls: r.llm_calls,
        cacheHitRate: r.llm_calls > 0 ? r.cache_hits / r.llm_calls : null,
      };
    });
  }

  /** Nearest rank: the smallest value with at least p of the values at or below it. */
  private percentile(w: StatsWindow, nodeId: string, n: number, p: number): number | null {
    if (n === 0) return null;
    const offset = Math.max(0, Math.ceil(p * n) - 1);
    const row = this.s.nth.get({ ...w, nodeId, offset }) as { duration_ms: number } | undefined;
    return row?.duration_ms ?? null;
  }

  nodeRuns(q: NodeRunsQuery): NodeRunRef[] {
    const stmt = { slowest: this.s.slowest, costliest: this.s.costliest, failing: this.s.failing }[q.order];
    const rows = stmt.all({ flowId: q.flowId, nodeId: q.nodeId, from: q.from, to: q.to, limit: q.limit ?? 10 }) as {
      run_id: string;
      status: string;
      started_at: number | null;
      duration_ms: number | null;
      cost_usd: number | null;
      attempt: number;
      error: string | null;
    }[];
    return rows.map((r) => ({ runId: r.run_id, status: r.status, startedAt: r.started_at, durationMs: r.duration_ms, costUsd: r.cost_usd, attempt: r.attempt, error: r.error }));
  }

  errorGroups(q: Omit<NodeRunsQuery, 'order' | 'limit'>): ErrorGroup[] {
    const rows = this.s.errorGroups.all({ flowId: q.flowId, nodeId: q.nodeId, from: q.from, to: q.to }) as {
      message: string | null;
      count: number;
      last_at: number | null;
      run_id: string;
    }[];
    return rows.map((r) => ({ message: r.message ?? '(no message)', count: r.count, lastAt: r.last_at, sampleRunId: r.run_id }));
  }

  flowSeries(q: FlowSeriesQuery): FlowSeries {
    const width = Math.max(1, Math.ceil((q.to - q.from) / q.buckets));
    const out: FlowSeries = { t: [], runs: [], failed: [], costUsd: [] };
    for (let i = 0; i < q.buckets; i++) {
      out.t.push(q.from + i * width);
      out.runs.push(0);
      out.failed.push(0);
      out.costUsd.push(0);
    }
    for (const r of this.s.series.all({ flowId: q.flowId, from: q.from, to: q.to, width }) as { b: number; runs: number; failed: number; cost: number }[]) {
      if (r.b < 0 || r.b >= q.buckets) continue;
      out.runs[r.b] = r.runs;
      out.failed[r.b] = r.failed;
      out.costUsd[r.b] = r.cost;
    }
    return out;
  }
}
