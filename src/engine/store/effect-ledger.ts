/**
 * The effect ledger: a read model over the journal, not a table of its own. Every
 * `ctx.step.effect(name)` leaves a durable `started:<name>` step before it runs and a `<name>`
 * step with its result after; sinks put their idempotency key, target, answer, `applied` and
 * `mayHaveRunBefore` in that result. Joining the two with the run's dedupe key (the source
 * position; for CDC runs commit LSN + position) gives source → run → node → key → target →
 * answer → "may have been delivered before" without a second write on the effect's hot path,
 * and without touching the engine's effect code. The ledger lives as long as its runs
 * (retention prunes both together).
 */
import Database from 'better-sqlite3';
import type { Db } from './database';
import type { EffectGap, EffectReconciliation, EffectRecord } from '../../shared/effects';
import { payloadsOf } from './payloads';

interface Row {
  run_id: string;
  flow_id: string;
  node_id: string;
  name: string;
  started_at: number;
  output: string | null;
  finished_at: number | null;
  dedupe_key: string | null;
  parent_run_id: string | null;
}

const SELECT = `
  SELECT s.run_id, r.flow_id, s.node_id, substr(s.name, 9) AS name, s.created_at AS started_at,
         d.output, d.created_at AS finished_at, r.dedupe_key, r.parent_run_id
    FROM steps s
    JOIN runs r ON r.id = s.run_id
    LEFT JOIN steps d ON d.run_id = s.run_id AND d.node_id = s.node_id AND d.name = substr(s.name, 9)
   WHERE s.name LIKE 'started:%'`;

function toRecord(r: Row, decode: (text: string) => unknown): EffectRecord {
  let v: Record<string, unknown> = {};
  if (r.output !== null) {
    try {
      const parsed = decode(r.output);
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) v = parsed as Record<string, unknown>;
    } catch {
      /* a result that is not an object says nothing about the target */
    }
  }
  const str = (x: unknown) => (typeof x === 'string' ? x : null);
  const bool = (x: unknown) => (typeof x === 'boolean' ? x : null);
  return {
    runId: r.run_id,
    flowId: r.flow_id,
    nodeId: r.node_id,
    step: r.name,
    sourcePosition: r.dedupe_key,
    parentRunId: r.parent_run_id,
    idempotencyKey: str(v['idempotencyKey']) ?? `${r.run_id}:${r.node_id}:${r.name}`,
    target: str(v['target']),
    answer: str(v['answer']),
    applied: bool(v['applied']),
    mayHaveRunBefore: bool(v['mayHaveRunBefore']),
    state: r.output === null ? 'started' : 'done',
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

export class EffectLedger {
  constructor(private readonly db: Db | Database.Database) {}

  list(filter: { runId?: string; flowId?: string; limit?: number }): EffectRecord[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.runId) {
      where.push('s.run_id = ?');
      params.push(filter.runId);
    }
    if (filter.flowId) {
      where.push('r.flow_id = ?');
      params.push(filter.flowId);
    }
    const sql = `${SELECT}${where.map((w) => ` AND ${w}`).join('')} ORDER BY s.created_at, s.run_id, s.node_id LIMIT ?`;
    return (this.db.prepare(sql).all(...params, filter.limit ?? 10_000) as Row[]).map((r) => toRecord(r, (t) => payloadsOf(this.db).decode(t)));
  }

  /**
   * Effects recorded vs runs that reached each sink node. `sinkNodes` are the flow's nodes whose
   * type is a sink. A gap: a sink node that finished without an effect, an effect started and
   * never finished in a run that is over, or one key applied by two runs (the target did not dedupe).
   */
  reconcile(flowId: string, sinkNodes: { id: string; name: string }[]): EffectReconciliation {
    const effects = this.list({ flowId, limit: 1_000_000 });
    const reachedRows = this.db
      .prepare(
        `SELECT n.run_id, n.node_id, n.status, r.status AS run_status FROM node_runs n JOIN runs r ON r.id = n.run_id
          WHERE r.flow_id = ? AND n.status IN ('running', 'waiting', 'succeeded', 'failed')`,
      )
      .all(flowId) as { run_id: string; node_id: string; status: string; run_status: string }[];
    const byRunNode = new Map<string, EffectRecord[]>();
    for (const e of effects) {
      const k = `${e.runId}\u0000${e.nodeId}`;
      byRunNode.set(k, [...(byRunNode.get(k) ?? []), e]);
    }
    const gaps: EffectGap[] = [];
    const runOver = new Map(reachedRows.map((r) => [r.run_id, ['succeeded', 'failed', 'cancelled'].includes(r.run_status)]));
    const nodes = sinkNodes.map((n) => {
      const reached = reachedRows.filter((r) => r.node_id === n.id);
      const mine = effects.filter((e) => e.nodeId === n.id);
      for (const r of reached) {
        if (r.status === 'succeeded' && !byRunNode.has(`${r.run_id}\u0000${n.id}`)) {
          gaps.push({ kind: 'reached-without-effect', runId: r.run_id, nodeId: n.id, message: `"${n.name}" succeeded in run ${r.run_id} but recorded no effect` });
        }
      }
      return {
        nodeId: n.id,
        nodeName: n.name,
        reached: reached.length,
        effects: mine.length,
        applied: mine.filter((e) => e.applied === true).length,
        mayHaveRunBefore: mine.filter((e) => e.mayHaveRunBefore === true).length,
      };
    });
    for (const e of effects) {
      if (e.state === 'started' && runOver.get(e.runId)) {
        gaps.push({ kind: 'effect-in-doubt', runId: e.runId, nodeId: e.nodeId, message: `effect "${e.step}" of run ${e.runId} started and has no recorded answer: check ${e.target ?? 'the target'} for key ${e.idempotencyKey}` });
      }
    }
    const appliedBy = new Map<string, EffectRecord[]>();
    for (const e of effects) if (e.applied === true) appliedBy.set(`${e.target}\u0000${e.idempotencyKey}`, [...(appliedBy.get(`${e.target}\u0000${e.idempotencyKey}`) ?? []), e]);
    for (const list of appliedBy.values()) {
      if (list.length > 1) {
        for (const e of list.slice(1)) {
          gaps.push({ kind: 'key-applied-twice', runId: e.runId, nodeId: e.nodeId, message: `key ${e.idempotencyKey} was applied by ${list.length} runs (${list.map((x) => x.runId).join(', ')}): the target did not dedupe it` });
        }
      }
    }
    return { flowId, nodes, gaps };
  }
}

/** Reads the ledger of a database file from outside the engine (tests, audits). */
export function readEffectLedger(dbFile: string, filter: { runId?: string; flowId?: string }): EffectRecord[] {
  const db = new Database(dbFile, { readonly: true });
  try {
    return new EffectLedger(db).list(filter);
  } finally {
    db.close();
  }
}
