/**
 * The runs list of one flow, keyset-paged over `runs_by_flow (flow_id, created_at DESC)`: a page
 * reads the rows after the cursor and stops at the limit, never counting or loading the rest.
 * Filters are checked on the rows the index walk visits; text search joins the FTS5 extract
 * (`run_text`, filled in batches after runs finish: store/run-text-index.ts).
 */
import type { Db } from './database';
import { indexAllPendingRunText } from './run-text-index';
import type { RunStatus } from '../../shared/runs';
import { decodeCursor, encodeCursor, ftsQuery, type RunHistoryPage, type RunHistoryQuery, type RunHistoryRow, type RunOrigin } from '../../shared/run-history';

interface Row {
  seq: number;
  id: string;
  flow_id: string;
  flow_version: number;
  flow_name: string;
  status: RunStatus;
  error: string | null;
  parent_run_id: string | null;
  wake_at: number | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  trigger_table: string | null;
  trigger_op: string | null;
  trigger_key: string | null;
  cost_usd: number | null;
  approval_pending: number | null;
  is_test: number;
}

const DEFAULT_LIMIT = 100;

export class RunHistory {
  constructor(private readonly db: Db) {}

  page(q: RunHistoryQuery): RunHistoryPage {
    const limit = q.limit ?? DEFAULT_LIMIT;
    const where = ['flow_id = @flowId'];
    const params: Record<string, unknown> = { flowId: q.flowId, limit: limit + 1 };
    const cursor = q.cursor ? decodeCursor(q.cursor) : null;
    if (q.cursor && !cursor) throw new Error('cursor: not a cursor from a previous page');
    if (cursor) {
      // Index order is created_at DESC, then seq ASC: the next page starts after (created_at, seq).
      where.push('created_at <= @cAt AND (created_at < @cAt OR seq > @cSeq)');
      params.cAt = cursor.createdAt;
      params.cSeq = cursor.seq;
    }
    if (q.status && q.status.length > 0) {
      where.push(`status IN (${q.status.map((_, i) => `@st${i}`).join(', ')})`);
      q.status.forEach((s, i) => (params[`st${i}`] = s));
    }
    const add = (clause: string, name: string, value: unknown) => {
      if (value === undefined) return;
      where.push(clause);
      params[name] = value;
    };
    add('created_at >= @from', 'from', q.from);
    add('created_at < @to', 'to', q.to);
    add('flow_version = @flowVersion', 'flowVersion', q.flowVersion);
    add('trigger_table = @triggerTable', 'triggerTable', q.triggerTable);
    add('trigger_op = @triggerOp', 'triggerOp', q.triggerOp);
    if (q.hasError === true) where.push('error IS NOT NULL');
    if (q.hasError === false) where.push('error IS NULL');
    add('finished_at IS NOT NULL AND finished_at - coalesce(started_at, created_at) >= @minDur', 'minDur', q.minDurationMs);
    add('cost_usd >= @minCost', 'minCost', q.minCostUsd);
    if (q.text !== undefined) {
      const match = ftsQuery(q.text);
      if (match) {
        // Runs that finished since the indexer's last batch are indexed first: a search misses none.
        indexAllPendingRunText(this.db);
        where.push('seq IN (SELECT rowid FROM run_text WHERE run_text MATCH @match)');
        params.match = match;
      }
    }
    const sql = `SELECT seq, id, flow_id, flow_version, flow_name, status, error, parent_run_id, wake_at, created_at, started_at, finished_at,
        trigger_table, trigger_op, trigger_key, cost_usd, is_test,
        CASE WHEN status = 'waiting' THEN EXISTS (SELECT 1 FROM node_runs n WHERE n.run_id = runs.id AND n.status = 'waiting'
          AND n.waiting IS NOT NULL AND json_extract(n.waiting, '$.kind') = 'signal') END AS approval_pending
      FROM runs INDEXED BY runs_by_flow WHERE ${where.join(' AND ')} ORDER BY created_at DESC, seq ASC LIMIT @limit`;
    const rows = this.db.prepare(sql).all(params) as Row[];
    const more = rows.length > limit;
    const shown = more ? rows.slice(0, limit) : rows;
    const last = shown[shown.length - 1];
    return { rows: shown.map(toRow), nextCursor: more && last ? encodeCursor(last.created_at, last.seq) : null };
  }
}

function toRow(r: Row): RunHistoryRow {
  return {
    id: r.id,
    flowId: r.flow_id,
    flowVersion: r.flow_version,
    flowName: r.flow_name,
    status: r.status,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
    durationMs: r.finished_at !== null ? r.finished_at - (r.started_at ?? r.created_at) : null,
    error: r.error === null ? null : (JSON.parse(r.error) as RunHistoryRow['error']),
    parentRunId: r.parent_run_id,
    wakeAt: r.status === 'waiting' ? r.wake_at : null,
    origin: origin(r),
    costUsd: r.cost_usd,
    approval: r.approval_pending === 1 ? 'pending' : null,
    ...(r.is_test === 1 ? { test: true } : {}),
  };
}

function origin(r: Row): RunOrigin {
  if (r.trigger_table !== null && r.trigger_op !== null) {
    const key: unknown = r.trigger_key === null ? null : JSON.parse(r.trigger_key);
    return { kind: 'change', table: r.trigger_table, operation: r.trigger_op, key: typeof key === 'object' && key !== null && !Array.isArray(key) ? { ...key } : null };
  }
  return r.parent_run_id !== null ? { kind: 'rerun', parentRunId: r.parent_run_id } : { kind: 'manual' };
}
