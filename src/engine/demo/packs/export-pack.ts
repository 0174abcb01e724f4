/**
 * Builds a demo pack from a data folder: the saved flow, every run it started from a source
 * change or a manual start (re-runs are derived from those and left out), in creation order, the
 * LLM answers in those runs' traces, and the decisions people made on their approval requests.
 * Reads only: SQL on `runs` and `approvals`, traces through the engine.
 */
import { join } from 'node:path';
import { EngineError, type SavedFlow } from '../../../shared/api';
import { parseFlowDocument } from '../../../shared/flow/validate';
import type { NodeRegistry } from '../../../shared/node-kit';
import { openDatabase } from '../../store/database';
import { FlowStore } from '../../store/flow-store';
import { RunReads } from '../../store/run-reads';
import type { DecisionRecord } from '../../../shared/approvals';
import type { RunTrace } from '../../../shared/runs';
import type { Db } from '../../store/database';
import { canonicalJson } from '../../services/llm/keys';
import { recordingsFromTrace, replayFixtureSchema, type ReplayEntry } from '../../services/llm/providers/replay';
import { PACK_FORMAT, PACK_VERSION, type DemoPack, type PackChange, type PackDecision } from './pack-format';
import { payloadsOf } from '../../store/payloads';

export interface ExportHost {
  db: Db;
  getFlow(arg: { id: string }): Promise<Pick<SavedFlow, 'flow'>>;
  getRunTrace(arg: { runId: string }): Promise<RunTrace>;
  now(): number;
}

interface RunRow {
  id: string;
  input: string | null;
  dedupe_key: string | null;
  ordering_key: string | null;
  created_at: number;
}

interface DecisionRow {
  run_id: string;
  node_id: string;
  decision: string;
}

/**
 * The export host of a data folder with no engine running on it (`millrace pack export`): reading a
 * pack must not resume the folder's triggers or queued runs, so only the database is opened
 * (with its exclusive lock: an app using the folder makes this fail with "already in use").
 */
export function folderExportHost(dataDir: string, registry: NodeRegistry): ExportHost & { close(): void } {
  const db = openDatabase(join(dataDir, 'millrace.db'));
  const flows = new FlowStore(db);
  const reads = new RunReads(db);
  return {
    db,
    now: Date.now,
    async getFlow({ id }) {
      const stored = flows.get(id);
      if (!stored) throw new EngineError('not_found', `no flow with id "${id}"`);
      const parsed = parseFlowDocument(stored.doc, registry);
      if (!parsed.ok) throw new EngineError('invalid_flow', `the stored flow "${id}" no longer validates`, parsed.problems);
      return { flow: parsed.flow };
    },
    async getRunTrace({ runId }) {
      const trace = reads.getTrace(runId);
      if (!trace) throw new EngineError('not_found', `no run with id "${runId}"`);
      return trace;
    },
    close: () => db.close(),
  };
}

/** A manual run has no dedupe key of its own; in a pack it gets one from its id, so its play is one run however often it is played. */
export const manualDedupeKey = (runId: string) => `manual:${runId}`;

export async function buildDemoPack(host: ExportHost, flowId: string): Promise<DemoPack> {
  const saved = await host.getFlow({ id: flowId });
  const runs = host.db
    .prepare(`SELECT id, input, dedupe_key, ordering_key, created_at FROM runs WHERE flow_id = ? AND parent_run_id IS NULL ORDER BY seq`)
    .all(flowId) as RunRow[];
  const keyOf = new Map<string, string>();
  const changes: PackChange[] = runs.map((r) => {
    const dedupeKey = r.dedupe_key ?? manualDedupeKey(r.id);
    keyOf.set(r.id, dedupeKey);
    return {
      source: r.dedupe_key !== null ? 'trigger' : 'manual',
      dedupeKey,
      orderingKey: r.ordering_key,
      ...(r.input !== null ? { input: payloadsOf(host.db).decode(r.input) } : {}),
      at: r.created_at,
    };
  });

  // Every answer the runs got, live or replayed (a replayed run must replay again), once per request.
  const entries = new Map<string, ReplayEntry>();
  for (const r of runs) {
    const fixture = recordingsFromTrace(await host.getRunTrace({ runId: r.id }), { labels: ['live', 'replay', 'synthetic'] });
    for (const e of fixture.entries) {
      const k = canonicalJson(e.request);
      if (!entries.has(k)) entries.set(k, e);
    }
  }

  // Decisions people made (inbox, link, API). Timeouts are left out: a played run meets its own
  // deadline and the node's on-timeout setting decides, as it did here.
  const rows = host.db
    .prepare(`SELECT run_id, node_id, decision FROM approvals WHERE flow_id = ? AND status = 'decided' AND decision IS NOT NULL ORDER BY decided_at, id`)
    .all(flowId) as DecisionRow[];
  const decisions: PackDecision[] = [];
  for (const row of rows) {
    const dedupeKey = keyOf.get(row.run_id);
    if (dedupeKey === undefined) continue; // a re-run's request
    const d = JSON.parse(row.decision) as DecisionRecord;
    if (d.via === 'timeout' || d.action === 'timed-out') continue;
    decisions.push({
      dedupeKey,
      nodeId: row.node_id,
      action: d.action === 'approved' ? 'approve' : 'reject',
      comment: d.comment,
      // The reviewer's edits, as the inbox sent them: the changed fields and their new values.
      edits: Object.fromEntries(d.changes.map((c) => [c.path, c.after])),
      by: d.by,
      via: d.via,
      at: d.at,
    });
  }

  return {
    format: PACK_FORMAT,
    version: PACK_VERSION,
    createdAt: new Date(host.now()).toISOString(),
    flow: saved.flow,
    changes,
    llmAnswers: replayFixtureSchema.parse({ version: 1, description: `answers recorded from the runs of "${saved.flow.name}" for a demo pack`, entries: [...entries.values()] }),
    decisions,
  };
}
