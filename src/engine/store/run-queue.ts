/**
 * The run queue in SQLite: creating runs (with dedupe), finding runs the scheduler may start,
 * signals, cancellation, crash recovery and retention. All writes here are acknowledged to a caller,
 * so they go through the writer and are awaited (fsynced) before the caller hears "ok".
 */
import type { Db } from './database';
import type { GroupCommitWriter } from './group-commit';
import type { NewRun } from '../runtime/journal';
import { deleteRunRows } from './run-owned-tables';
import { encodeJson, payloadsOf, type EncodedJson, type PayloadStore } from './payloads';
import { stoppedMessage, type RunStatus } from '../../shared/runs';

export interface ClaimableRun {
  id: string;
  flowId: string;
  flowVersion: number;
  orderingKey: string | null;
  status: 'queued' | 'waiting';
  deadlineAt: number | null;
}

export interface RunToExecute {
  id: string;
  flowId: string;
  flowVersion: number;
  input: unknown;
  inputOverrides: Record<string, unknown> | null;
  startedBefore: boolean;
  deadlineAt: number | null;
  parentRunId: string | null;
  /** Idempotency keys are built from this run id: the run itself, or for a re-run the first run of its chain. */
  effectKeyRunId: string;
  /** A test run (the Run dialog of a change-trigger flow): sinks set to skip do not write. */
  test: boolean;
}

export class RunQueue {
  private readonly s;
  /**
   * Runs committed but maybe not yet durable, as (write seq, smallest runs.seq the write created).
   * The scheduler claims only runs created at or below the durability frontier: a run that could
   * vanish in a power loss must not execute (its effects would have no run to answer for them).
   */
  private notDurable: { writeSeq: number; firstRunSeq: number }[] = [];

  private readonly payloads: PayloadStore;

  constructor(
    private readonly db: Db,
    private readonly writer: GroupCommitWriter,
  ) {
    this.payloads = payloadsOf(db);
    this.s = {
      insert: db.prepare(
        `INSERT INTO runs (id, flow_id, flow_version, flow_name, status, input, dedupe_key, ordering_key, parent_run_id, effect_key_run_id, input_overrides, deadline_at, created_at, is_test)
         VALUES (@id, @flowId, @flowVersion, @flowName, 'queued', @input, @dedupeKey, @orderingKey, @parentRunId, @effectKeyRunId, @inputOverrides, @deadlineAt, @createdAt, @isTest)
         ON CONFLICT DO NOTHING`,
      ),
      // Positional (faster than named parameters at trigger rates); only a dedupe-key conflict is
      // skipped, so an id collision fails loudly instead of silently dropping a run.
      insertMany: db.prepare(
        `INSERT INTO runs (id, flow_id, flow_version, flow_name, status, input, dedupe_key, ordering_key, deadline_at, created_at)
         VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?)
         ON CONFLICT (flow_id, dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING`,
      ),
      byDedupe: db.prepare(`SELECT id FROM runs WHERE flow_id = ? AND dedupe_key = ?`),
      // Two queries on partial indexes (migration 3), merged by seq: an OR over both made SQLite scan every run.
      claimableQueued: db.prepare(
        `SELECT seq, id, flow_id AS flowId, flow_version AS flowVersion, ordering_key AS orderingKey, status, deadline_at AS deadlineAt
         FROM runs WHERE status = 'queued' ORDER BY seq LIMIT @limit`,
      ),
      claimableWaiting: db.prepare(
        `SELECT seq, id, flow_id AS flowId, flow_version AS flowVersion, ordering_key AS orderingKey, status, deadline_at AS deadlineAt
         FROM runs WHERE status = 'waiting' AND (wake_at <= @now OR deadline_at <= @now) ORDER BY seq LIMIT @limit`,
      ),
      // The first unfinished run of an ordering key is the only one of that key allowed to execute.
      headOfKey: db.prepare(
        `SELECT id FROM runs WHERE ordering_key = ? AND status IN ('queued','running','waiting') ORDER BY seq LIMIT 1`,
      ),
      nextWake: db.prepare(
        `SELECT min(t) AS t FROM (
           SELECT wake_at AS t FROM runs WHERE status = 'waiting' AND wake_at IS NOT NULL
           UNION ALL SELECT deadline_at FROM runs WHERE status = 'waiting' AND deadline_at IS NOT NULL)`,
      ),
      forExecution: db.prepare(
        `SELECT id, flow_id, flow_version, input, input_overrides, started_at, deadline_at, parent_run_id, effect_key_run_id, is_test FROM runs WHERE id = ? AND status IN ('queued','waiting')`,
      ),
      status: db.prepare(`SELECT status FROM runs WHERE id = ?`),
      effectKeyRunId: db.prepare(`SELECT coalesce(effect_key_run_id, id) AS id FROM runs WHERE id = ?`),
      lastRunSeq: db.prepare(`SELECT max(seq) AS seq FROM runs`),
      insertSignal: db.prepare(`INSERT OR IGNORE INTO signals (run_id, name, payload, received_at) VALUES (?, ?, ?, ?)`),
      wake: db.prepare(
        `UPDATE runs SET wake_at = CASE WHEN wake_at IS NULL OR wake_at > @now THEN @now ELSE wake_at END
         WHERE id = @runId AND status IN ('queued','running','waiting')`,
      ),
      cancel: db.prepare(
        `UPDATE runs SET status = 'cancelled', error = ?, finished_at = ?, wake_at = NULL WHERE id = ? AND status IN ('queued','waiting')`,
      ),
      interrupted: db.prepare(`UPDATE runs SET status = 'queued' WHERE status = 'running'`),
      stopNodes: db.prepare(
        `UPDATE node_runs SET status = 'failed', waiting = NULL, error = coalesce(error, ?), finished_at = ?
         WHERE run_id = ? AND status IN ('running','waiting')`,
      ),
    };
  }

  /** The run id a re-run of `runId` keys its effects by: the first run of its re-run chain. */
  effectKeyRunIdOf(runId: string): string {
    return (this.s.effectKeyRunId.get(runId) as { id: string } | undefined)?.id ?? runId;
  }

  /**
   * Creates the run, or returns the existing one for the same (flow, dedupe key). Durable on return.
   * `alsoWrite` runs in the same transaction (a re-run's copies of reused nodes): a run is never
   * visible without what it depends on.
   */
  async enqueue(run: NewRun, flowName: string, alsoWrite?: () => void): Promise<{ runId: string; deduplicated: boolean }> {
    let inserted = false;
    // SQL NULL = started without an input (the trigger uses its test payload); JSON null is a real input.
    const input = run.input === undefined ? null : encodeJson(run.input);
    await this.creating(() => {
      inserted =
        this.s.insert.run({
          id: run.id,
          flowId: run.flowId,
          flowVersion: run.flowVersion,
          flowName,
          input: input?.text ?? null,
          dedupeKey: run.dedupeKey ?? null,
          orderingKey: run.orderingKey ?? null,
          parentRunId: run.parentRunId ?? null,
          effectKeyRunId: run.effectKeyRunId ?? null,
          inputOverrides: run.inputOverrides ? JSON.stringify(run.inputOverrides) : null,
          deadlineAt: run.deadlineAt ?? null,
          createdAt: run.createdAt,
          isTest: run.test === true ? 1 : 0,
        }).changes > 0;
      if (inserted && input) this.payloads.write(run.id, input.payloads);
      if (inserted) alsoWrite?.();
      // A caller waits for this answer: on a full disk it hears so at once (triggers wait for space instead).
    }, true);
    if (inserted) return { runId: run.id, deduplicated: false };
    const existing = this.s.byDedupe.get(run.flowId, run.dedupeKey ?? null) as { id: string } | undefined;
    if (!existing) throw new Error(`run ${run.id} could not be created`);
    return { runId: existing.id, deduplicated: true };
  }

  /**
   * Bulk form of `enqueue` for triggers: N runs in one transaction (one fsync), plus `alsoWrite`
   * in the same transaction (e.g. the trigger's source position), so "runs exist" and "position
   * recorded" are never apart. Runs whose dedupe key exists are skipped. Durable on return.
   */
  async enqueueMany(
    runs: readonly Omit<NewRun, 'parentRunId' | 'inputOverrides' | 'test'>[],
    flowName: string,
    alsoWrite?: () => void,
  ): Promise<{ created: number; deduplicated: number }> {
    let created = 0;
    const inputs: (EncodedJson | null)[] = runs.map((run) => (run.input === undefined ? null : encodeJson(run.input)));
    await this.creating(() => {
      runs.forEach((run, i) => {
        const input = inputs[i]!;
        const n = this.s.insertMany.run(run.id, run.flowId, run.flowVersion, flowName, input?.text ?? null, run.dedupeKey ?? null, run.orderingKey ?? null, run.deadlineAt ?? null, run.createdAt).changes;
        // Only a run that was created refers to its payloads (a deduplicated one already has its own).
        if (n > 0 && input && input.payloads.length > 0) this.payloads.write(run.id, input.payloads);
        created += n;
      });
      alsoWrite?.();
    });
    return { created, deduplicated: runs.length - created };
  }

  /** A write that creates runs: records which runs.seq it created until the frontier passes it. */
  private creating(op: () => void, refuseWhenFull = false): Promise<void> {
    const entry = { writeSeq: 0, firstRunSeq: Number.POSITIVE_INFINITY };
    const { seq, done } = this.writer.writeSeq(
      () => {
        const before = this.lastRunSeq();
        op();
        if (this.lastRunSeq() > before) entry.firstRunSeq = before + 1;
      },
      undefined,
      { refuseWhenFull },
    );
    entry.writeSeq = seq;
    this.notDurable.push(entry);
    return done;
  }

  private lastRunSeq(): number {
    return (this.s.lastRunSeq.get() as { seq: number | null }).seq ?? 0;
  }

  /** runs.seq from which creations may not be durable yet (Infinity: all are). */
  private durableRunSeqLimit(): number {
    const durable = this.writer.durableSeq;
    let i = 0;
    while (i < this.notDurable.length && this.notDurable[i]!.writeSeq <= durable) i++;
    if (i > 0) this.notDurable.splice(0, i);
    let limit = Number.POSITIVE_INFINITY;
    for (const e of this.notDurable) limit = Math.min(limit, e.firstRunSeq);
    return limit;
  }

  /** Runs that may start now, oldest first, with ordering keys respected; only runs whose creation is durable. */
  claimable(now: number, limit: number): ClaimableRun[] {
    const queued = this.s.claimableQueued.all({ limit: limit * 4 }) as (ClaimableRun & { seq: number })[];
    const waiting = this.s.claimableWaiting.all({ now, limit: limit * 4 }) as (ClaimableRun & { seq: number })[];
    const rows = waiting.length === 0 ? queued : [...queued, ...waiting].sort((a, b) => a.seq - b.seq).slice(0, limit * 4);
    const durableBelow = this.durableRunSeqLimit();
    return rows.filter(
      (r) => r.seq < durableBelow && (r.orderingKey === null || (this.s.headOfKey.get(r.orderingKey) as { id: string }).id === r.id),
    );
  }

  /** True while some created run is not yet durable (the scheduler looks again when the frontier moves). */
  hasUndurableRuns(): boolean {
    return this.durableRunSeqLimit() !== Number.POSITIVE_INFINITY;
  }

  /** Earliest time a waiting run wakes by itself, or null. */
  nextWakeAt(): number | null {
    return (this.s.nextWake.get() as { t: number | null }).t;
  }

  /**
   * Loads what the runner needs for a queued or waiting run. Writes nothing: the scheduler's active
   * set prevents double starts in this process, and the runner's first (posted) write marks it running.
   */
  take(runId: string): RunToExecute | undefined {
    const r = this.s.forExecution.get(runId) as
      | {
          id: string;
          flow_id: string;
          flow_version: number;
          input: string | null;
          input_overrides: string | null;
          started_at: number | null;
          deadline_at: number | null;
          parent_run_id: string | null;
          effect_key_run_id: string | null;
          is_test: number;
        }
      | undefined;
    if (!r) return undefined;
    return {
      id: r.id,
      flowId: r.flow_id,
      flowVersion: r.flow_version,
      input: r.input === null ? undefined : this.payloads.decode(r.input),
      inputOverrides: r.input_overrides === null ? null : (JSON.parse(r.input_overrides) as Record<string, unknown>),
      startedBefore: r.started_at !== null,
      deadlineAt: r.deadline_at,
      parentRunId: r.parent_run_id,
      effectKeyRunId: r.effect_key_run_id ?? r.id,
      test: r.is_test === 1,
    };
  }

  status(runId: string): RunStatus | undefined {
    return (this.s.status.get(runId) as { status: RunStatus } | undefined)?.status;
  }

  /** Stores a signal (first delivery wins) and wakes the run. Durable on return. */
  async signal(runId: string, name: string, payload: unknown, now: number): Promise<{ accepted: boolean }> {
    let accepted = false;
    await this.writer.write(() => {
      accepted = this.s.insertSignal.run(runId, name, JSON.stringify(payload ?? null), now).changes > 0;
      if (accepted) this.s.wake.run({ now, runId });
    });
    return { accepted };
  }

  /**
   * `signal` for a caller that is already inside a writer transaction (approvals: the decision and
   * its signal commit together or not at all). Returns whether this delivery was the first.
   */
  signalInTransaction(runId: string, name: string, payload: unknown, now: number): boolean {
    const accepted = this.s.insertSignal.run(runId, name, JSON.stringify(payload ?? null), now).changes > 0;
    if (accepted) this.s.wake.run({ now, runId });
    return accepted;
  }

  /** Cancels a queued or waiting run immediately; a running run is cancelled by its runner. */
  async cancelParked(runId: string, now: number): Promise<boolean> {
    let done = false;
    await this.writer.write(() => {
      done = this.s.cancel.run(JSON.stringify({ message: 'the run was cancelled' }), now, runId).changes > 0;
      if (done) this.s.stopNodes.run(JSON.stringify({ message: stoppedMessage('cancelled') }), now, runId);
    });
    return done;
  }

  /** At start-up: runs a dead process left "running" go back to the queue and resume from their journal. */
  requeueInterrupted(): number {
    return this.s.interrupted.run().changes;
  }

  /** Deletes finished runs older than `olderThan`, and beyond `keepPerFlow` newest per flow, in small batches. */
  prune(olderThan: number | null, keepPerFlow: number | null, batch = 500): number {
    const ids = this.db
      .prepare(
        `SELECT id FROM runs WHERE finished_at IS NOT NULL AND (
           (@olderThan IS NOT NULL AND finished_at < @olderThan) OR
           (@keep IS NOT NULL AND seq NOT IN (
              SELECT seq FROM (SELECT seq, row_number() OVER (PARTITION BY flow_id ORDER BY seq DESC) AS rn FROM runs) WHERE rn <= @keep)))
         LIMIT @batch`,
      )
      .pluck()
      .all({ olderThan, keep: keepPerFlow, batch }) as string[];
    if (ids.length === 0) return 0;
    this.db.transaction(() => deleteRunRows(this.db, ids))();
    return ids.length;
  }
}
