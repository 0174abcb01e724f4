/**
 * Starts one queued or waiting run: loads its pinned flow version, arms its deadline, runs it with
 * an abort handle (cancel, timeout, shutdown), and forgets it when the runner returns — a parked run
 * keeps nothing in memory.
 */
import { describeStorageError, type Db } from './store/database';
import type { FlowStore } from './store/flow-store';
import type { RunQueue } from './store/run-queue';
import type { Journal } from './runtime/journal';
import { executeRun, type AbortReason } from './runtime/runner';
import type { Flow } from '../shared/flow/schema';
import { parseFlowDocument } from '../shared/flow/validate';
import type { NodeRegistry } from '../shared/node-kit';
import type { NodeServices } from '../shared/services';
import type { RunEvent } from '../shared/runs';
import { payloadsOf } from './store/payloads';

export interface RunExecutorOptions {
  db: Db;
  journal: Journal;
  queue: RunQueue;
  flows: FlowStore;
  registry: NodeRegistry;
  services: NodeServices;
  now: () => number;
  maxOutputBytes: number | undefined;
  emit: (e: RunEvent) => void;
  log: (line: string) => void;
  /** Pinned node outputs the run uses instead of executing those nodes (manual runs; store/pin-store.ts). */
  pins?: (runId: string) => ReadonlyMap<string, Record<string, unknown>> | undefined;
}

const FLOW_CACHE_SIZE = 64;

export class RunExecutor {
  private readonly active = new Map<string, { flowId: string; abort: AbortController; work?: Promise<unknown> }>();
  private readonly cancelRequested = new Set<string>();
  private readonly flowCache = new Map<string, Flow>();
  private readonly concurrencyByFlow = new Map<string, number | undefined>();

  constructor(private readonly o: RunExecutorOptions) {}

  execute(runId: string): Promise<{ parked: boolean }> | undefined {
    if (this.active.has(runId) || this.cancelRequested.has(runId)) return undefined;
    const run = this.o.queue.take(runId);
    if (!run) return undefined;
    const abort = new AbortController();
    this.active.set(runId, { flowId: run.flowId, abort });
    const now = this.o.now();
    let deadline: ReturnType<typeof setTimeout> | undefined;
    if (run.deadlineAt !== null) {
      if (now >= run.deadlineAt) abort.abort('timeout' satisfies AbortReason);
      else deadline = setTimeout(() => abort.abort('timeout' satisfies AbortReason), run.deadlineAt - now);
    }
    const flow = this.loadPinned(run.flowId, run.flowVersion);
    const pins = flow ? this.o.pins?.(runId) : undefined;
    const work = flow
      ? executeRun({
          runId,
          flow,
          flowVersion: run.flowVersion,
          input: run.input,
          inputOverrides: run.inputOverrides,
          parentRunId: run.parentRunId,
          effectKeyRunId: run.effectKeyRunId,
          test: run.test,
          firstStart: !run.startedBefore,
          registry: this.o.registry,
          journal: this.o.journal,
          services: this.o.services,
          emit: this.o.emit,
          signal: abort.signal,
          now: this.o.now,
          log: this.o.log,
          ...(this.o.maxOutputBytes !== undefined ? { maxOutputBytes: this.o.maxOutputBytes } : {}),
          ...(pins ? { pins } : {}),
        }).then(
          (outcome) => ({ parked: outcome.status === 'waiting' }),
          (e: unknown) => {
            this.reportJournalFailure(runId, e);
            return { parked: false };
          },
        )
      : this.failMissingFlow(runId, run.flowId, run.flowVersion).then(() => ({ parked: false }));
    const tracked = work.finally(() => {
      clearTimeout(deadline);
      this.active.delete(runId);
      this.cancelRequested.delete(runId);
    });
    this.active.get(runId)!.work = tracked;
    return tracked;
  }

  /**
   * Cancels a run executing in this process; resolves once its runner has returned (undefined if it
   * is not active here). A runner that was already parking returns "waiting": the caller then
   * cancels the parked run.
   */
  cancel(runId: string): Promise<unknown> | undefined {
    const a = this.active.get(runId);
    if (!a) return undefined;
    this.cancelRequested.add(runId);
    a.abort.abort('cancel' satisfies AbortReason);
    return a.work?.catch(() => {}) ?? Promise.resolve();
  }

  /** Shutdown: active runs stop at a safe point and stay resumable. */
  interruptAll(): void {
    for (const a of this.active.values()) a.abort.abort('shutdown' satisfies AbortReason);
  }

  hasActiveRuns(flowId: string): boolean {
    return [...this.active.values()].some((a) => a.flowId === flowId);
  }

  flowConcurrency(flowId: string): number | undefined {
    return this.concurrencyByFlow.get(flowId);
  }

  /**
   * Re-run from a node: upstream nodes keep the original run's results instead of running again.
   * Runs inside the writer's transaction that creates the new run (RunQueue.enqueue's `alsoWrite`).
   */
  copyReusedNodes(newRunId: string, oldRunId: string, nodeIds: string[]): void {
    if (nodeIds.length === 0) return;
    const copy = this.o.db.prepare(
      `INSERT INTO node_runs (run_id, node_id, node_type, status, attempt, input, outputs, output, started_at, finished_at)
       SELECT ?, node_id, node_type, status, attempt, input, outputs, output, started_at, finished_at
       FROM node_runs WHERE run_id = ? AND node_id = ? AND status IN ('succeeded','skipped')`,
    );
    for (const id of nodeIds) copy.run(newRunId, oldRunId, id);
    // The copies refer to the old run's payloads: the new run holds them too (pruning the old run keeps them).
    payloadsOf(this.o.db).shareRefs(newRunId, oldRunId);
  }

  private loadPinned(flowId: string, version: number): Flow | undefined {
    const key = `${flowId}@${version}`;
    let flow = this.flowCache.get(key);
    if (!flow) {
      const row = this.o.db.prepare(`SELECT doc FROM flow_versions WHERE flow_id = ? AND version = ?`).get(flowId, version) as { doc: string } | undefined;
      if (!row) return undefined;
      const parsed = parseFlowDocument(JSON.parse(row.doc), this.o.registry);
      if (!parsed.ok) return undefined;
      flow = parsed.flow;
      if (this.flowCache.size >= FLOW_CACHE_SIZE) this.flowCache.delete(this.flowCache.keys().next().value!);
      this.flowCache.set(key, flow);
    }
    this.concurrencyByFlow.set(flowId, flow.settings?.concurrency);
    return flow;
  }

  /**
   * The journal could not be written (disk full, read-only folder). Nothing committed is lost and
   * the run resumes from its journal on the next start; until then the user must see it failed.
   */
  private reportJournalFailure(runId: string, e: unknown): void {
    const why = describeStorageError(e) ?? (e instanceof Error ? e.message : String(e));
    this.o.log(`run ${runId}: journal write failed: ${e instanceof Error ? e.stack : String(e)}`);
    const at = this.o.now();
    this.o.emit({
      type: 'run.finished',
      runId,
      at,
      status: 'failed',
      durationMs: 0,
      error: { message: `could not record this run: ${why}. It resumes from its last recorded step when Millrace restarts.` },
    });
  }

  private async failMissingFlow(runId: string, flowId: string, version: number): Promise<void> {
    const at = this.o.now();
    const error = { message: `version ${version} of flow ${flowId} is missing or no longer valid in this Millrace; the run cannot continue` };
    await this.o.journal.runFinished(runId, 'failed', error, at);
    this.o.emit({ type: 'run.finished', runId, at, status: 'failed', durationMs: 0, error });
  }
}
