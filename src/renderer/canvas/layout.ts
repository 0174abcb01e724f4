/** Auto-layout: dagre, left to right, using measured node sizes where the canvas knows them. */
import { Graph, layout } from '@dagrejs/dagre';
import type { Flow, Position } from '../../shared/flow/schema';

export interface Size {
  width: number;
  height: number;
}

export const DEFAULT_NODE_SIZE: Size = { width: 232, height: 110 };

export function layoutPositions(flow: Flow, sizes: Readonly<Record<string, Size>>): Record<string, Position> {
  const graph = new Graph({ multigraph: true });
  graph.setGraph({ rankdir: 'LR', nodesep: 40, ranksep: 90, marginx: 0, marginy: 0 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const node of flow.nodes) {
    const size = sizes[node.id] ?? DEFAULT_NODE_SIZE;
    graph.setNode(node.id, { width: size.width, height: size.height });
  }
  for (const edge of flow.edges) graph.setEdge(edge.source, edge.target, {}, edge.id);
  layout(graph);
  const positions: Record<string, Position> = {};
  for (const node of flow.nodes) {
    const laid = graph.node(node.id);
    const size = sizes[node.id] ?? DEFAULT_NODE_SIZE;
    // dagre gives centres; React Flow positions are top-left corners.
    if (laid) positions[node.id] = { x: Math.round(laid.x - size.width / 2), y: Math.round(laid.y - size.height / 2) };
  }
  return positions;
}
