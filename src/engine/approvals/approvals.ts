/**
 * Approvals: opens requests for the approval node, decides them exactly once (inbox, link, API),
 * settles timeouts, lists, exports and measures them.
 *
 * Exactly once: deciding is ONE writer transaction that flips the row pending → decided with a
 * conditional UPDATE and, only if that changed the row, stores the run's wake-up signal. The caller
 * hears "accepted" only after the group commit's fsync covers that transaction; a failed or refused
 * write is never acknowledged. The row, not the signal, is the truth: the node reads its outcome
 * from here, so a decision that lands just before the deadline beats the timeout.
 */
import { createHash } from 'node:crypto';
import { userInfo } from 'node:os';
import { EngineError } from '../../shared/api';
import {
  applyEdits,
  describeDecision,
  validateEdits,
  type ApprovalEvent,
  type ApprovalExportLine,
  type ApprovalItem,
  type ApprovalNodeStats,
  type ApprovalOpen,
  type ApprovalOutcome,
  type ApprovalService,
  type DecideApprovalArgs,
  type DecideResult,
  type DecisionRecord,
  type EditField,
  type ListApprovalsArgs,
} from '../../shared/approvals';
import { newId } from '../../shared/ids';
import type { Db } from '../store/database';
import type { GroupCommitWriter } from '../store/group-commit';
import type { RunQueue } from '../store/run-queue';
import { ApprovalStore, rowStatus, toItem, type ApprovalRow } from './approval-store';
import { LinkTokens } from './link-tokens';
import { payloadsOf } from '../store/payloads';


export interface ApprovalsOptions {
  db: Db;
  writer: GroupCommitWriter;
  queue: RunQueue;
  tokens: LinkTokens;
  now: () => number;
  /** Wakes the scheduler after a decision (the signal already set the run's wake_at). */
  wake: () => void;
  emit?: (e: ApprovalEvent) => void;
  /** True once the engine is closing: decisions are refused (with "try again"), never half-made. */
  closed?: () => boolean;
  /** The name decisions from the inbox are recorded under. Default: the OS user. */
  userName?: string;
  /** Test-only broken variants, so the exactly-once and crash tests can prove they catch them. Never set elsewhere. */
  unconditionalDecide?: boolean;
  ackBeforeCommit?: boolean;
}

export interface Decider {
  by: string;
  via: DecisionRecord['via'];
}

const signalName = (requestId: string) => `approval:${requestId}`;

export function payloadHash(payload: unknown): string {
  return createHash('sha256').update(JSON.stringify(payload)).digest('hex');
}

export class Approvals implements ApprovalService {
  readonly store: ApprovalStore;
  private readonly userName: string;

  constructor(private readonly o: ApprovalsOptions) {
    this.store = new ApprovalStore(o.db, { unconditionalDecide: o.unconditionalDecide === true });
    this.userName = o.userName ?? safeUserName();
  }

  /** Opens the request of (run, node), or returns the one already open: a replayed node never opens two. */
  async open(runId: string, nodeId: string, nodeName: string, r: ApprovalOpen): Promise<{ requestId: string; signal: string; expiresAt: number | null }> {
    const existing = this.store.idOf(runId, nodeId);
    if (existing) return { requestId: existing, signal: signalName(existing), expiresAt: this.store.get(existing)!.expires_at };
    const run = this.store.runInfo(runId);
    if (!run) throw new Error(`approval: run ${runId} does not exist`);
    const id = newId('apr');
    const payload = { data: r.data ?? null, context: r.context };
    const now = this.o.now();
    await this.o.writer.write(() => {
      this.store.insert({
        id,
        run_id: runId,
        node_id: nodeId,
        flow_id: run.flow_id,
        flow_name: run.flow_name,
        node_name: nodeName,
        title: r.title,
        instructions: r.instructions,
        assignee: r.assignee,
        // Kept after the run is pruned (the evaluation set): the input inline, not references to the run's payloads.
        run_input: run.input === null ? null : JSON.stringify(payloadsOf(this.o.db).decode(run.input)),
        payload: JSON.stringify(payload),
        payload_hash: payloadHash(payload),
        fields: JSON.stringify(r.fields),
        token_hash: LinkTokens.hash(this.o.tokens.tokenFor(id)),
        on_timeout: r.onTimeout,
        expires_at: r.timeoutMs === null ? null : now + r.timeoutMs,
        created_at: now,
      });
      // A re-run from this node replaces the parent's still-open request: its link is void and the
      // old run is woken to end with "replaced" instead of waiting forever.
      const old = run.parent_run_id ? this.store.pendingOf(run.parent_run_id, nodeId) : undefined;
      if (old && this.store.replace(old.id, runId, now)) this.o.queue.signalInTransaction(old.run_id, signalName(old.id), { replaced: true }, now);
    });
    const requestId = this.store.idOf(runId, nodeId)!;
    if (requestId === id) {
      const row = this.store.get(id);
      if (row) this.o.emit?.({ type: 'approval.opened', item: this.item(row) });
    }
    this.o.wake();
    return { requestId, signal: signalName(requestId), expiresAt: this.store.get(requestId)!.expires_at };
  }

  async settle(requestId: string, timedOut: boolean): Promise<ApprovalOutcome> {
    const row = this.store.get(requestId);
    if (!row) throw new Error(`approval request ${requestId} does not exist`);
    const settled = outcomeOf(row);
    if (settled) return settled;
    if (!timedOut) throw new Error(`approval request ${requestId} woke without a decision`);
    const data = (JSON.parse(row.payload) as { data: unknown }).data;
    const action = row.on_timeout === 'approve' ? 'approved' : row.on_timeout === 'reject' ? 'rejected' : 'timed-out';
    const now = this.o.now();
    const decision: DecisionRecord = { requestId, action, by: 'timeout', via: 'timeout', at: now, comment: 'no decision before the deadline', changes: [] };
    let won = false;
    await this.o.writer.write(() => {
      won = this.store.decide(requestId, 'timed-out', decision, action === 'approved' ? data : null, now);
    });
    if (won) this.o.emit?.({ type: 'approval.closed', requestId, flowId: row.flow_id, runId: row.run_id, decision });
    // Lost the race: a person decided a moment before the deadline, and their decision stands.
    return outcomeOf(this.store.get(requestId)!) ?? { status: 'decided', decision, output: action === 'approved' ? data : null };
  }

  /** Decides a request. Refusals (already decided, replaced, stale) are answers, not errors; bad edits are errors with field names. */
  async decide(arg: DecideApprovalArgs, who: Decider): Promise<DecideResult> {
    if (this.o.closed?.()) throw new EngineError('internal', 'the engine is shutting down: the decision was not recorded; try again in a moment');
    const row = this.store.get(arg.requestId);
    if (!row) throw new EngineError('not_found', `no approval request "${arg.requestId}"`);
    const refusal = refusalOf(row);
    if (refusal) return refusal;
    if (arg.payloadHash !== undefined && arg.payloadHash !== row.payload_hash) {
      return { accepted: false, reason: 'stale', message: 'the data changed since you looked at it; reload and decide again', decision: null };
    }
    const data = (JSON.parse(row.payload) as { data: unknown }).data;
    let output: unknown = null;
    let changes: DecisionRecord['changes'] = [];
    if (arg.action === 'approve') {
      const checked = validateEdits(JSON.parse(row.fields) as EditField[], arg.edits ?? {});
      if (!checked.ok) {
        throw new EngineError('invalid_argument', `the edits were refused: ${checked.problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`);
      }
      ({ output, changes } = applyEdits(data, checked.values));
    } else if (arg.edits && Object.keys(arg.edits).length > 0) {
      throw new EngineError('invalid_argument', 'a rejection carries a reason (comment), not edits');
    }
    const now = this.o.now();
    const decision: DecisionRecord = {
      requestId: row.id,
      action: arg.action === 'approve' ? 'approved' : 'rejected',
      by: who.by,
      via: who.via,
      at: now,
      comment: arg.comment ?? '',
      changes,
    };
    let accepted = false;
    const write = () => {
      accepted = this.store.decide(row.id, 'decided', decision, output, now);
      if (accepted) this.o.queue.signalInTransaction(row.run_id, signalName(row.id), { decided: decision.action }, now);
    };
    if (this.o.ackBeforeCommit) {
      void this.o.writer.write(write).catch(() => {});
      return { accepted: true, decision };
    }
    try {
      await this.o.writer.write(write);
    } catch (e) {
      // Not acknowledged, so nothing was promised: the decision is either durable and visible on retry, or not made.
      throw new EngineError('internal', `the decision could not be saved (${e instanceof Error ? e.message : String(e)}); try again`);
    }
    if (!accepted) return refusalOf(this.store.get(row.id)!) ?? { accepted: false, reason: 'already-decided', message: 'already decided', decision: null };
    this.o.wake();
    this.o.emit?.({ type: 'approval.closed', requestId: row.id, flowId: row.flow_id, runId: row.run_id, decision });
    return { accepted: true, decision };
  }

  /** The inbox's decisions are recorded under the local user's name. */
  decideFromInbox(arg: DecideApprovalArgs): Promise<DecideResult> {
    return this.decide(arg, { by: this.userName, via: 'inbox' });
  }

  list(arg: ListApprovalsArgs): ApprovalItem[] {
    const rows = this.store.list({
      history: arg.status === 'history',
      ...(arg.flowId ? { flowId: arg.flowId } : {}),
      ...(arg.assignee !== undefined ? { assignee: arg.assignee } : {}),
      limit: arg.limit ?? 500,
    });
    return rows.map((r) => this.item(r));
  }

  /** The request behind a link token, or undefined for a forged or unknown one (checked in constant time). */
  byToken(token: string): ApprovalRow | undefined {
    // The hash is computed and looked up for malformed tokens too: refusal time does not depend on the input.
    const row = this.store.byTokenHash(LinkTokens.hash(token));
    if (!LinkTokens.wellFormed(token) || !row) return undefined;
    return this.o.tokens.matches(token, row.id) ? row : undefined;
  }

  /** CSRF token of the link page's form (bound to the browser's cookie and the link). */
  csrf(cookie: string, token: string): string {
    return this.o.tokens.csrfFor(cookie, token);
  }

  csrfMatches(given: string, cookie: string, token: string): boolean {
    return this.o.tokens.csrfMatches(given, cookie, token);
  }

  item(row: ApprovalRow): ApprovalItem {
    return toItem(row, rowStatus(row) === 'pending' ? `/approve/${this.o.tokens.tokenFor(row.id)}` : null);
  }

  /** Every decision of a flow as JSONL: run input, model output, reviewer's output, action. */
  exportJsonl(flowId: string): { jsonl: string; count: number } {
    const lines = this.store.decidedOfFlow(flowId).map((row): ApprovalExportLine => {
      const decision = JSON.parse(row.decision!) as DecisionRecord;
      return {
        requestId: row.id,
        runId: row.run_id,
        flowId: row.flow_id,
        nodeId: row.node_id,
        input: row.run_input === null ? null : (JSON.parse(row.run_input) as unknown),
        output: (JSON.parse(row.payload) as { data: unknown }).data,
        edited: decision.action === 'approved' ? (JSON.parse(row.output ?? 'null') as unknown) : null,
        action: decision.action,
        comment: decision.comment,
        by: decision.by,
        at: decision.at,
        changes: decision.changes,
      };
    });
    return { jsonl: lines.map((l) => JSON.stringify(l)).join('\n') + (lines.length > 0 ? '\n' : ''), count: lines.length };
  }

  /** Wait time per approval node: p50/p95 of decided requests, pending now, timed out. */
  stats(flowId?: string): ApprovalNodeStats[] {
    const byNode = new Map<string, ApprovalNodeStats & { waits: number[] }>();
    for (const r of this.store.waits(flowId)) {
      const key = `${r.flow_id}\u0000${r.node_id}`;
      let s = byNode.get(key);
      if (!s) {
        s = { flowId: r.flow_id, nodeId: r.node_id, nodeName: r.node_name, pending: 0, decided: 0, approved: 0, rejected: 0, timedOut: 0, p50WaitMs: null, p95WaitMs: null, waits: [] };
        byNode.set(key, s);
      }
      if (r.status === 'pending') s.pending++;
      else if (r.status === 'decided' || r.status === 'timed-out') {
        s.decided++;
        if (r.status === 'timed-out') s.timedOut++;
        if (r.action === 'approved') s.approved++;
        if (r.action === 'rejected') s.rejected++;
        if (r.waited !== null) s.waits.push(r.waited);
      }
    }
    return [...byNode.values()].map(({ waits, ...s }) => ({ ...s, p50WaitMs: percentile(waits, 0.5), p95WaitMs: percentile(waits, 0.95) }));
  }
}

/** Nearest-rank percentile of ascending values. */
function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}

function outcomeOf(row: ApprovalRow): ApprovalOutcome | null {
  if (row.status === 'replaced') return { status: 'replaced', replacedBy: row.replaced_by };
  if (row.status === 'decided' || row.status === 'timed-out') {
    return { status: 'decided', decision: JSON.parse(row.decision!) as DecisionRecord, output: JSON.parse(row.output ?? 'null') as unknown };
  }
  return null;
}

function refusalOf(row: ApprovalRow): DecideResult | null {
  if (row.status === 'replaced') {
    return { accepted: false, reason: 'replaced', message: `this request was replaced${row.replaced_by ? ` by run ${row.replaced_by}` : ''}; decide the new one`, decision: null };
  }
  if (row.status === 'decided' || row.status === 'timed-out') {
    const decision = JSON.parse(row.decision!) as DecisionRecord;
    return { accepted: false, reason: 'already-decided', message: `already decided: ${describeDecision(decision)}`, decision };
  }
  if (rowStatus(row) === 'void') return { accepted: false, reason: 'run-finished', message: `the run has ended (${row.run_status ?? 'deleted'}); nothing is waiting for this decision`, decision: null };
  return null;
}

function safeUserName(): string {
  try {
    return userInfo().username || 'local user';
  } catch {
    return 'local user';
  }
}
