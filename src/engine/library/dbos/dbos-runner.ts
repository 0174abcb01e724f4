/**
 * Runs a flow as one DBOS workflow: every node is executed by the same node implementation as in
 * the engine, and every `ctx.step.run` / `ctx.step.effect` of a node is a DBOS step
 * (`DBOS.runStep`), so a workflow recovered on another start replays finished steps instead of
 * repeating them. Waits map to DBOS: `sleep` → `DBOS.sleep` (durable), `waitForSignal` →
 * `DBOS.recv` with the timeout. Idempotency keys keep the engine's form, run id (= workflow id) +
 * node id + step name, so a target dedupes the same way under either engine.
 *
 * Nodes run one at a time in dependency order: DBOS numbers steps by call order, so concurrent
 * branches would make a recovery's step order depend on timing. Results are the same; parallel
 * branches just do not overlap.
 */
import { DBOS } from '@dbos-inc/dbos-sdk';
import type { Flow, FlowEdge, FlowNode } from '../../../shared/flow/schema';
import type { AnyNodeDefinition, NodeContext, NodeRegistry, WaitResult } from '../../../shared/node-kit';
import { NodeError, type NodeServices } from '../../../shared/services';
import { asFlowId, asNodeId, asRunId } from '../../../shared/ids';
import { assertJson } from '../../runtime/json';
import { NO_RETRY, backoffDelay, isRetryable } from '../../runtime/retry';
import type { RunResultJson } from '../run-result';

export interface DbosRunDeps {
  registry: NodeRegistry;
  services: NodeServices;
  log: (line: string) => void;
}

/** DBOS.recv needs a timeout; a wait without one is renewed in steps of this long. */
const FOREVER_SECONDS = 24 * 3600;

function topo(flow: Flow): FlowNode[] {
  const done = new Set<string>();
  const out: FlowNode[] = [];
  while (out.length < flow.nodes.length) {
    const next = flow.nodes.find((n) => !done.has(n.id) && flow.edges.every((e) => e.target !== n.id || done.has(e.source)));
    if (!next) throw new Error('the flow has a cycle');
    done.add(next.id);
    out.push(next);
  }
  return out;
}

function gather(edges: FlowEdge[], outputs: Map<string, Record<string, unknown>>): Record<string, unknown> | null {
  const inputs: Record<string, unknown> = {};
  let any = false;
  for (const e of edges) {
    const v = outputs.get(e.source)?.[e.sourcePort];
    if (v === undefined || e.targetPort in inputs) continue;
    inputs[e.targetPort] = v;
    any = true;
  }
  return any ? inputs : null;
}

const unwrap = (values: Record<string, unknown>, ports: Record<string, unknown>) => {
  const names = Object.keys(ports);
  return names.length === 1 ? (values[names[0]!] ?? null) : values;
};

function clean(outputs: unknown, def: AnyNodeDefinition, node: FlowNode): Record<string, unknown> {
  if (typeof outputs !== 'object' || outputs === null) throw new NodeError(`"${node.name}" returned no outputs`, { permanent: true });
  const out: Record<string, unknown> = {};
  for (const [port, value] of Object.entries(outputs)) {
    if (!(port in def.outputs)) throw new NodeError(`"${node.name}" returned unknown output "${port}"`, { permanent: true });
    if (value !== undefined) out[port] = JSON.parse(assertJson(value, `"${node.name}" output "${port}"`));
  }
  return out;
}

/** The body of the flow's workflow: call only inside a DBOS workflow. */
export async function runFlowInWorkflow(flow: Flow, input: unknown, deps: DbosRunDeps): Promise<RunResultJson> {
  const runId = DBOS.workflowID ?? 'no-workflow';
  const outputs = new Map<string, Record<string, unknown>>();
  const nodes: RunResultJson['nodes'] = Object.fromEntries(flow.nodes.map((n) => [n.id, { status: 'pending', output: null }]));
  let failure: RunResultJson['error'] = null;
  for (const node of topo(flow)) {
    if (failure) break;
    const def = deps.registry.get(node.type);
    if (!def) {
      failure = { message: `node type ${node.type} is not available in this version of Millrace`, nodeId: node.id };
      break;
    }
    const incoming = flow.edges.filter((e) => e.target === node.id);
    const inputs = def.trigger ? {} : gather(incoming, outputs);
    if (inputs === null) {
      if (Object.keys(def.inputs).length > 0) {
        nodes[node.id] = { status: 'skipped', output: null };
        continue;
      }
    }
    const config = def.config.parse(node.config) as Record<string, unknown>;
    const policy = node.settings?.retry ?? NO_RETRY;
    // Steps are keyed by name within the node, as in the engine's journal: a retry attempt gets
    // the result of a step an earlier attempt finished.
    const finished = new Map<string, unknown>();
    for (let attempt = 1; ; attempt++) {
      const abort = new AbortController();
      const ctx = dbosContext({ runId, flow, node, input, attempt, services: deps.services, signal: abort.signal, finished, log: deps.log });
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        const timeoutMs = node.settings?.timeoutMs;
        const stop = new Promise<never>((_, reject) => {
          if (timeoutMs !== undefined) {
            timer = setTimeout(() => {
              abort.abort('node-timeout');
              reject(new NodeError(`"${node.name}" did not finish within ${timeoutMs} ms`));
            }, timeoutMs);
          }
        });
        const out = clean(await Promise.race([def.execute(ctx, inputs ?? {}, config), stop]), def, node);
        outputs.set(node.id, out);
        nodes[node.id] = { status: 'succeeded', output: unwrap(out, def.outputs) };
        break;
      } catch (e) {
        const message = e instanceof Error ? e.message || e.name : String(e);
        if (isRetryable(e) && attempt < policy.maxAttempts) {
          await DBOS.sleep(backoffDelay(policy, attempt));
          continue;
        }
        nodes[node.id] = { status: 'failed', output: null, error: message };
        failure = { message, nodeId: node.id };
        break;
      } finally {
        clearTimeout(timer);
      }
    }
  }
  return { runId, status: failure ? 'failed' : 'succeeded', error: failure, nodes };
}

interface ContextInput {
  runId: string;
  flow: Flow;
  node: FlowNode;
  input: unknown;
  attempt: number;
  services: NodeServices;
  signal: AbortSignal;
  finished: Map<string, unknown>;
  log: (line: string) => void;
}

function dbosContext(c: ContextInput): NodeContext {
  const key = (name: string) => `${c.runId}:${c.node.id}:${name}`;
  const stepName = (name: string) => `${c.node.id}:${name}`;
  return {
    runId: asRunId(c.runId),
    flowId: asFlowId(c.flow.id),
    nodeId: asNodeId(c.node.id),
    nodeName: c.node.name,
    runInput: c.input,
    attempt: c.attempt,
    services: c.services,
    signal: c.signal,
    log: (line) => c.log(`[${c.node.name}] ${line}`),
    step: {
      async run<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
        if (c.finished.has(name)) return c.finished.get(name) as T;
        const value = await DBOS.runStep(async () => {
          const v = await fn();
          assertJson(v, `step "${name}"`);
          return v;
        }, { name: stepName(name) });
        c.finished.set(name, value);
        return value;
      },
      async effect<T>(name: string, fn: (info: { idempotencyKey: string; mayHaveRunBefore: boolean }) => Promise<T> | T): Promise<T> {
        if (c.finished.has(name)) return c.finished.get(name) as T;
        // The marker step runs only the first time; a recovery that replays it knows the effect may have been sent.
        let fresh = false;
        await DBOS.runStep(async () => {
          fresh = true;
          return true;
        }, { name: stepName(`started:${name}`) });
        const value = await DBOS.runStep(async () => {
          if (!fresh) c.log(`[${c.node.name}] effect "${name}" may have been delivered before; sending again with the same idempotency key`);
          const v = await fn({ idempotencyKey: key(name), mayHaveRunBefore: !fresh });
          assertJson(v, `effect "${name}"`);
          return v;
        }, { name: stepName(name) });
        c.finished.set(name, value);
        return value;
      },
      idempotencyKey: key,
      sleep: (_name, ms) => DBOS.sleep(Math.max(0, ms)),
      async sleepUntil(_name, epochMs) {
        await DBOS.sleep(Math.max(0, epochMs - (await DBOS.now())));
      },
      async waitForSignal(name, options = {}): Promise<WaitResult> {
        const topic = options.signal ?? name;
        if (options.timeoutMs !== undefined) {
          const got = await DBOS.recv<{ payload: unknown }>(topic, { timeoutSeconds: options.timeoutMs / 1000 });
          return got === null ? { kind: 'timeout' } : { kind: 'signal', payload: got.payload };
        }
        for (;;) {
          const got = await DBOS.recv<{ payload: unknown }>(topic, { timeoutSeconds: FOREVER_SECONDS });
          if (got !== null) return { kind: 'signal', payload: got.payload };
        }
      },
    },
  };
}
