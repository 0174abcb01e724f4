/**
 * The SQLite journal the runner writes through. Writes go through the group-commit writer: trace
 * rows are posted (ordered, not awaited), durability points are awaited (one fsync per batch).
 * Reads are synchronous; every read is of rows the same run wrote earlier and already awaited.
 */
import type { Db } from './database';
import type { GroupCommitWriter } from './group-commit';
import type { FinalStatus, Journal, NodeState, RunError, StoredStep, StoredWait } from '../runtime/journal';
import { stoppedMessage, type ErrorInfo, type WaitInfo } from '../../shared/runs';
import { encodeJson, payloadsOf, type Payload, type PayloadStore } from './payloads';

const json = (v: unknown) => JSON.stringify(v ?? null);

interface NodeRow {
  runId: string;
  nodeId: string;
  nodeType: string;
  status: 'running' | 'waiting' | 'succeeded' | 'failed' | 'skipped';
  attempt: number;
  input: string | null;
  outputs: string | null;
  output: string | null;
  error: string | null;
  waiting: string | null;
  startedAt: number | null;
  finishedAt: number | null;
  /** What an LLM node's cost/tokens/cache columns are read from: its outputs' text before large values became references. */
  facts: string | null;
  /** Payloads `input` and `outputs`/`output` refer to: written with every upsert of the row (a later upsert replaces a pending one). */
  payloads: Payload[];
}

export class RunStore implements Journal {
  private readonly s;
  private readonly payloads: PayloadStore;

  constructor(
    db: Db,
    private readonly writer: GroupCommitWriter,
  ) {
    this.payloads = payloadsOf(db);
    this.s = {
      runStarted: db.prepare(`UPDATE runs SET status = 'running', started_at = coalesce(started_at, ?), wake_at = NULL WHERE id = ?`),
      // A signal that arrived while the run was still running already set wake_at: keep the earlier time.
      runWaiting: db.prepare(
        `UPDATE runs SET status = 'waiting',
           wake_at = CASE WHEN wake_at IS NULL THEN @wakeAt WHEN @wakeAt IS NULL THEN wake_at ELSE min(wake_at, @wakeAt) END
         WHERE id = @runId AND status = 'running'`,
      ),
      runFinished: db.prepare(`UPDATE runs SET status = ?, error = ?, finished_at = ?, wake_at = NULL WHERE id = ?`),
      nodeStates: db.prepare(
        `SELECT n.node_id, n.status, n.outputs, n.error,
                (SELECT count(*) FROM node_attempts a WHERE a.run_id = n.run_id AND a.node_id = n.node_id) AS failed_attempts,
                (SELECT max(retry_at) FROM node_attempts a WHERE a.run_id = n.run_id AND a.node_id = n.node_id) AS retry_at
         FROM node_runs n WHERE n.run_id = ?`,
      ),
      // Every node write is a complete upsert, so a later one can replace a pending earlier one (group-commit keys).
      nodeUpsert: db.prepare(
        `INSERT INTO node_runs (run_id, node_id, node_type, status, attempt, input, outputs, output, error, waiting, started_at, finished_at,
           flow_id, duration_ms, cost_usd, tokens, cache_hit)
         VALUES (@runId, @nodeId, @nodeType, @status, @attempt, @input, @outputs, @output, @error, @waiting, @startedAt, @finishedAt,
           (SELECT flow_id FROM runs WHERE id = @runId),
           CASE WHEN @status <> 'skipped' AND @finishedAt IS NOT NULL AND @startedAt IS NOT NULL THEN @finishedAt - @startedAt END,
           CASE WHEN @facts IS NOT NULL AND @nodeType LIKE 'llm-call@%' THEN json_extract(@facts, '$.call.cost.usd') END,
           CASE WHEN @facts IS NOT NULL AND @nodeType LIKE 'llm-call@%' THEN json_extract(@facts, '$.call.usage.totalTokens') END,
           CASE WHEN @facts IS NOT NULL AND @nodeType LIKE 'llm-call@%' THEN json_extract(@facts, '$.call.cache.hit') END)
         ON CONFLICT (run_id, node_id) DO UPDATE SET node_type = excluded.node_type, status = excluded.status, attempt = excluded.attempt,
           input = excluded.input, outputs = excluded.outputs, output = excluded.output, error = excluded.error,
           waiting = excluded.waiting, started_at = excluded.started_at, finished_at = excluded.finished_at,
           duration_ms = excluded.duration_ms, cost_usd = excluded.cost_usd, tokens = excluded.tokens, cache_hit = excluded.cache_hit`,
      ),
      attemptFailed: db.prepare(`INSERT OR REPLACE INTO node_attempts (run_id, node_id, attempt, error, at, retry_at) VALUES (?, ?, ?, ?, ?, ?)`),
      attemptWaiting: db.prepare(`UPDATE node_runs SET status = 'waiting', error = ?, waiting = ? WHERE run_id = ? AND node_id = ?`),
      // Mirrors stopUnfinished in src/shared/runs.ts: a stored trace matches the live one.
      stopUnfinished: db.prepare(
        `UPDATE node_runs SET status = 'failed', waiting = NULL, error = coalesce(error, ?), finished_at = ?
         WHERE run_id = ? AND status IN ('running','waiting')`,
      ),
      getStep: db.prepare(`SELECT output, node_type FROM steps WHERE run_id = ? AND node_id = ? AND name = ?`),
      putStep: db.prepare(`INSERT OR IGNORE INTO steps (run_id, node_id, name, node_type, output, created_at) VALUES (?, ?, ?, ?, ?, ?)`),
      getWait: db.prepare(`SELECT wake_at, resolved_at, result FROM waits WHERE run_id = ? AND node_id = ? AND name = ?`),
      registerWait: db.prepare(`INSERT OR IGNORE INTO waits (run_id, node_id, name, signal, wake_at, created_at) VALUES (?, ?, ?, ?, ?, ?)`),
      resolveWait: db.prepare(
        `INSERT INTO waits (run_id, node_id, name, resolved_at, result, created_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (run_id, node_id, name) DO UPDATE SET resolved_at = excluded.resolved_at, result = excluded.result`,
      ),
      getSignal: db.prepare(`SELECT payload FROM signals WHERE run_id = ? AND name = ?`),
    };
  }

  runStarted(runId: string, at: number) {
    this.writer.post(() => this.s.runStarted.run(at, runId));
  }
  runWaiting(runId: string, wakeAt: number | null) {
    return this.writer.write(() => this.s.runWaiting.run({ wakeAt, runId }));
  }
  runFinished(runId: string, status: FinalStatus, error: RunError, at: number, skipIf?: () => boolean) {
    return this.writer.write(() => {
      if (skipIf?.()) return;
      this.s.runFinished.run(status, error ? json(error) : null, at, runId);
      if (status !== 'succeeded') this.s.stopUnfinished.run(json({ message: stoppedMessage(status) }), at, runId);
    });
  }

  loadNodeStates(runId: string): Map<string, NodeState> {
    type Row = { node_id: string; status: string; outputs: string | null; error: string | null; failed_attempts: number; retry_at: number | null };
    const out = new Map<string, NodeState>();
    for (const r of this.s.nodeStates.all(runId) as Row[]) {
      if (r.status === 'succeeded') out.set(r.node_id, { status: 'succeeded', outputs: (r.outputs === null ? {} : this.payloads.decode(r.outputs)) as Record<string, unknown> });
      else if (r.status === 'skipped') out.set(r.node_id, { status: 'skipped' });
      else if (r.status === 'failed') out.set(r.node_id, { status: 'failed', error: JSON.parse(r.error ?? 'null') as ErrorInfo });
      else out.set(r.node_id, { status: r.status as 'running' | 'waiting', failedAttempts: r.failed_attempts, retryAt: r.retry_at });
    }
    return out;
  }
  nodeStarted(runId: string, nodeId: string, nodeType: string, input: unknown, attempt: number, at: number) {
    const enc = encodeJson(input);
    const row: NodeRow = { runId, nodeId, nodeType, status: 'running', attempt, input: enc.text, outputs: null, output: null, error: null, waiting: null, startedAt: at, finishedAt: null, facts: null, payloads: enc.payloads };
    this.current.set(`${runId}/${nodeId}`, row);
    this.postNode(row);
  }
  nodeSucceeded(runId: string, nodeId: string, outputs: Record<string, unknown>, shown: unknown, at: number) {
    const all = encodeJson(outputs);
    // The shown value is usually one of the output ports: encoding it again finds the same payloads.
    const one = shown === outputs ? all : encodeJson(shown);
    const base = this.current.get(`${runId}/${nodeId}`);
    const facts = !base?.nodeType.startsWith('llm-call@') ? null : all.payloads.length > 0 ? json(outputs) : all.text;
    this.finishNode(runId, nodeId, {
      status: 'succeeded', outputs: all.text, output: one.text, finishedAt: at, facts,
      payloads: [...(base?.payloads ?? []), ...all.payloads, ...one.payloads],
    });
  }
  nodeFailed(runId: string, nodeId: string, error: ErrorInfo, at: number) {
    this.finishNode(runId, nodeId, { status: 'failed', error: json(error), finishedAt: at });
  }
  nodeSkipped(runId: string, nodeId: string, nodeType: string, at: number) {
    this.postNode({ runId, nodeId, nodeType, status: 'skipped', attempt: 1, input: null, outputs: null, output: null, error: null, waiting: null, startedAt: at, finishedAt: at, facts: null, payloads: [] });
  }
  nodeWaiting(runId: string, nodeId: string, waiting: WaitInfo) {
    this.finishNode(runId, nodeId, { status: 'waiting', waiting: json(waiting) });
  }

  /** Rows of nodes that started in this process and have not settled: the base of their final upsert. */
  private readonly current = new Map<string, NodeRow>();

  private finishNode(runId: string, nodeId: string, change: Partial<NodeRow>) {
    const key = `${runId}/${nodeId}`;
    const base = this.current.get(key);
    this.current.delete(key);
    if (!base) return; // only nodes started by this process settle here
    this.postNode({ ...base, ...change });
  }

  private postNode(row: NodeRow) {
    this.writer.post(() => this.upsertNode(row), `${row.runId}/${row.nodeId}`);
  }
  private upsertNode({ payloads, ...row }: NodeRow) {
    if (payloads.length > 0) this.payloads.write(row.runId, payloads);
    this.s.nodeUpsert.run(row);
  }
  attemptFailed(runId: string, nodeId: string, attempt: number, error: ErrorInfo, retryAt: number, at: number) {
    const waiting: WaitInfo = { kind: 'retry', until: retryAt };
    const key = `${runId}/${nodeId}`;
    const base = this.current.get(key);
    this.current.delete(key);
    return this.writer.write(() => {
      this.s.attemptFailed.run(runId, nodeId, attempt, json(error), at, retryAt);
      if (base) this.upsertNode({ ...base, status: 'waiting', error: json(error), waiting: json(waiting) });
      else this.s.attemptWaiting.run(json(error), json(waiting), runId, nodeId);
    }, key);
  }

  getStep(runId: string, nodeId: string, name: string): StoredStep {
    const row = this.s.getStep.get(runId, nodeId, name) as { output: string; node_type: string } | undefined;
    return row ? { found: true, value: this.payloads.decode(row.output), nodeType: row.node_type } : { found: false };
  }
  putStep(runId: string, nodeId: string, name: string, nodeType: string, value: unknown, at: number) {
    const v = encodeJson(value);
    return this.writer.write(() => {
      if (v.payloads.length > 0) this.payloads.write(runId, v.payloads);
      this.s.putStep.run(runId, nodeId, name, nodeType, v.text, at);
    });
  }

  getWait(runId: string, nodeId: string, name: string): StoredWait | undefined {
    const r = this.s.getWait.get(runId, nodeId, name) as { wake_at: number | null; resolved_at: number | null; result: string | null } | undefined;
    return r && { wakeAt: r.wake_at, resolved: r.resolved_at !== null, result: r.result === null ? null : JSON.parse(r.result) };
  }
  registerWait(runId: string, nodeId: string, name: string, wakeAt: number | null, signal: string | null, at: number) {
    return this.writer.write(() => this.s.registerWait.run(runId, nodeId, name, signal, wakeAt, at));
  }
  resolveWait(runId: string, nodeId: string, name: string, result: unknown, at: number) {
    const r = json(result);
    return this.writer.write(() => this.s.resolveWait.run(runId, nodeId, name, at, r, at));
  }
  lastSeq(): number {
    return this.writer.lastSeq;
  }
  whenDurable(seq: number): Promise<void> {
    return this.writer.whenDurable(seq);
  }
  getSignal(runId: string, name: string) {
    const r = this.s.getSignal.get(runId, name) as { payload: string | null } | undefined;
    return r && { payload: r.payload === null ? null : JSON.parse(r.payload) };
  }
}
