/**
 * Builds the `ctx` a node executor receives: memoised steps, durable waits, idempotency keys.
 * Everything is keyed by graph ids (run, node, step name), never by call order.
 */
import type { NodeContext, Upstream, WaitResult } from '../../shared/node-kit';
import type { NodeServices } from '../../shared/services';
import { NodeError } from '../../shared/services';
import { asFlowId, asNodeId, asRunId } from '../../shared/ids';
import type { Journal } from './journal';
import { Suspend } from './suspend';
import { assertJson } from './json';

export interface StepContextInput {
  runId: string;
  /** The run id idempotency keys are built from: a re-run keys its effects by its chain's first run. Default: runId. */
  keyRunId?: string;
  flowId: string;
  nodeId: string;
  nodeName: string;
  nodeType: string;
  runInput: unknown;
  /** A test run (see NodeContext.isTestRun). */
  isTestRun?: boolean;
  /** Upstream outputs and the trigger's output, for `$node[...]` / `$trigger` templates. */
  upstream?: Upstream;
  connectedInputs?: readonly string[];
  attempt: number;
  journal: Journal;
  services: NodeServices;
  signal: AbortSignal;
  now: () => number;
  log: (line: string) => void;
  /** Live progress (a run event, not journaled). */
  progress?: (text: string) => void;
  /** The run's journal writes an effect must not get ahead of; see RunWrites. */
  writes: RunWrites;
  /** An effect found started but never finished ran again (the trace counts these per node). */
  onRedelivery?: (step: string) => void;
}

/**
 * What one run has written that an effect must not get ahead of: the sequence number of its newest
 * durability-relevant write (step results, "started" markers, waits) and the first such write
 * that failed. Effects compare against the store's frontier (`journal.whenDurable`): an effect
 * starts only once every write its run made before it is on disk. Step results are not awaited one
 * by one, so a step's fsync overlaps with the pure work that follows it.
 */
export class RunWrites {
  private seq = 0;
  private error: unknown = null;

  constructor(private readonly journal: Pick<Journal, 'lastSeq' | 'whenDurable'>) {}

  /** Track a write the journal just queued (call right after it, so `lastSeq` is its number). */
  add(write: Promise<void>): void {
    this.seq = Math.max(this.seq, this.journal.lastSeq());
    write.catch((e: unknown) => {
      this.error ??= e;
    });
  }

  /**
   * True once a tracked write has failed. A failed batch rejects its writes synchronously in its
   * flush and this is set in the microtask drain right after it, so a write committed in any later
   * batch sees it (one in the same batch fails with it).
   */
  get failed(): boolean {
    return this.error !== null;
  }

  /** Resolves once everything tracked is durable; throws the first failed write's error. */
  async settle(): Promise<void> {
    if (this.error) throw this.error;
    await this.journal.whenDurable(this.seq);
    if (this.error) throw this.error;
  }
}

export function makeStepContext(c: StepContextInput): NodeContext {
  const { journal, runId, nodeId } = c;

  /** A journaled step written by another version of this node cannot be trusted on replay. */
  const checkType = (name: string, storedType: string) => {
    if (storedType !== c.nodeType) {
      throw new NodeError(
        `step "${name}" was recorded by ${storedType} but this run now has ${c.nodeType}; the run cannot resume safely — re-run it instead`,
        { permanent: true },
      );
    }
  };

  async function wait(name: string, until: number | null, signalName: string | null): Promise<WaitResult> {
    await c.writes.settle();
    const key = signalName === null ? `sleep:${name}` : `signal:${name}`;
    const existing = journal.getWait(runId, nodeId, key);
    if (existing?.resolved) return existing.result as WaitResult;
    if (signalName !== null) {
      const signal = journal.getSignal(runId, signalName);
      if (signal) {
        const result: WaitResult = { kind: 'signal', payload: signal.payload };
        await journal.resolveWait(runId, nodeId, key, result, c.now());
        return result;
      }
    }
    const wakeAt = existing ? existing.wakeAt : until;
    if (wakeAt !== null && c.now() >= wakeAt) {
      const result: WaitResult = { kind: signalName === null ? 'elapsed' : 'timeout' };
      await journal.resolveWait(runId, nodeId, key, result, c.now());
      return result;
    }
    if (!existing) await journal.registerWait(runId, nodeId, key, wakeAt, signalName, c.now());
    throw new Suspend(signalName === null ? { kind: 'sleep', until: wakeAt } : { kind: 'signal', until: wakeAt, signal: signalName });
  }

  return {
    runId: asRunId(runId),
    flowId: asFlowId(c.flowId),
    nodeId: asNodeId(nodeId),
    nodeName: c.nodeName,
    runInput: c.runInput,
    isTestRun: c.isTestRun === true,
    ...(c.upstream ? { upstream: c.upstream } : {}),
    ...(c.connectedInputs ? { connectedInputs: c.connectedInputs } : {}),
    attempt: c.attempt,
    services: c.services,
    signal: c.signal,
    log: c.log,
    ...(c.progress ? { progress: c.progress } : {}),
    step: {
      async run<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
        const stored = journal.getStep(runId, nodeId, name);
        if (stored.found) {
          checkType(name, stored.nodeType);
          return stored.value as T;
        }
        await c.writes.settle();
        const value = await fn();
        assertJson(value, `step "${name}"`);
        c.writes.add(journal.putStep(runId, nodeId, name, c.nodeType, value ?? null, c.now()));
        return value;
      },
      async effect<T>(name: string, fn: (info: { idempotencyKey: string; mayHaveRunBefore: boolean }) => Promise<T> | T): Promise<T> {
        const stored = journal.getStep(runId, nodeId, name);
        if (stored.found) {
          checkType(name, stored.nodeType);
          return stored.value as T;
        }
        // The marker is durable before the effect starts, so a crash anywhere after it leaves a trace
        // that the target may already have this effect: the replay says so instead of hiding it.
        const marker = `started:${name}`;
        const mayHaveRunBefore = journal.getStep(runId, nodeId, marker).found;
        if (mayHaveRunBefore) {
          c.writes.add(journal.putStep(runId, nodeId, `redelivered:${name}:${c.attempt}:${c.now()}`, c.nodeType, { at: c.now() }, c.now()));
          c.onRedelivery?.(name);
          c.log(`effect "${name}" may have been delivered before; sending it again with the same idempotency key`);
        } else {
          c.writes.add(journal.putStep(runId, nodeId, marker, c.nodeType, { at: c.now() }, c.now()));
        }
        await c.writes.settle();
        const value = await fn({ idempotencyKey: `${c.keyRunId ?? runId}:${nodeId}:${name}`, mayHaveRunBefore });
        assertJson(value, `effect "${name}"`);
        c.writes.add(journal.putStep(runId, nodeId, name, c.nodeType, value ?? null, c.now()));
        return value;
      },
      idempotencyKey: (name) => `${c.keyRunId ?? runId}:${nodeId}:${name}`,
      sleep: async (name, ms) => void (await wait(name, c.now() + Math.max(0, ms), null)),
      sleepUntil: async (name, time) => void (await wait(name, time, null)),
      waitForSignal: (name, options = {}) =>
        wait(name, options.timeoutMs === undefined ? null : c.now() + options.timeoutMs, options.signal ?? name),
    },
  };
}
