/**
 * Creates trigger runs in bulk: one transaction (one fsync) for a batch, with `alsoWrite` (the
 * trigger's source position) in the same transaction. The flow is parsed and validated once per
 * version, not per change: triggers call this for every batch.
 */
import { EngineError } from '../../shared/api';
import type { Flow } from '../../shared/flow/schema';
import type { SavedFlow } from '../../shared/api';
import type { FlowStore } from '../store/flow-store';
import type { RunQueue } from '../store/run-queue';
import { runIdForEvent } from './run-ids';
import type { TriggerRunInput } from './trigger-manager';

export interface TriggerRunsOptions {
  flows: FlowStore;
  queue: RunQueue;
  getFlow(id: string): Promise<SavedFlow>;
  /** The error for a flow that has problems (same wording as startRun). */
  notRunnable(saved: SavedFlow): EngineError;
  now: () => number;
  /** New runs are queued: let the scheduler look. */
  wake(): void;
}

export class TriggerRuns {
  private readonly runnable = new Map<string, { version: number; flow: Flow }>();

  constructor(private readonly o: TriggerRunsOptions) {}

  async enqueue(flowId: string, runs: readonly TriggerRunInput[], alsoWrite?: () => void): Promise<{ created: number; deduplicated: number }> {
    const { version, flow } = await this.runnableFlow(flowId);
    const now = this.o.now();
    const timeout = flow.settings?.runTimeoutMs;
    const deadlineAt = timeout !== undefined ? now + timeout : null;
    const result = await this.o.queue.enqueueMany(
      runs.map((r) => ({ id: runIdForEvent(flowId, r.dedupeKey), flowId, flowVersion: version, flowName: flow.name, input: r.input, createdAt: now, dedupeKey: r.dedupeKey, orderingKey: r.orderingKey, deadlineAt })),
      flow.name,
      alsoWrite,
    );
    if (result.created > 0) this.o.wake();
    return result;
  }

  private async runnableFlow(flowId: string): Promise<{ version: number; flow: Flow }> {
    const version = this.o.flows.version(flowId);
    const cached = this.runnable.get(flowId);
    if (cached && cached.version === version) return cached;
    const saved = await this.o.getFlow(flowId);
    if (saved.problems.length > 0) throw this.o.notRunnable(saved);
    // Runs are pinned to the version they started with, as with startRun.
    this.o.flows.pinVersion(flowId, saved.version, saved.flow, this.o.now());
    const entry = { version: saved.version, flow: saved.flow };
    this.runnable.set(flowId, entry);
    return entry;
  }
}
