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
  flowId: string;
  nodeId: string;
  nodeName: string;
  nodeType: string;
  runInput: unknown;
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
  /** The run's journal writes not yet known durable; see DurabilityBarrier. */
  durability: DurabilityBarrier;
}

/**
 * Effects happen only after everything the run journaled before them is durable. Step results are
 * not awaited one by one: the wait happens once, right before the next effect (or the run's end),
 * so a step's fsync overlaps with the pure work that follows it.
 */
export class DurabilityBarrier {
  private pending: Promise<void>[] = [];

  add(write: Promise<void>): void {
    write.catch(() => {}); // observed by the next wait(); never an unhandled rejection meanwhile
    this.pending.push(write);
  }

  async wait(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      await Promise.all(batch);
    }
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
    await c.durability.wait();
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
        await c.durability.wait();
        const value = await fn();
        assertJson(value, `step "${name}"`);
        c.durability.add(journal.putStep(runId, nodeId, name, c.nodeType, value ?? null, c.now()));
        return value;
      },
      async effect<T>(name: string, fn: (info: { idempotencyKey: string; mayHaveRunBefore: boolean }) => Promise<T> | T): Promise<T> {
        const stored = journal.getStep(runId, nodeId, name);
        if (stored.found) {
          checkType(name, stored.nodeType);
          return stored.value as T;
        }
        const marker = `started:${name}`;
        const mayHaveRunBefore = journal.getStep(runId, nodeId, marker).found;
        if (!mayHaveRunBefore) c.durability.add(journal.putStep(runId, nodeId, marker, c.nodeType, { at: c.now() }, c.now()));
        await c.durability.wait();
        if (mayHaveRunBefore) c.log(`effect "${name}" may have been delivered before; sending again with the same idempotency key`);
        const value = await fn({ idempotencyKey: `${runId}:${nodeId}:${name}`, mayHaveRunBefore });
        assertJson(value, `effect "${name}"`);
        c.durability.add(journal.putStep(runId, nodeId, name, c.nodeType, value ?? null, c.now()));
        return value;
      },
      idempotencyKey: (name) => `${runId}:${nodeId}:${name}`,
      sleep: async (name, ms) => void (await wait(name, c.now() + Math.max(0, ms), null)),
      sleepUntil: async (name, time) => void (await wait(name, time, null)),
      waitForSignal: (name, options = {}) =>
        wait(name, options.timeoutMs === undefined ? null : c.now() + options.timeoutMs, options.signal ?? name),
    },
  };
}
