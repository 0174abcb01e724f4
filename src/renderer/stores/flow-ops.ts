/**
 * Pure edits of a flow document. The editor store composes these; keeping them pure is what
 * makes undo (snapshots), copy/paste and connection rules testable without a browser.
 */
import type { Flow, FlowEdge, FlowNode, FlowSettings, NodeSettings, Position } from '../../shared/flow/schema';
import { findCycle } from '../../shared/flow/validate';
import { portIncompatibility, type NodeRegistry } from '../../shared/node-kit';
import { defaultConfig } from '../../shared/config-fields';
import { newId } from '../../shared/ids';

export interface PortConnection {
  source: string;
  sourcePort: string;
  target: string;
  targetPort: string;
}

/** A copied piece of a flow: nodes plus the edges that run between them. */
export interface Fragment {
  nodes: FlowNode[];
  edges: FlowEdge[];
}

/** Node ids read well in test ids and logs: `http-request_x8k2…`. */
export function newNodeId(type: string): string {
  const base = type.replace(/@.*$/, '').replace(/[^A-Za-z0-9_-]/g, '-');
  return newId(base);
}

/** `base` if free, else the next free number on its stem: "Summarise 2" → "Summarise 3", never "Summarise 2 2". */
export function uniqueName(flow: Flow, base: string): string {
  const taken = new Set(flow.nodes.map((n) => n.name));
  if (!taken.has(base)) return base;
  const numbered = /^(.*\S) (\d+)$/.exec(base);
  const stem = numbered ? numbered[1]! : base;
  for (let i = numbered ? Number(numbered[2]) + 1 : 2; ; i++) {
    const candidate = `${stem} ${i}`;
    if (!taken.has(candidate)) return candidate;
  }
}

export function addNode(
  flow: Flow,
  registry: NodeRegistry,
  ref: string,
  position: Position,
): { flow: Flow; nodeId: string } | null {
  const def = registry.get(ref);
  if (!def) return null;
  const node: FlowNode = {
    id: newNodeId(def.type),
    type: ref,
    name: uniqueName(flow, def.title),
    position: { x: Math.round(position.x), y: Math.round(position.y) },
    config: defaultConfig(def.config),
  };
  return { flow: { ...flow, nodes: [...flow.nodes, node] }, nodeId: node.id };
}

/**
 * Adds a node and feeds it from `fromId` (the selected node): its first output that the new node's
 * first input accepts. Nothing is connected when no port pair fits (a trigger has no input).
 */
export function addNodeAfter(
  flow: Flow,
  registry: NodeRegistry,
  ref: string,
  position: Position,
  fromId: string,
): { flow: Flow; nodeId: string; edgeId: string | null } | null {
  const added = addNode(flow, registry, ref, position);
  if (!added) return null;
  const from = added.flow.nodes.find((n) => n.id === fromId);
  const fromDef = from ? registry.get(from.type) : undefined;
  const targetPort = Object.keys(registry.get(ref)?.inputs ?? {})[0];
  if (!fromDef || targetPort === undefined) return { ...added, edgeId: null };
  for (const sourcePort of Object.keys(fromDef.outputs)) {
    const c = { source: fromId, sourcePort, target: added.nodeId, targetPort };
    if (connectionProblem(added.flow, registry, c) === null) {
      const connected = connect(added.flow, c);
      return { flow: connected.flow, nodeId: added.nodeId, edgeId: connected.edgeId };
    }
  }
  return { ...added, edgeId: null };
}

/** Why this connection is refused, in words for a toast; null when it is fine. */
export function connectionProblem(flow: Flow, registry: NodeRegistry, c: PortConnection): string | null {
  if (c.source === c.target) return 'A node cannot feed itself.';
  const source = flow.nodes.find((n) => n.id === c.source);
  const target = flow.nodes.find((n) => n.id === c.target);
  if (!source || !target) return 'That node no longer exists.';
  const sourceDef = registry.get(source.type);
  const targetDef = registry.get(target.type);
  if (!sourceDef || !targetDef) return 'Unknown node type.';
  const out = sourceDef.outputs[c.sourcePort];
  const inp = targetDef.inputs[c.targetPort];
  if (!out) return `"${source.name}" has no output "${c.sourcePort}".`;
  if (!inp) return `"${target.name}" has no input "${c.targetPort}".`;
  const why = portIncompatibility(out, inp);
  if (why) return `Cannot connect "${source.name}" to "${target.name}": ${why}.`;
  const duplicate = flow.edges.some(
    (e) => e.source === c.source && e.sourcePort === c.sourcePort && e.target === c.target && e.targetPort === c.targetPort,
  );
  if (duplicate) return 'These two ports are already connected.';
  const outgoing = new Map<string, string[]>();
  for (const e of [...flow.edges, { source: c.source, target: c.target }]) {
    outgoing.set(e.source, [...(outgoing.get(e.source) ?? []), e.target]);
  }
  if (findCycle([c.source], outgoing)) return `Connecting "${source.name}" to "${target.name}" would make a loop; flows must not loop back.`;
  return null;
}

export function connect(flow: Flow, c: PortConnection): { flow: Flow; edgeId: string } {
  const edge: FlowEdge = { id: newId('e'), ...c };
  return { flow: { ...flow, edges: [...flow.edges, edge] }, edgeId: edge.id };
}

/** Removes nodes (with every edge touching them) and edges. */
export function removeElements(flow: Flow, nodeIds: readonly string[], edgeIds: readonly string[]): Flow {
  const nodes = new Set(nodeIds);
  const edges = new Set(edgeIds);
  return {
    ...flow,
    nodes: flow.nodes.filter((n) => !nodes.has(n.id)),
    edges: flow.edges.filter((e) => !edges.has(e.id) && !nodes.has(e.source) && !nodes.has(e.target)),
  };
}

export function moveNodes(flow: Flow, positions: Readonly<Record<string, Position>>): Flow {
  return {
    ...flow,
    nodes: flow.nodes.map((n) => {
      const p = positions[n.id];
      return p && (p.x !== n.position.x || p.y !== n.position.y) ? { ...n, position: { x: p.x, y: p.y } } : n;
    }),
  };
}

export function updateNode(flow: Flow, nodeId: string, update: (node: FlowNode) => FlowNode): Flow {
  return { ...flow, nodes: flow.nodes.map((n) => (n.id === nodeId ? update(n) : n)) };
}

export function setConfigField(flow: Flow, nodeId: string, field: string, value: unknown): Flow {
  return updateNode(flow, nodeId, (n) => ({ ...n, config: { ...n.config, [field]: value } }));
}

/** Settings are tiny plain JSON: comparing their text is enough to skip an edit that changes nothing. */
const sameSettings = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** `undefined` removes the key, so a node back on the defaults saves exactly as before. */
export function setNodeSettings(flow: Flow, nodeId: string, settings: NodeSettings | undefined): Flow {
  const node = flow.nodes.find((n) => n.id === nodeId);
  if (!node || sameSettings(node.settings, settings)) return flow;
  return updateNode(flow, nodeId, ({ settings: _old, ...rest }) => (settings ? { ...rest, settings } : rest));
}

export function setFlowSettings(flow: Flow, settings: FlowSettings | undefined): Flow {
  if (sameSettings(flow.settings, settings)) return flow;
  const { settings: _old, ...rest } = flow;
  return settings ? { ...rest, settings } : rest;
}

export function copyFragment(flow: Flow, nodeIds: readonly string[]): Fragment | null {
  const ids = new Set(nodeIds);
  const nodes = flow.nodes.filter((n) => ids.has(n.id));
  if (nodes.length === 0) return null;
  const edges = flow.edges.filter((e) => ids.has(e.source) && ids.has(e.target));
  return structuredClone({ nodes, edges });
}

/** Inserts a copy with fresh ids, shifted by `offset`; returns the new node ids for selection. */
export function pasteFragment(flow: Flow, fragment: Fragment, offset: Position): { flow: Flow; nodeIds: string[] } {
  const idMap = new Map<string, string>();
  let working = flow;
  const nodes: FlowNode[] = [];
  for (const n of fragment.nodes) {
    const id = newNodeId(n.type);
    idMap.set(n.id, id);
    const copy: FlowNode = {
      ...structuredClone(n),
      id,
      name: uniqueName(working, n.name),
      position: { x: n.position.x + offset.x, y: n.position.y + offset.y },
    };
    nodes.push(copy);
    working = { ...working, nodes: [...working.nodes, copy] };
  }
  const edges: FlowEdge[] = [];
  for (const e of fragment.edges) {
    const source = idMap.get(e.source);
    const target = idMap.get(e.target);
    if (source && target) edges.push({ ...e, id: newId('e'), source, target });
  }
  return { flow: { ...flow, nodes: [...flow.nodes, ...nodes], edges: [...flow.edges, ...edges] }, nodeIds: nodes.map((n) => n.id) };
}
