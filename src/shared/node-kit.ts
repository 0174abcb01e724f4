/**
 * The node kit: everything a node type declares, in one object. The renderer builds the palette
 * and the inspector from it, the engine executes it, and the code exporter prints its config as one
 * step of an exported flow.ts (src/engine/codegen) that runs this same `execute`.
 * Pure TypeScript: no Node, Electron or React imports (enforced by lint).
 */
import type { z } from 'zod';
import type { NodeId, RunId, FlowId } from './ids';
import type { NodeServices } from './services';

/** Port data types. `any` connects to everything; otherwise types must match. */
export type PortType = 'any' | 'object' | 'array' | 'string' | 'number' | 'boolean';

export interface PortSpec {
  type: PortType;
  label?: string;
}

/**
 * A declared data shape (a JSON Schema subset: type, properties, items). Completion and validation
 * use it to know an output's fields before any run (an LLM node's structured-output schema).
 */
export type DataShape = Record<string, unknown>;

export type PortMap = Record<string, PortSpec>;

export type NodeCategory = 'trigger' | 'transform' | 'logic' | 'action' | 'ai' | 'sink';

/** Form widgets the generic inspector knows. */
export type Widget =
  | 'text'
  | 'textarea'
  | 'template'
  | 'json'
  | 'number'
  | 'switch'
  | 'select'
  | 'key-value'
  | 'field-map'
  /** A code editor (CodeMirror, JavaScript) with the same `$node` / `$trigger` completion. */
  | 'code'
  /** A `secret:NAME` reference: the shared secret picker (pick a stored secret or add one). */
  | 'secret'
  /** A named Postgres connection (id) or '' for the inline fields; picking one hides them (src/renderer/connections/). */
  | 'pg-connection';

export interface FieldHint {
  label?: string;
  help?: string;
  placeholder?: string;
  widget?: Widget;
  rows?: number;
  /**
   * How `{{ }}` renders in this field: `text` inserts text, `json` inserts JSON values (strings
   * quoted and escaped) because the field's content is JSON. A function when another field decides.
   */
  templateMode?: 'text' | 'json' | ((config: Record<string, unknown>) => 'text' | 'json');
}

/** UI hints are typed against the config: a hint for a field that does not exist is a type error. */
export type UiHints<C> = { [K in keyof C]?: FieldHint };

export interface StepApi {
  /**
   * Run a side effect once per (run, node, name). The result is journaled before the run moves on;
   * a run that resumes gets the journaled result back instead of running `fn` again.
   */
  run<T>(name: string, fn: () => Promise<T> | T): Promise<T>;
  /**
   * Run an external effect (a write to a target outside the journal) for (run, node, name).
   * The engine makes a "started" marker durable before `fn` runs and records the result after it:
   * a replay that finds the marker without a result runs `fn` again with the SAME idempotency key
   * and `mayHaveRunBefore: true` (the trace then says "may have been delivered before"). Targets
   * dedupe on `idempotencyKey`; `fn` must pass it on (header, idempotency row, file key).
   */
  effect<T>(name: string, fn: (info: EffectInfo) => Promise<T> | T): Promise<T>;
  /** Deterministic key for an effect (run id + node id + step name): give it to targets that dedupe. */
  idempotencyKey(name: string): string;
  /** Park the run for `ms`. It holds no memory or worker meanwhile and resumes after restarts too. */
  sleep(name: string, ms: number): Promise<void>;
  sleepUntil(name: string, epochMs: number): Promise<void>;
  /**
   * Park the run until a signal named `options.signal ?? name` arrives for it (or the timeout).
   * A signal sent before the wait is registered is kept; a signal sent twice counts once.
   */
  waitForSignal(name: string, options?: { timeoutMs?: number; signal?: string }): Promise<WaitResult>;
}

export interface EffectInfo {
  /** Stable across replays and crashes: run id + node id + step name (a trigger run's id derives from its source position). */
  idempotencyKey: string;
  /** True when an earlier attempt of this effect started and its result was never recorded. */
  mayHaveRunBefore: boolean;
}

/** What the runner knows about one upstream node of the node being executed. */
export interface UpstreamNode {
  name: string;
  /** `skipped`: its branch was not taken in this run; it has no outputs. */
  status: 'done' | 'skipped';
  /** Its outputs by port (empty when skipped). */
  outputs: Record<string, unknown>;
}

/** The data templates reach beyond the direct input: every settled ancestor, and the trigger's output. */
export interface Upstream {
  nodes: Readonly<Record<string, UpstreamNode>>;
  /** The trigger's output (its single port's value); undefined when the run has none. */
  trigger: unknown;
}

export type WaitResult = { kind: 'signal'; payload: unknown } | { kind: 'timeout' } | { kind: 'elapsed' };

export interface NodeContext {
  runId: RunId;
  flowId: FlowId;
  nodeId: NodeId;
  /** The node's label on the canvas, for messages. */
  nodeName: string;
  /** The payload the run was started with; trigger nodes turn it into their output. */
  runInput: unknown;
  /**
   * A test run: started from the Run dialog with a sample or a recent row, not by a real event.
   * Sinks whose "On test runs" setting is skip do not write (sink-common.ts). Optional so fakes may omit it.
   */
  isTestRun?: boolean;
  /** Outputs of the upstream nodes and the trigger, for `$node[...]` / `$trigger` (see nodeScope). Optional so hosts and fakes may omit it. */
  upstream?: Upstream;
  /** The input ports that have an incoming edge (a Merge waits for and reports on exactly these). Optional so fakes may omit it. */
  connectedInputs?: readonly string[];
  /** 1 for the first attempt; retries count up. */
  attempt: number;
  step: StepApi;
  services: NodeServices;
  /** Aborted when the run is cancelled or times out. */
  signal: AbortSignal;
  log(message: string): void;
  /**
   * Live progress shown on the node during a run (e.g. streamed LLM text so far). Not journaled
   * and never replayed: the node's output is the record. Optional so hosts may omit it.
   */
  progress?(text: string): void;
}

/** What an executor returns: a value per output port. A port left out carries no data (its branch is skipped). */
export type NodeOutputs<O extends PortMap> = Partial<Record<keyof O & string, unknown>>;

export interface ExportContext {
  /** A valid TypeScript identifier for this node's output variable. */
  varName: string;
  /** Expression for each input port (already resolved to upstream variables). */
  inputs: Record<string, string>;
  nodeName: string;
}

export interface NodeDefinition<
  C extends Record<string, unknown> = Record<string, unknown>,
  I extends PortMap = PortMap,
  O extends PortMap = PortMap,
> {
  type: string;
  version: number;
  title: string;
  description: string;
  category: NodeCategory;
  /** Trigger nodes start runs: they have no inputs and receive the run's input payload. */
  trigger?: boolean;
  config: z.ZodType<C, unknown>;
  inputs: I;
  outputs: O;
  ui: UiHints<C>;
  /** Declared shapes of output ports, from config (e.g. the LLM node's schema gives `data` its fields). */
  outputShapes?: (config: C) => Partial<Record<keyof O & string, DataShape>>;
  /** One line shown on the node body, e.g. "POST https://…". */
  summary?: (config: C) => string;
  execute(ctx: NodeContext, inputs: Partial<Record<keyof I & string, unknown>>, config: C): Promise<NodeOutputs<O>>;
  /**
   * Idempotency lint: why this node's external effect cannot be deduped by its target with this
   * config (a POST without an idempotency header, an unkeyed insert), with how to fix it; null
   * when it can. Validation warns when such a node runs after an LLM or approval node.
   */
  effectLint?: (config: C) => string | null;
  /**
   * @deprecated Ignored. Export is generic over the registry (src/engine/codegen): every node becomes
   * one `flow.node({...})` step with its config as a literal, run by this same `execute` through
   * millrace/runtime, so a node type needs no export code of its own. Kept optional only so node
   * files written against the old kit still compile; delete it from new nodes.
   */
  exportCode?(config: C, ctx: ExportContext): string;
}

/** Type-erased form used by registries and the runtime. */
export type AnyNodeDefinition = NodeDefinition<any, PortMap, PortMap>; // eslint-disable-line @typescript-eslint/no-explicit-any

export function defineNode<C extends Record<string, unknown>, I extends PortMap, O extends PortMap>(
  def: NodeDefinition<C, I, O>,
): NodeDefinition<C, I, O> {
  if (!/^[a-z][a-z0-9-]*(\.[a-z0-9-]+)*$/.test(def.type)) throw new Error(`defineNode: bad type name "${def.type}"`);
  if (!Number.isInteger(def.version) || def.version < 1) throw new Error(`defineNode(${def.type}): version must be a positive integer`);
  if (def.trigger && Object.keys(def.inputs).length > 0) throw new Error(`defineNode(${def.type}): a trigger has no inputs`);
  return def;
}

export const typeRef = (def: { type: string; version: number }) => `${def.type}@${def.version}`;

export function parseTypeRef(ref: string): { type: string; version: number } | null {
  const m = /^([a-z][a-z0-9-]*(?:\.[a-z0-9-]+)*)@([1-9][0-9]*)$/.exec(ref);
  return m ? { type: m[1]!, version: Number(m[2]) } : null;
}

/** Why two ports cannot be connected, or null when they can. */
export function portIncompatibility(from: PortSpec, to: PortSpec): string | null {
  if (from.type === 'any' || to.type === 'any' || from.type === to.type) return null;
  return `a ${from.type} output cannot feed a ${to.type} input`;
}

export class NodeRegistry {
  private readonly byRef = new Map<string, AnyNodeDefinition>();
  constructor(defs: readonly AnyNodeDefinition[]) {
    for (const d of defs) {
      const ref = typeRef(d);
      if (this.byRef.has(ref)) throw new Error(`NodeRegistry: ${ref} registered twice`);
      this.byRef.set(ref, d);
    }
  }
  get(ref: string): AnyNodeDefinition | undefined {
    return this.byRef.get(ref);
  }
  all(): AnyNodeDefinition[] {
    return [...this.byRef.values()];
  }
  /** The newest version of each type, for the palette. */
  latest(): AnyNodeDefinition[] {
    const best = new Map<string, AnyNodeDefinition>();
    for (const d of this.byRef.values()) {
      const cur = best.get(d.type);
      if (!cur || cur.version < d.version) best.set(d.type, d);
    }
    return [...best.values()];
  }
}
