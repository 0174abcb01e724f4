/**
 * Builds a flow document from code: what an exported `flow.ts` calls. Each `flow.node({...})` is
 * one node of the graph; its `inputs` name upstream ports (`summarise.out`), which become edges.
 * The document is then run by the same engine, node implementations and services as the app, so an
 * exported program cannot behave differently from the canvas.
 */
import { CURRENT_SCHEMA_VERSION, type Flow, type FlowEdge, type FlowNode, type FlowSettings, type NodeSettings } from '../../shared/flow/schema';
import type { NodeRegistry } from '../../shared/node-kit';
import { nodeRegistry } from '../../nodes';
import type { ExportedConnection } from '../../shared/connections';

/** One output port of a node, used as another node's input. */
export interface PortRef {
  readonly node: string;
  readonly port: string;
}

/** The output ports of a node, by port name (`ifNode.true`, `llm.text`). */
export type NodePorts = { readonly [port: string]: PortRef };

export interface FlowMeta {
  id: string;
  name: string;
  description?: string;
  settings?: FlowSettings;
  /** Named Postgres connections the nodes pick by id (references only); the program's engine gets them before the flow runs. */
  connections?: ExportedConnection[];
}

export interface NodeSpec {
  id: string;
  /** `type@version`, e.g. `llm-call@1`. */
  type: string;
  name: string;
  position: { x: number; y: number };
  config: Record<string, unknown>;
  settings?: NodeSettings;
  /**
   * Input port → the upstream port(s) feeding it; with several, the first that carries data wins.
   * `undefined` is accepted by the type (a port looked up by name under noUncheckedIndexedAccess)
   * and refused at run time with the node and port named.
   */
  inputs?: Record<string, PortRef | undefined | readonly (PortRef | undefined)[]>;
}

export class FlowBuilder {
  private readonly nodes: FlowNode[] = [];
  private readonly edges: FlowEdge[] = [];

  constructor(
    readonly meta: FlowMeta,
    private readonly registry: NodeRegistry = nodeRegistry,
  ) {}

  /** Adds a node; returns its output ports for downstream nodes to refer to. */
  node(spec: NodeSpec): NodePorts {
    const def = this.registry.get(spec.type);
    if (!def) throw new Error(`node "${spec.name}" (${spec.id}): unknown node type ${spec.type}`);
    if (this.nodes.some((n) => n.id === spec.id)) throw new Error(`node id "${spec.id}" is used twice`);
    this.nodes.push({
      id: spec.id,
      type: spec.type,
      name: spec.name,
      position: spec.position,
      config: spec.config,
      ...(spec.settings ? { settings: spec.settings } : {}),
    });
    for (const [port, refs] of Object.entries(spec.inputs ?? {})) {
      if (!(port in def.inputs)) throw new Error(`node "${spec.name}": ${spec.type} has no input "${port}"`);
      for (const ref of Array.isArray(refs) ? (refs as readonly (PortRef | undefined)[]) : [refs as PortRef | undefined]) {
        if (!ref || typeof ref.node !== 'string') throw new Error(`node "${spec.name}": input "${port}" refers to an output port that does not exist`);
        this.edges.push({ id: edgeId(ref, spec.id, port), source: ref.node, sourcePort: ref.port, target: spec.id, targetPort: port });
      }
    }
    return Object.freeze(Object.fromEntries(Object.keys(def.outputs).map((port) => [port, Object.freeze({ node: spec.id, port })])));
  }

  /** The flow document (validated by the engine when it is saved). */
  toDocument(): Flow {
    return {
      schemaVersion: CURRENT_SCHEMA_VERSION,
      id: this.meta.id,
      name: this.meta.name,
      ...(this.meta.description !== undefined ? { description: this.meta.description } : {}),
      ...(this.meta.settings !== undefined ? { settings: this.meta.settings } : {}),
      nodes: this.nodes.map((n) => ({ ...n })),
      edges: this.edges.map((e) => ({ ...e })),
    };
  }
}

/** Deterministic edge ids (ids may hold letters, digits, "_" and "-"; 64 chars at most). */
export function edgeId(from: PortRef, target: string, targetPort: string): string {
  const raw = `${from.node}-${from.port}-${target}-${targetPort}`.replace(/[^A-Za-z0-9_-]/g, '_');
  if (raw.length <= 64) return `e-${raw}`.slice(0, 64);
  let h = 0;
  for (const c of raw) h = (Math.imul(h, 31) + c.charCodeAt(0)) | 0;
  return `e-${raw.slice(0, 50)}-${(h >>> 0).toString(36)}`;
}

export function defineFlow(meta: FlowMeta, registry?: NodeRegistry): FlowBuilder {
  return new FlowBuilder(meta, registry);
}
