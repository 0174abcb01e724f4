/**
 * The flow document seen as React Flow nodes and edges. Objects are reused while nothing they
 * show changed, so React Flow skips re-measuring and re-rendering untouched nodes.
 */
import type { Edge, Node } from '@xyflow/react';
import type { Flow, FlowNode } from '../../shared/flow/schema';
import type { Size } from './layout';

export type CanvasNodeData = { node: FlowNode };
export type CanvasNode = Node<CanvasNodeData, 'millrace'>;

export interface MappingCache {
  nodes: Map<string, CanvasNode>;
  edges: Map<string, Edge>;
}

export const newMappingCache = (): MappingCache => ({ nodes: new Map(), edges: new Map() });

export function toCanvasNodes(
  flow: Flow,
  selected: ReadonlySet<string>,
  measured: Readonly<Record<string, Size>>,
  cache: MappingCache,
): CanvasNode[] {
  const seen = new Map<string, CanvasNode>();
  const out = flow.nodes.map((node) => {
    const isSelected = selected.has(node.id);
    const size = measured[node.id];
    const previous = cache.nodes.get(node.id);
    if (
      previous &&
      previous.data.node === node &&
      previous.selected === isSelected &&
      previous.measured?.width === size?.width &&
      previous.measured?.height === size?.height
    ) {
      seen.set(node.id, previous);
      return previous;
    }
    const next: CanvasNode = {
      id: node.id,
      type: 'millrace',
      position: node.position,
      data: { node },
      selected: isSelected,
      ...(size ? { measured: size } : {}),
    };
    seen.set(node.id, next);
    return next;
  });
  cache.nodes = seen;
  return out;
}

export function toCanvasEdges(flow: Flow, selected: ReadonlySet<string>, active: ReadonlySet<string>, cache: MappingCache): Edge[] {
  const seen = new Map<string, Edge>();
  const out = flow.edges.map((e) => {
    const isSelected = selected.has(e.id);
    const animated = active.has(e.target);
    const previous = cache.edges.get(e.id);
    if (
      previous &&
      previous.source === e.source &&
      previous.target === e.target &&
      previous.sourceHandle === e.sourcePort &&
      previous.targetHandle === e.targetPort &&
      previous.selected === isSelected &&
      previous.animated === animated
    ) {
      seen.set(e.id, previous);
      return previous;
    }
    const next: Edge = {
      id: e.id,
      source: e.source,
      target: e.target,
      sourceHandle: e.sourcePort,
      targetHandle: e.targetPort,
      selected: isSelected,
      animated,
    };
    seen.set(e.id, next);
    return next;
  });
  cache.edges = seen;
  return out;
}
