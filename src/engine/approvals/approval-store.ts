/**
 * The `approvals` table (migration 4): one row per request. A request leaves `pending` exactly once,
 * by a conditional UPDATE (`… WHERE status = 'pending'`): whoever's statement changes the row won;
 * every other attempt changes nothing and is told who did.
 */
import type { Db } from '../store/database';
import type { ApprovalItem, ApprovalStatus, DecisionRecord, EditField, TimeoutOutcome } from '../../shared/approvals';

export interface ApprovalRow {
  id: string;
  run_id: string;
  node_id: string;
  flow_id: string;
  flow_name: string;
  node_name: string;
  title: string;
  instructions: string;
  assignee: string;
  run_input: string | null;
  payload: string;
  payload_hash: string;
  fields: string;
  token_hash: string;
  status: 'pending' | 'decided' | 'timed-out' | 'replaced';
  decision: string | null;
  output: string | null;
  replaced_by: string | null;
  on_timeout: TimeoutOutcome;
  expires_at: number | null;
  created_at: number;
  decided_at: number | null;
  /** Joined from runs; null once the run was pruned. */
  run_status?: string | null;
}

export type NewApprovalRow = Omit<ApprovalRow, 'status' | 'decision' | 'output' | 'replaced_by' | 'decided_at' | 'run_status'>;

const SELECT = `SELECT a.*, r.status AS run_status FROM approvals a LEFT JOIN runs r ON r.id = a.run_id`;

export class ApprovalStore {
  private readonly s;

  /**
   * `unconditionalDecide` exists only so the exactly-once test can prove it catches a store that
   * overwrites decisions (the Windmill/Langflow class of bug). Never set it anywhere else.
   */
  constructor(
    private readonly db: Db,
    options: { unconditionalDecide?: boolean } = {},
  ) {
    const guard = options.unconditionalDecide ? '' : ` AND status = 'pending'`;
    this.s = {
      insert: db.prepare(
        `INSERT INTO approvals (id, run_id, node_id, flow_id, flow_name, node_name, title, instructions, assignee, run_input, payload, payload_hash, fields, token_hash, status, on_timeout, expires_at, created_at)
         VALUES (@id, @run_id, @node_id, @flow_id, @flow_name, @node_name, @title, @instructions, @assignee, @run_input, @payload, @payload_hash, @fields, @token_hash, 'pending', @on_timeout, @expires_at, @created_at)
         ON CONFLICT (run_id, node_id) DO NOTHING`,
      ),
      byRunNode: db.prepare(`SELECT id FROM approvals WHERE run_id = ? AND node_id = ?`),
      byId: db.prepare(`${SELECT} WHERE a.id = ?`),
      byTokenHash: db.prepare(`${SELECT} WHERE a.token_hash = ?`),
      pendingOfRunNode: db.prepare(`SELECT id, run_id FROM approvals WHERE run_id = ? AND node_id = ? AND status = 'pending'`),
      decide: db.prepare(`UPDATE approvals SET status = @status, decision = @decision, output = @output, decided_at = @at WHERE id = @id${guard}`),
      replace: db.prepare(`UPDATE approvals SET status = 'replaced', replaced_by = @by, decided_at = @at WHERE id = @id AND status = 'pending'`),
      runInfo: db.prepare(`SELECT flow_id, flow_name, input, parent_run_id FROM runs WHERE id = ?`),
    };
  }

  insert(row: NewApprovalRow): void {
    this.s.insert.run(row);
  }

  idOf(runId: string, nodeId: string): string | undefined {
    return (this.s.byRunNode.get(runId, nodeId) as { id: string } | undefined)?.id;
  }

  get(id: string): ApprovalRow | undefined {
    return this.s.byId.get(id) as ApprovalRow | undefined;
  }

  byTokenHash(hash: string): ApprovalRow | undefined {
    return this.s.byTokenHash.get(hash) as ApprovalRow | undefined;
  }

  pendingOf(runId: string, nodeId: string): { id: string; run_id: string } | undefined {
    return this.s.pendingOfRunNode.get(runId, nodeId) as { id: string; run_id: string } | undefined;
  }

  /** Inside a writer transaction. True only for the one call that moved the request out of pending. */
  decide(id: string, status: 'decided' | 'timed-out', decision: DecisionRecord, output: unknown, at: number): boolean {
    return this.s.decide.run({ id, status, decision: JSON.stringify(decision), output: JSON.stringify(output ?? null), at }).changes === 1;
  }

  /** Inside a writer transaction. */
  replace(id: string, byRunId: string, at: number): boolean {
    return this.s.replace.run({ id, by: byRunId, at }).changes === 1;
  }

  runInfo(runId: string): { flow_id: string; flow_name: string; input: string | null; parent_run_id: string | null } | undefined {
    return this.s.runInfo.get(runId) as { flow_id: string; flow_name: string; input: string | null; parent_run_id: string | null } | undefined;
  }

  list(filter: { history: boolean; flowId?: string; assignee?: string; limit: number }): ApprovalRow[] {
    const where = [filter.history ? `a.status <> 'pending'` : `a.status = 'pending' AND r.status IN ('queued','running','waiting')`];
    const params: unknown[] = [];
    if (filter.flowId) {
      where.push('a.flow_id = ?');
      params.push(filter.flowId);
    }
    if (filter.assignee !== undefined) {
      where.push('a.assignee = ?');
      params.push(filter.assignee);
    }
    const order = filter.history ? 'a.decided_at DESC' : 'a.created_at ASC';
    return this.db.prepare(`${SELECT} WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ?`).all(...params, filter.limit) as ApprovalRow[];
  }

  decidedOfFlow(flowId: string): ApprovalRow[] {
    return this.db.prepare(`${SELECT} WHERE a.flow_id = ? AND a.status IN ('decided','timed-out') ORDER BY a.decided_at, a.id`).all(flowId) as ApprovalRow[];
  }

  /** Rows for wait-time statistics: (flow, node, status, waited ms or null while pending). */
  waits(flowId?: string): { flow_id: string; node_id: string; node_name: string; status: string; action: string | null; waited: number | null }[] {
    return this.db
      .prepare(
        `SELECT flow_id, node_id, node_name, status, json_extract(decision, '$.action') AS action,
                CASE WHEN decided_at IS NULL THEN NULL ELSE decided_at - created_at END AS waited
         FROM approvals ${flowId ? 'WHERE flow_id = ?' : ''} ORDER BY flow_id, node_id, waited`,
      )
      .all(...(flowId ? [flowId] : [])) as { flow_id: string; node_id: string; node_name: string; status: string; action: string | null; waited: number | null }[];
  }
}

export function rowStatus(row: ApprovalRow): ApprovalStatus {
  if (row.status !== 'pending') return row.status;
  return row.run_status === 'queued' || row.run_status === 'running' || row.run_status === 'waiting' ? 'pending' : 'void';
}

export function toItem(row: ApprovalRow, linkPath: string | null): ApprovalItem {
  const payload = JSON.parse(row.payload) as { data: unknown; context: Record<string, unknown> };
  return {
    requestId: row.id,
    runId: row.run_id,
    flowId: row.flow_id,
    flowName: row.flow_name,
    nodeId: row.node_id,
    nodeName: row.node_name,
    title: row.title,
    instructions: row.instructions,
    assignee: row.assignee,
    data: payload.data,
    context: payload.context,
    runInput: row.run_input === null ? null : (JSON.parse(row.run_input) as unknown),
    fields: JSON.parse(row.fields) as EditField[],
    payloadHash: row.payload_hash,
    status: rowStatus(row),
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    onTimeout: row.on_timeout,
    decision: row.decision === null ? null : (JSON.parse(row.decision) as DecisionRecord),
    linkPath,
  };
}
