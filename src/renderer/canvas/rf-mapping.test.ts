import { describe, expect, it } from 'vitest';
import type { Flow } from '../../shared/flow/schema';
import { newMappingCache, toCanvasEdges, toCanvasNodes } from './rf-mapping';

const flow: Flow = {
  schemaVersion: 1,
  id: 'f',
  name: 'F',
  nodes: [
    { id: 'a', type: 'if@1', name: 'A', position: { x: 0, y: 0 }, config: {} },
    { id: 'b', type: 'if@1', name: 'B', position: { x: 300, y: 0 }, config: {} },
  ],
  edges: [{ id: 'e1', source: 'a', sourcePort: 'true', target: 'b', targetPort: 'in' }],
};

describe('React Flow mapping', () => {
  it('maps ports to handles and reuses unchanged objects', () => {
    const cache = newMappingCache();
    const first = toCanvasNodes(flow, new Set(), {}, cache);
    const moved: Flow = { ...flow, nodes: [flow.nodes[0]!, { ...flow.nodes[1]!, position: { x: 320, y: 0 } }] };
    const second = toCanvasNodes(moved, new Set(['a']), {}, cache);
    expect(second[0]).not.toBe(first[0]);
    expect(second[0]?.selected).toBe(true);
    const third = toCanvasNodes(moved, new Set(['a']), { b: { width: 232, height: 100 } }, cache);
    expect(third[0]).toBe(second[0]);
    expect(third[1]?.measured).toEqual({ width: 232, height: 100 });
    const edges = toCanvasEdges(flow, new Set(), new Set(['b']), cache);
    expect(edges[0]).toMatchObject({ source: 'a', sourceHandle: 'true', target: 'b', targetHandle: 'in', animated: true });
    expect(toCanvasEdges(flow, new Set(), new Set(['b']), cache)[0]).toBe(edges[0]);
  });
});
