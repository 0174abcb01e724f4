/**
 * Pinned node outputs. A pin copies a node's outputs from a run where it succeeded; manual runs of
 * the flow then use them instead of executing the node (runner `pins`). Runs started by a trigger
 * (those with a dedupe key: a database change, a backfilled row) always execute every node.
 */
import type { Db } from './database';
import type { PinInfo } from '../../shared/run-history';
import { payloadsOf } from './payloads';

export class PinStore {
  private readonly s;

  constructor(private readonly db: Db) {
    this.s = {
      list: db.prepare(`SELECT node_id, output, source_run_id, pinned_at FROM node_pins WHERE flow_id = ? ORDER BY node_id`),
      source: db.prepare(
        `SELECT n.outputs, n.output, r.flow_id FROM node_runs n JOIN runs r ON r.id = n.run_id WHERE n.run_id = ? AND n.node_id = ? AND n.status = 'succeeded'`,
      ),
      pin: db.prepare(
        `INSERT INTO node_pins (flow_id, node_id, outputs, output, source_run_id, pinned_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (flow_id, node_id) DO UPDATE SET outputs = excluded.outputs, output = excluded.output, source_run_id = excluded.source_run_id, pinned_at = excluded.pinned_at`,
      ),
      unpin: db.prepare(`DELETE FROM node_pins WHERE flow_id = ? AND node_id = ?`),
      runKind: db.prepare(`SELECT flow_id, dedupe_key FROM runs WHERE id = ?`),
      outputsOf: db.prepare(`SELECT node_id, outputs FROM node_pins WHERE flow_id = ?`),
    };
  }

  list(flowId: string): PinInfo[] {
    return (this.s.list.all(flowId) as { node_id: string; output: string; source_run_id: string; pinned_at: number }[]).map((r) => ({
      nodeId: r.node_id,
      sourceRunId: r.source_run_id,
      pinnedAt: r.pinned_at,
      output: JSON.parse(r.output),
    }));
  }

  /** Pins the node's outputs from `runId`; refuses a run of another flow or a node that did not succeed there. */
  pin(flowId: string, nodeId: string, runId: string, at: number): { ok: true } | { ok: false; reason: string } {
    const src = this.s.source.get(runId, nodeId) as { outputs: string | null; output: string | null; flow_id: string } | undefined;
    if (!src || src.outputs === null) return { ok: false, reason: `node "${nodeId}" has no successful output in run ${runId}` };
    if (src.flow_id !== flowId) return { ok: false, reason: `run ${runId} belongs to another flow` };
    // A pin outlives the run it came from: it keeps its values inline, never references to the run's payloads.
    const payloads = payloadsOf(this.db);
    const inline = (text: string) => JSON.stringify(payloads.decode(text));
    this.s.pin.run(flowId, nodeId, inline(src.outputs), inline(src.output ?? 'null'), runId, at);
    return { ok: true };
  }

  unpin(flowId: string, nodeId: string): boolean {
    return this.s.unpin.run(flowId, nodeId).changes > 0;
  }

  /** The pins a run uses: the flow's pins for a manual run, none for a run a trigger started. */
  forRun(runId: string): ReadonlyMap<string, Record<string, unknown>> | undefined {
    const run = this.s.runKind.get(runId) as { flow_id: string; dedupe_key: string | null } | undefined;
    if (!run || run.dedupe_key !== null) return undefined;
    const rows = this.s.outputsOf.all(run.flow_id) as { node_id: string; outputs: string }[];
    if (rows.length === 0) return undefined;
    return new Map(rows.map((r) => [r.node_id, JSON.parse(r.outputs) as Record<string, unknown>]));
  }
}
