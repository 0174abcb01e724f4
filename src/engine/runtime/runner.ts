/**
 * Engine v0 runner: executes one run of a flow through its DAG. Independent branches run
 * concurrently; a node runs once all its upstream nodes have settled; a node whose inputs received
 * no data (e.g. the If branch not taken) is skipped, and so is everything only it feeds.
 * Every transition is journaled before the matching event is emitted.
 */
import type { Flow, FlowEdge, FlowNode } from '../../shared/flow/schema';
import type { NodeRegistry, NodeContext, AnyNodeDefinition } from '../../shared/node-kit';
import type { NodeServices } from '../../shared/services';
import { NodeError } from '../../shared/services';
import type { ErrorInfo, RunEvent } from '../../shared/runs';
import type { Journal } from './journal';
import { asFlowId, asNodeId, asRunId } from '../../shared/ids';

export interface RunRequest {
  runId: string;
  flow: Flow;
  flowVersion: number;
  input: unknown;
  registry: NodeRegistry;
  journal: Journal;
  services: NodeServices;
  emit: (event: RunEvent) => void;
  signal?: AbortSignal;
  now?: () => number;
  /** Largest JSON a node may output (bytes). */
  maxOutputBytes?: number;
  log?: (line: string) => void;
}

export const DEFAULT_MAX_OUTPUT_BYTES = 10 * 1024 * 1024;

type Settled = { kind: 'done'; outputs: Record<string, unknown> } | { kind: 'skipped' } | { kind: 'failed' };

export async function executeRun(req: RunRequest): Promise<'succeeded' | 'failed' | 'cancelled'> {
  const now = req.now ?? Date.now;
  const { flow, journal, emit, runId } = req;
  const startedAt = now();
  journal.runStarted(runId, startedAt);
  emit({ type: 'run.started', runId, flowId: flow.id, flowName: flow.name, flowVersion: req.flowVersion, at: startedAt, input: req.input ?? null });

  const incoming = new Map<string, FlowEdge[]>();
  for (const n of flow.nodes) incoming.set(n.id, []);
  for (const e of flow.edges) incoming.get(e.target)?.push(e);

  const settled = new Map<string, Settled>();
  const running = new Map<string, Promise<void>>();
  let failure: (ErrorInfo & { nodeId?: string }) | null = null;

  const isReady = (n: FlowNode) => incoming.get(n.id)!.every((e) => settled.has(e.source));

  while (true) {
    if (!failure && !req.signal?.aborted) {
      for (const node of flow.nodes) {
        if (settled.has(node.id) || running.has(node.id) || !isReady(node)) continue;
        const def = req.registry.get(node.type)!;
        const inputs = gatherInputs(incoming.get(node.id)!, settled);
        if (!def.trigger && Object.keys(def.inputs).length > 0 && inputs === null) {
          const at = now();
          journal.nodeSkipped(runId, node.id, node.type, at);
          emit({ type: 'node.skipped', runId, nodeId: node.id, at, reason: 'no input: the upstream branch was not taken' });
          settled.set(node.id, { kind: 'skipped' });
          continue;
        }
        const p = runNode(req, node, def, inputs ?? {}, now).then((result) => {
          running.delete(node.id);
          settled.set(node.id, result.ok ? { kind: 'done', outputs: result.outputs } : { kind: 'failed' });
          if (!result.ok && !failure) failure = { ...result.error, nodeId: node.id };
        });
        running.set(node.id, p);
      }
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }

  const status = failure ? 'failed' : req.signal?.aborted ? 'cancelled' : 'succeeded';
  const at = now();
  const error = failure ?? (status === 'cancelled' ? { message: 'the run was cancelled' } : null);
  journal.runFinished(runId, status, error, at);
  emit({ type: 'run.finished', runId, at, status, durationMs: at - startedAt, error });
  return status;
}

/** For each input port, the first connected upstream output that carries data; null if no port got any. */
function gatherInputs(edges: FlowEdge[], settled: Map<string, Settled>): Record<string, unknown> | null {
  const inputs: Record<string, unknown> = {};
  let any = false;
  for (const e of edges) {
    const s = settled.get(e.source);
    if (s?.kind !== 'done' || !(e.sourcePort in s.outputs) || s.outputs[e.sourcePort] === undefined) continue;
    if (e.targetPort in inputs) continue;
    inputs[e.targetPort] = s.outputs[e.sourcePort];
    any = true;
  }
  return any ? inputs : null;
}

type NodeResult = { ok: true; outputs: Record<string, unknown> } | { ok: false; error: ErrorInfo };

async function runNode(
  req: RunRequest,
  node: FlowNode,
  def: AnyNodeDefinition,
  inputs: Record<string, unknown>,
  now: () => number,
): Promise<NodeResult> {
  const { journal, emit, runId } = req;
  const startedAt = now();
  // A trigger's "input" in the trace is the run's input payload.
  const traceInput = def.trigger ? (req.input ?? null) : unwrapSingle(inputs, def.inputs);
  journal.nodeStarted(runId, node.id, node.type, traceInput, startedAt);
  emit({ type: 'node.started', runId, nodeId: node.id, nodeType: node.type, at: startedAt, input: traceInput });
  try {
    const config = def.config.parse(node.config);
    const outputs = await def.execute(makeContext(req, node), inputs, config);
    const clean = checkOutputs(outputs, def, node, req.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES);
    const at = now();
    const shown = unwrapSingle(clean, def.outputs);
    journal.nodeSucceeded(runId, node.id, shown, at);
    emit({ type: 'node.succeeded', runId, nodeId: node.id, at, durationMs: at - startedAt, output: shown });
    return { ok: true, outputs: clean };
  } catch (e) {
    const error = toErrorInfo(e);
    req.log?.(`run ${runId} node ${node.id} (${node.type}) failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    const at = now();
    journal.nodeFailed(runId, node.id, error, at);
    emit({ type: 'node.failed', runId, nodeId: node.id, at, durationMs: at - startedAt, error });
    return { ok: false, error };
  }
}

function makeContext(req: RunRequest, node: FlowNode): NodeContext {
  const { journal, runId } = req;
  return {
    runId: asRunId(runId),
    flowId: asFlowId(req.flow.id),
    nodeId: asNodeId(node.id),
    nodeName: node.name,
    runInput: req.input,
    services: req.services,
    signal: req.signal ?? new AbortController().signal,
    log: (line) => req.log?.(`[${node.name}] ${line}`),
    step: {
      async run<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
        const stored = journal.getStep(runId, node.id, name);
        if (stored.found) return stored.value as T;
        const value = await fn();
        assertJson(value, `step "${name}"`);
        journal.putStep(runId, node.id, name, node.type, value, (req.now ?? Date.now)());
        return value;
      },
      idempotencyKey: (name) => `${runId}:${node.id}:${name}`,
    },
  };
}

/** Nodes with a single port show that port's value in the trace, not a one-key wrapper. */
function unwrapSingle(values: Record<string, unknown>, ports: Record<string, unknown>): unknown {
  const names = Object.keys(ports);
  return names.length === 1 ? (values[names[0]!] ?? null) : values;
}

function checkOutputs(outputs: unknown, def: AnyNodeDefinition, node: FlowNode, maxBytes: number): Record<string, unknown> {
  if (typeof outputs !== 'object' || outputs === null) throw new NodeError(`"${node.name}" returned no outputs`);
  const clean: Record<string, unknown> = {};
  for (const [port, value] of Object.entries(outputs)) {
    if (!(port in def.outputs)) throw new NodeError(`"${node.name}" returned unknown output "${port}"`);
    if (value === undefined) continue;
    const json = assertJson(value, `output "${port}"`);
    if (json.length > maxBytes) {
      throw new NodeError(`"${node.name}" output "${port}" is ${(json.length / 1e6).toFixed(1)} MB; the limit is ${(maxBytes / 1e6).toFixed(1)} MB`);
    }
    clean[port] = JSON.parse(json);
  }
  return clean;
}

function assertJson(value: unknown, what: string): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value, (_k, v: unknown) => {
      if (typeof v === 'bigint' || typeof v === 'function' || typeof v === 'symbol') throw new Error(`contains a ${typeof v}`);
      if (typeof v === 'number' && !Number.isFinite(v)) throw new Error(`contains ${v}`);
      return v;
    });
  } catch (e) {
    throw new NodeError(`${what} is not JSON-serialisable: ${(e as Error).message}`);
  }
  return json ?? 'null';
}

function toErrorInfo(e: unknown): ErrorInfo {
  if (e instanceof NodeError) return { message: e.message, ...(e.details?.field ? { field: e.details.field } : {}) };
  if (e instanceof Error) return { message: e.message || e.name };
  return { message: String(e) };
}
