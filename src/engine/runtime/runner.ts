/**
 * Executes (or resumes) one run of a flow through its DAG.
 *
 * - Replay: nodes the journal says succeeded/skipped are not executed again; their stored outputs
 *   feed downstream nodes. A node that was running when the process died runs again, and its
 *   journaled steps return their stored results instead of repeating effects.
 * - Independent branches run concurrently; a node runs once all its upstream nodes have settled.
 *   A node whose inputs received no data (the If branch not taken) is skipped, and so is everything
 *   only it feeds.
 * - A node that must wait (sleep, signal, retry backoff) suspends: in-flight siblings finish, the
 *   run is recorded as waiting with its wake-up time, and the runner returns. Nothing stays in memory.
 */
import type { Flow, FlowEdge, FlowNode } from '../../shared/flow/schema';
import type { NodeRegistry, AnyNodeDefinition, Upstream, UpstreamNode } from '../../shared/node-kit';
import type { NodeServices } from '../../shared/services';
import { NodeError } from '../../shared/services';
import type { ErrorInfo, RunEvent, WaitInfo } from '../../shared/runs';
import type { FinalStatus, Journal, NodeState, RunError } from './journal';
import { Suspend } from './suspend';
import { RunWrites, makeStepContext } from './step-context';
import { assertJson } from './json';
import { NO_RETRY, backoffDelay, isRetryable, type RetryPolicy } from './retry';

export interface RunRequest {
  runId: string;
  flow: Flow;
  flowVersion: number;
  input: unknown;
  registry: NodeRegistry;
  journal: Journal;
  services: NodeServices;
  emit: (event: RunEvent) => void;
  /** Aborted on cancel (reason "cancel") or run timeout (reason "timeout"). */
  signal?: AbortSignal;
  now?: () => number;
  random?: () => number;
  /** False when the run is resumed after a wait or a restart. */
  firstStart?: boolean;
  /** Re-run from a node: its input replaced by this value. */
  inputOverrides?: Record<string, unknown> | null;
  parentRunId?: string | null;
  /** Idempotency keys are built from this run id (a re-run repeats its first run's effects). Default: runId. */
  effectKeyRunId?: string;
  /** A test run: reported on run.started and given to nodes as `ctx.isTestRun` (sinks may skip). */
  test?: boolean;
  /** Largest JSON a node may output (bytes). */
  maxOutputBytes?: number;
  log?: (line: string) => void;
  /**
   * Pinned outputs (manual runs only): these nodes are not executed; their pinned outputs are
   * journaled as their result and feed downstream nodes (store/pin-store.ts).
   */
  pins?: ReadonlyMap<string, Record<string, unknown>>;
}

/** `interrupted`: the engine shut down mid-run; nothing final was written and the run resumes on the next start. */
export type RunOutcome = { status: FinalStatus } | { status: 'waiting'; wakeAt: number | null } | { status: 'interrupted' };

/** Abort reasons the runner understands. */
export type AbortReason = 'cancel' | 'timeout' | 'shutdown';

export const DEFAULT_MAX_OUTPUT_BYTES = 10 * 1024 * 1024;

/** Pinned flows are immutable, so a node's parsed config is computed once per node object. */
const parsedConfigs = new WeakMap<FlowNode, unknown>();

function parsedConfig(def: AnyNodeDefinition, node: FlowNode): unknown {
  if (!parsedConfigs.has(node)) parsedConfigs.set(node, def.config.parse(node.config));
  return parsedConfigs.get(node);
}

type Settled =
  | { kind: 'done'; outputs: Record<string, unknown> }
  | { kind: 'skipped' }
  | { kind: 'failed' }
  | { kind: 'waiting'; waiting: WaitInfo }
  | { kind: 'interrupted' };

export async function executeRun(req: RunRequest): Promise<RunOutcome> {
  const now = req.now ?? Date.now;
  const { flow, journal, emit, runId } = req;
  const startedAt = now();
  journal.runStarted(runId, startedAt);
  if (req.firstStart === false) emit({ type: 'run.resumed', runId, at: startedAt });
  else emit({ type: 'run.started', runId, flowId: flow.id, flowName: flow.name, flowVersion: req.flowVersion, at: startedAt, input: req.input ?? null, parentRunId: req.parentRunId ?? null, ...(req.test ? { test: true } : {}) });

  const { incoming } = shapeOf(flow);

  const states = journal.loadNodeStates(runId);
  const settled = new Map<string, Settled>();
  for (const [nodeId, st] of states) {
    if (st.status === 'succeeded') settled.set(nodeId, { kind: 'done', outputs: st.outputs });
    else if (st.status === 'skipped') settled.set(nodeId, { kind: 'skipped' });
  }

  const running = new Map<string, Promise<void>>();
  // The scheduler claims a run only once its creation is durable, so the run starts with nothing pending.
  const writes = new RunWrites(journal);
  let failure: RunError = null;
  const waits: WaitInfo[] = [];
  const isReady = (n: FlowNode) => incoming.get(n.id)!.every((e) => { const s = settled.get(e.source); return s !== undefined && s.kind !== 'waiting'; });

  while (true) {
    if (!failure && !req.signal?.aborted) {
      for (const node of flow.nodes) {
        if (settled.has(node.id) || running.has(node.id) || !isReady(node)) continue;
        const def = req.registry.get(node.type);
        if (!def) {
          // The flow is pinned, so this only happens when Millrace itself changed under a parked run.
          failure = { message: `node type ${node.type} is not available in this version of Millrace; the run cannot resume`, nodeId: node.id };
          break;
        }
        const override =
          req.inputOverrides && node.id in req.inputOverrides ? { [Object.keys(def.inputs)[0] ?? 'in']: req.inputOverrides[node.id] } : null;
        const inputs = override ?? gatherInputs(incoming.get(node.id)!, settled);
        if (!def.trigger && Object.keys(def.inputs).length > 0 && inputs === null) {
          const at = now();
          journal.nodeSkipped(runId, node.id, node.type, at);
          emit({ type: 'node.skipped', runId, nodeId: node.id, at, reason: 'no input: the upstream branch was not taken' });
          settled.set(node.id, { kind: 'skipped' });
          continue;
        }
        if (node.settings?.disabled && !def.trigger) {
          settled.set(node.id, passThrough(req, node, def, inputs ?? {}, now()));
          continue;
        }
        const pinned = req.pins?.get(node.id);
        if (pinned) {
          settled.set(node.id, usePinned(req, node, def, pinned, now()));
          continue;
        }
        const state = states.get(node.id);
        const upstream = upstreamOf(req, node.id, settled);
        const p = runNode(req, node, def, inputs ?? {}, state, now, writes, upstream).then((result) => {
          running.delete(node.id);
          settled.set(node.id, result);
          if (result.kind === 'waiting') waits.push(result.waiting);
          if (result.kind === 'failed' && !failure) failure = { ...result.error, nodeId: node.id };
        });
        running.set(node.id, p.then(() => undefined));
      }
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }

  const at = now();
  if (req.signal?.aborted) {
    const reason = req.signal.reason as AbortReason;
    if (reason === 'shutdown') return { status: 'interrupted' };
    if (reason === 'timeout') return finish('failed', { message: 'the run exceeded its time limit' });
    return finish('cancelled', { message: 'the run was cancelled' });
  }
  if (failure) return finish('failed', failure);
  if (waits.length > 0) {
    const timed = waits.map((w) => w.until).filter((u): u is number => u !== null);
    const wakeAt = timed.length > 0 ? Math.min(...timed) : null;
    await writes.settle();
    await journal.runWaiting(runId, wakeAt, at);
    emit({ type: 'run.waiting', runId, at, wakeAt });
    return { status: 'waiting', wakeAt };
  }
  return finish('succeeded', null);

  async function finish(status: FinalStatus, error: RunError): Promise<RunOutcome> {
    // Durable before anyone hears about it: run.finished is what callers count. The end is queued
    // right behind the run's last step results (usually the same commit, one fsync for both) and is
    // not written at all if one of them failed (disk full): the run then fails loudly, never ends
    // recorded without its steps. The frontier is ordered, so the end durable = the steps durable.
    await journal.runFinished(runId, status, error, at, () => writes.failed);
    await writes.settle();
    emit({ type: 'run.finished', runId, at, status, durationMs: at - startedAt, error });
    return { status };
  }
}

/** A pinned node: journaled and reported as succeeded with its pinned outputs, never executed. */
function usePinned(req: RunRequest, node: FlowNode, def: AnyNodeDefinition, outputs: Record<string, unknown>, at: number): Settled {
  const { journal, emit, runId } = req;
  const shown = unwrapSingle(outputs, def.outputs);
  journal.nodeStarted(runId, node.id, node.type, null, 1, at);
  emit({ type: 'node.started', runId, nodeId: node.id, nodeType: node.type, at, input: null, attempt: 1 });
  journal.nodeSucceeded(runId, node.id, outputs, shown, at);
  emit({ type: 'node.succeeded', runId, nodeId: node.id, at, durationMs: 0, output: shown });
  return { kind: 'done', outputs };
}

/**
 * A disabled node: not executed; the value on its first input port that has data goes out on its
 * first output port, unchanged (the other outputs carry nothing, so e.g. an If's false branch is
 * skipped). Journaled like a pinned node so a resumed run replays it the same way.
 */
function passThrough(req: RunRequest, node: FlowNode, def: AnyNodeDefinition, inputs: Record<string, unknown>, at: number): Settled {
  const { journal, emit, runId } = req;
  const inPort = Object.keys(def.inputs).find((p) => inputs[p] !== undefined);
  const outPort = Object.keys(def.outputs)[0];
  const value = inPort !== undefined ? inputs[inPort] : undefined;
  const outputs: Record<string, unknown> = outPort !== undefined && value !== undefined ? { [outPort]: value } : {};
  const shown = unwrapSingle(inputs, def.inputs);
  journal.nodeStarted(runId, node.id, node.type, shown, 1, at);
  emit({ type: 'node.started', runId, nodeId: node.id, nodeType: node.type, at, input: shown, attempt: 1 });
  journal.nodeSucceeded(runId, node.id, outputs, unwrapSingle(outputs, def.outputs), at);
  emit({ type: 'node.succeeded', runId, nodeId: node.id, at, durationMs: 0, output: unwrapSingle(outputs, def.outputs) });
  req.log?.(`[${node.name}] disabled: input passed through`);
  return { kind: 'done', outputs };
}

/** For each input port, the first connected upstream output that carries data; null if no port got any. */
function gatherInputs(edges: FlowEdge[], settled: Map<string, Settled>): Record<string, unknown> | null {
  const inputs: Record<string, unknown> = {};
  let any = false;
  for (const e of edges) {
    const s = settled.get(e.source);
    if (s?.kind !== 'done' || s.outputs[e.sourcePort] === undefined) continue;
    if (e.targetPort in inputs) continue;
    inputs[e.targetPort] = s.outputs[e.sourcePort];
    any = true;
  }
  return any ? inputs : null;
}

type NodeResult = Exclude<Settled, { kind: 'failed' }> | { kind: 'failed'; error: ErrorInfo };

async function runNode(
  req: RunRequest,
  node: FlowNode,
  def: AnyNodeDefinition,
  inputs: Record<string, unknown>,
  state: NodeState | undefined,
  now: () => number,
  writes: RunWrites,
  upstream?: Upstream,
): Promise<NodeResult> {
  const { journal, emit, runId } = req;
  const failedAttempts = state && (state.status === 'running' || state.status === 'waiting') ? state.failedAttempts : 0;
  const retryAt = state && (state.status === 'running' || state.status === 'waiting') ? state.retryAt : null;
  // Woken early (another node's signal, a restart): a pending backoff still has to run out.
  if (retryAt !== null && now() < retryAt) return { kind: 'waiting', waiting: { kind: 'retry', until: retryAt } };

  const attempt = failedAttempts + 1;
  const startedAt = now();
  const traceInput = def.trigger ? (req.input ?? null) : unwrapSingle(inputs, def.inputs);
  journal.nodeStarted(runId, node.id, node.type, traceInput, attempt, startedAt);
  emit({ type: 'node.started', runId, nodeId: node.id, nodeType: node.type, at: startedAt, input: traceInput, attempt });

  const timeoutMs = node.settings?.timeoutMs;
  // An attempt gets a signal of its own only when something can abort it alone (its node's time
  // limit); otherwise it shares the run's (cancel, run deadline, shutdown): no controller per node.
  const attemptAbort = timeoutMs !== undefined || !req.signal ? new AbortController() : undefined;
  const signal = attemptAbort?.signal ?? req.signal!;
  const onRunAbort = attemptAbort ? () => attemptAbort.abort(req.signal?.reason) : undefined;
  if (onRunAbort) req.signal?.addEventListener('abort', onRunAbort, { once: true });
  let onStop: (() => void) | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const config = parsedConfig(def, node);
    const ctx = makeStepContext({
      runId,
      keyRunId: req.effectKeyRunId ?? runId,
      flowId: req.flow.id,
      nodeId: node.id,
      nodeName: node.name,
      nodeType: node.type,
      runInput: req.input,
      isTestRun: req.test === true,
      ...(upstream ? { upstream } : {}),
      connectedInputs: shapeOf(req.flow).connectedInputs.get(node.id) ?? [],
      attempt,
      journal,
      services: req.services,
      signal,
      now,
      log: (line) => req.log?.(`[${node.name}] ${line}`),
      progress: (text) => {
        if (!signal.aborted) emit({ type: 'node.progress', runId, nodeId: node.id, at: now(), text });
      },
      writes,
    });
    // The race makes cancellation and timeouts effective even for an executor that ignores ctx.signal.
    const stop = new Promise<never>((_, reject) => {
      const onAbort = () =>
        reject(
          signal.reason === 'node-timeout'
            ? new NodeError(`"${node.name}" did not finish within ${timeoutMs} ms`)
            : new NodeError(signal.reason === 'timeout' ? 'the run exceeded its time limit' : 'cancelled', { permanent: true }),
        );
      if (signal.aborted) onAbort();
      else {
        signal.addEventListener('abort', onAbort, { once: true });
        onStop = onAbort;
      }
    });
    if (timeoutMs !== undefined) timer = setTimeout(() => attemptAbort?.abort('node-timeout'), timeoutMs);
    const outputs = await Promise.race([def.execute(ctx, inputs, config), stop]);
    const clean = checkOutputs(outputs, def, node, req.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES);
    const at = now();
    const shown = unwrapSingle(clean, def.outputs);
    journal.nodeSucceeded(runId, node.id, clean, shown, at);
    emit({ type: 'node.succeeded', runId, nodeId: node.id, at, durationMs: at - startedAt, output: shown });
    return { kind: 'done', outputs: clean };
  } catch (e) {
    if (e instanceof Suspend) {
      journal.nodeWaiting(runId, node.id, e.waiting, now());
      emit({ type: 'node.waiting', runId, nodeId: node.id, at: now(), waiting: e.waiting });
      return { kind: 'waiting', waiting: e.waiting };
    }
    // Shutting down: leave the node as "running" so the next start re-executes it (steps replay).
    if (req.signal?.aborted && req.signal.reason === 'shutdown') return { kind: 'interrupted' };
    const error = toErrorInfo(e);
    const at = now();
    const policy: RetryPolicy = node.settings?.retry ?? NO_RETRY;
    if (!req.signal?.aborted && isRetryable(e) && attempt < policy.maxAttempts) {
      const nextAt = at + backoffDelay(policy, attempt, req.random);
      await journal.attemptFailed(runId, node.id, attempt, error, nextAt, at);
      emit({ type: 'node.retrying', runId, nodeId: node.id, at, attempt, error, retryAt: nextAt });
      return { kind: 'waiting', waiting: { kind: 'retry', until: nextAt } };
    }
    req.log?.(`run ${runId} node ${node.id} (${node.type}) failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    journal.nodeFailed(runId, node.id, error, at);
    emit({ type: 'node.failed', runId, nodeId: node.id, at, durationMs: at - startedAt, error });
    return { kind: 'failed', error };
  } finally {
    clearTimeout(timer);
    if (onRunAbort) req.signal?.removeEventListener('abort', onRunAbort);
    // The run's signal outlives this node: its listener goes with the node.
    if (onStop) signal.removeEventListener('abort', onStop);
  }
}

interface FlowShape {
  /** Edges into each node (read-only). */
  incoming: Map<string, FlowEdge[]>;
  byId: Map<string, FlowNode>;
  /** The input ports of each node that have an edge. */
  connectedInputs: Map<string, readonly string[]>;
}
/** Pinned flows are immutable: their graph lookups are built once per flow object, not per run and node. */
const shapeCache = new WeakMap<Flow, FlowShape>();

function shapeOf(flow: Flow): FlowShape {
  let shape = shapeCache.get(flow);
  if (!shape) {
    const incoming = new Map<string, FlowEdge[]>(flow.nodes.map((n) => [n.id, []]));
    for (const e of flow.edges) incoming.get(e.target)?.push(e);
    const connectedInputs = new Map<string, readonly string[]>();
    for (const [id, edges] of incoming) connectedInputs.set(id, [...new Set(edges.map((e) => e.targetPort))]);
    shape = { incoming, byId: new Map(flow.nodes.map((n) => [n.id, n] as const)), connectedInputs };
    shapeCache.set(flow, shape);
  }
  return shape;
}

/** Ancestors of each node (every node with a path to it), computed once per pinned flow. */
const ancestorCache = new WeakMap<Flow, { sources: Map<string, string[]>; byNode: Map<string, string[]> }>();

function ancestorsOf(flow: Flow, nodeId: string): string[] {
  let cache = ancestorCache.get(flow);
  if (!cache) {
    const sources = new Map<string, string[]>();
    for (const e of flow.edges) sources.set(e.target, [...(sources.get(e.target) ?? []), e.source]);
    ancestorCache.set(flow, (cache = { sources, byNode: new Map() }));
  }
  let list = cache.byNode.get(nodeId);
  if (!list) {
    const seen = new Set<string>();
    const stack = [nodeId];
    while (stack.length > 0) {
      for (const src of cache.sources.get(stack.pop()!) ?? []) {
        if (!seen.has(src)) {
          seen.add(src);
          stack.push(src);
        }
      }
    }
    seen.delete(nodeId);
    list = [...seen];
    cache.byNode.set(nodeId, list);
  }
  return list;
}

/** What `$node[...]` and `$trigger` can reach from this node: its settled ancestors only, so a template never sees a sibling racing it. */
function upstreamOf(req: RunRequest, nodeId: string, settled: Map<string, Settled>): Upstream {
  const nodes: Record<string, UpstreamNode> = {};
  let trigger: unknown;
  const names = shapeOf(req.flow).byId;
  for (const id of ancestorsOf(req.flow, nodeId)) {
    const s = settled.get(id);
    const node = names.get(id);
    if (!node) continue;
    if (s?.kind === 'done') {
      nodes[id] = { name: node.name, status: 'done', outputs: s.outputs };
      const def = req.registry.get(node.type);
      if (def?.trigger) trigger = unwrapSingle(s.outputs, def.outputs);
    } else if (s?.kind === 'skipped') nodes[id] = { name: node.name, status: 'skipped', outputs: {} };
  }
  return { nodes, trigger };
}

/** Nodes with a single port show that port's value in the trace, not a one-key wrapper. */
function unwrapSingle(values: Record<string, unknown>, ports: Record<string, unknown>): unknown {
  const names = Object.keys(ports);
  return names.length === 1 ? (values[names[0]!] ?? null) : values;
}

function checkOutputs(outputs: unknown, def: AnyNodeDefinition, node: FlowNode, maxBytes: number): Record<string, unknown> {
  if (typeof outputs !== 'object' || outputs === null) throw new NodeError(`"${node.name}" returned no outputs`, { permanent: true });
  const clean: Record<string, unknown> = {};
  for (const [port, value] of Object.entries(outputs)) {
    if (!(port in def.outputs)) throw new NodeError(`"${node.name}" returned unknown output "${port}"`, { permanent: true });
    if (value === undefined) continue;
    const json = assertJson(value, `"${node.name}" output "${port}"`);
    if (json.length > maxBytes) {
      throw new NodeError(`"${node.name}" output "${port}" is ${(json.length / 1e6).toFixed(1)} MB; the limit is ${(maxBytes / 1e6).toFixed(1)} MB`, {
        permanent: true,
      });
    }
    clean[port] = JSON.parse(json);
  }
  return clean;
}

function toErrorInfo(e: unknown): ErrorInfo {
  if (e instanceof NodeError) return { message: e.message, ...(e.details?.field ? { field: e.details.field } : {}) };
  if (e instanceof Error) return { message: e.message || e.name };
  return { message: String(e) };
}
