/** Builders for flow documents in tests: short to write, valid unless a test breaks them on purpose. */
import { CURRENT_SCHEMA_VERSION, type Flow, type FlowEdge, type FlowNode } from './schema';

export function flowNode(id: string, type: string, config: Record<string, unknown> = {}, name = id): FlowNode {
  return { id, type, name, position: { x: 0, y: 0 }, config };
}

export function flowEdge(source: string, target: string, over: Partial<FlowEdge> = {}): FlowEdge {
  return { id: `${source}-${target}`, source, sourcePort: 'out', target, targetPort: 'in', ...over };
}

export function flowOf(nodes: FlowNode[], edges: FlowEdge[] = []): Flow {
  return { schemaVersion: CURRENT_SCHEMA_VERSION, id: 'flow_test', name: 'Test flow', nodes, edges };
}

/** A manual trigger followed by `length - 1` set-fields nodes, each feeding the next. */
export function chainFlow(length: number): Flow {
  const nodes = [flowNode('n0', 'manual-trigger@1')];
  const edges: FlowEdge[] = [];
  for (let i = 1; i < length; i++) {
    nodes.push(flowNode(`n${i}`, 'set-fields@1'));
    edges.push(flowEdge(`n${i - 1}`, `n${i}`));
  }
  return flowOf(nodes, edges);
}
