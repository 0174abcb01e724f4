/** The SQLite journal: run rows, per-node trace rows and memoised steps, plus the read side. */
import type { Db } from './database';
import type { Journal, NewRun, StoredStep } from '../runtime/journal';
import type { ErrorInfo, NodeTrace, RunStatus, RunSummary, RunTrace } from '../../shared/runs';

interface RunRow {
  id: string;
  flow_id: string;
  flow_version: number;
  flow_name: string;
  status: RunStatus;
  input: string | null;
  error: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
}

interface NodeRow {
  node_id: string;
  node_type: string;
  status: NodeTrace['status'];
  input: string | null;
  output: string | null;
  error: string | null;
  started_at: number | null;
  finished_at: number | null;
}

const parse = (s: string | null): unknown => (s === null ? null : JSON.parse(s));

export class RunStore implements Journal {
  private readonly stmt;

  constructor(private readonly db: Db) {
    this.stmt = {
      createRun: db.prepare(
        `INSERT INTO runs (id, flow_id, flow_version, flow_name, status, input, created_at) VALUES (?, ?, ?, ?, 'queued', ?, ?)`,
      ),
      runStarted: db.prepare(`UPDATE runs SET status = 'running', started_at = ? WHERE id = ?`),
      runFinished: db.prepare(`UPDATE runs SET status = ?, error = ?, finished_at = ? WHERE id = ?`),
      nodeStarted: db.prepare(
        `INSERT INTO node_runs (run_id, node_id, node_type, status, input, started_at) VALUES (?, ?, ?, 'running', ?, ?)
         ON CONFLICT (run_id, node_id) DO UPDATE SET status = 'running', input = excluded.input, started_at = excluded.started_at, output = NULL, error = NULL, finished_at = NULL`,
      ),
      nodeSucceeded: db.prepare(`UPDATE node_runs SET status = 'succeeded', output = ?, finished_at = ? WHERE run_id = ? AND node_id = ?`),
      nodeFailed: db.prepare(`UPDATE node_runs SET status = 'failed', error = ?, finished_at = ? WHERE run_id = ? AND node_id = ?`),
      nodeSkipped: db.prepare(
        `INSERT OR REPLACE INTO node_runs (run_id, node_id, node_type, status, started_at, finished_at) VALUES (?, ?, ?, 'skipped', ?, ?)`,
      ),
      getStep: db.prepare(`SELECT output FROM steps WHERE run_id = ? AND node_id = ? AND name = ?`),
      putStep: db.prepare(`INSERT INTO steps (run_id, node_id, name, node_type, output, created_at) VALUES (?, ?, ?, ?, ?, ?)`),
    };
  }

  createRun(run: NewRun) {
    this.stmt.createRun.run(run.id, run.flowId, run.flowVersion, run.flowName, JSON.stringify(run.input ?? null), run.createdAt);
  }
  runStarted(runId: string, at: number) {
    this.stmt.runStarted.run(at, runId);
  }
  runFinished(runId: string, status: Exclude<RunStatus, 'queued' | 'running'>, error: (ErrorInfo & { nodeId?: string }) | null, at: number) {
    this.stmt.runFinished.run(status, error ? JSON.stringify(error) : null, at, runId);
  }
  nodeStarted(runId: string, nodeId: string, nodeType: string, input: unknown, at: number) {
    this.stmt.nodeStarted.run(runId, nodeId, nodeType, JSON.stringify(input ?? null), at);
  }
  nodeSucceeded(runId: string, nodeId: string, output: unknown, at: number) {
    this.stmt.nodeSucceeded.run(JSON.stringify(output ?? null), at, runId, nodeId);
  }
  nodeFailed(runId: string, nodeId: string, error: ErrorInfo, at: number) {
    this.stmt.nodeFailed.run(JSON.stringify(error), at, runId, nodeId);
  }
  nodeSkipped(runId: string, nodeId: string, nodeType: string, at: number) {
    this.stmt.nodeSkipped.run(runId, nodeId, nodeType, at, at);
  }
  getStep(runId: string, nodeId: string, name: string): StoredStep {
    const row = this.stmt.getStep.get(runId, nodeId, name) as { output: string } | undefined;
    return row ? { found: true, value: JSON.parse(row.output) } : { found: false };
  }
  putStep(runId: string, nodeId: string, name: string, nodeType: string, value: unknown, at: number) {
    this.stmt.putStep.run(runId, nodeId, name, nodeType, JSON.stringify(value ?? null), at);
  }

  listRuns(filter: { flowId?: string; limit?: number }): RunSummary[] {
    const limit = filter.limit ?? 50;
    const rows = (
      filter.flowId
        ? this.db.prepare(`SELECT * FROM runs WHERE flow_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?`).all(filter.flowId, limit)
        : this.db.prepare(`SELECT * FROM runs ORDER BY created_at DESC, rowid DESC LIMIT ?`).all(limit)
    ) as RunRow[];
    return rows.map(toSummary);
  }

  getTrace(runId: string): RunTrace | undefined {
    const run = this.db.prepare(`SELECT * FROM runs WHERE id = ?`).get(runId) as RunRow | undefined;
    if (!run) return undefined;
    const nodes = this.db.prepare(`SELECT * FROM node_runs WHERE run_id = ?`).all(runId) as NodeRow[];
    const trace: RunTrace = { run: toSummary(run), input: parse(run.input), nodes: {} };
    for (const n of nodes) {
      trace.nodes[n.node_id] = {
        nodeId: n.node_id,
        nodeType: n.node_type,
        status: n.status,
        startedAt: n.started_at,
        finishedAt: n.finished_at,
        durationMs: n.started_at !== null && n.finished_at !== null && n.status !== 'skipped' ? n.finished_at - n.started_at : null,
        input: parse(n.input),
        output: parse(n.output),
        error: parse(n.error) as ErrorInfo | null,
      };
    }
    return trace;
  }

  /**
   * Runs left queued/running by a process that died. Engine v0 cannot resume them yet, so they are
   * marked failed with an explanation instead of staying "running" forever.
   */
  failInterruptedRuns(now: number): number {
    return this.db.transaction(() => {
      this.db
        .prepare(`UPDATE node_runs SET status = 'failed', error = ?, finished_at = ? WHERE status = 'running'`)
        .run(JSON.stringify({ message: 'interrupted: Millrace stopped while this node was running' }), now);
      return this.db
        .prepare(`UPDATE runs SET status = 'failed', error = ?, finished_at = ? WHERE status IN ('queued','running')`)
        .run(JSON.stringify({ message: 'interrupted: Millrace stopped during this run' }), now).changes;
    })();
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
  };
}
