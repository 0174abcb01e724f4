import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { findCycle, parseFlowDocument, validateFlow } from './validate';
import { chainFlow, flowEdge, flowNode, flowOf } from './testing';
import { nodeRegistry } from '../../nodes/index';
import { NodeRegistry, defineNode, type AnyNodeDefinition } from '../node-kit';

const trigger = flowNode('start', 'manual-trigger@1', {}, 'Start');
const shape = flowNode('shape', 'set-fields@1', {}, 'Shape');
const validate = (nodes = [trigger, shape], edges = [flowEdge('start', 'shape')]) => validateFlow(flowOf(nodes, edges), nodeRegistry);

describe('validateFlow', () => {
  it('finds nothing wrong with a connected flow with one trigger', () => {
    expect(validate()).toEqual([]);
  });

  it('finds nothing wrong with an empty flow', () => {
    expect(validate([], [])).toEqual([]);
  });

  it('reports a duplicate node id at the second node', () => {
    const problems = validate([trigger, shape, { ...shape, name: 'Shape again' }]);
    expect(problems).toContainEqual({ kind: 'structure', path: ['nodes', 2, 'id'], nodeId: 'shape', message: 'duplicate node id "shape"' });
  });

  it('reports an unknown node type, and nothing about its config', () => {
    const problems = validate([trigger, flowNode('x', 'teleport@1', { url: 5 })], [flowEdge('start', 'x')]);
    expect(problems).toEqual([{ kind: 'structure', path: ['nodes', 1, 'type'], nodeId: 'x', message: 'unknown node type "teleport@1"' }]);
  });

  it('reports an unknown version of a known type', () => {
    const problems = validate([trigger, flowNode('x', 'set-fields@9')], [flowEdge('start', 'x')]);
    expect(problems.map((p) => p.message)).toEqual(['unknown node type "set-fields@9"']);
  });

  it('reports a bad config field as a config problem naming node and field', () => {
    const http = flowNode('notify', 'http-request@1', { url: '' }, 'Notify');
    const problems = validate([trigger, http], [flowEdge('start', 'notify')]);
    expect(problems.length).toBeGreaterThan(0);
    for (const p of problems) expect(p).toMatchObject({ kind: 'config', nodeId: 'notify', field: 'url', path: ['nodes', 1, 'config', 'url'] });
    expect(problems.map((p) => p.message)).toContain('required');
  });

  it('reports every bad field of every node at once, with the full path for nested fields', () => {
    const http = flowNode('notify', 'http-request@1', { url: 'ftp://x', timeoutMs: 1 });
    const fields = flowNode('shape', 'set-fields@1', { fields: [{ name: 'ok', value: 'x' }, { name: '__proto__', value: 'x' }] });
    const problems = validate([trigger, fields, http], [flowEdge('start', 'shape'), flowEdge('shape', 'notify')]);
    expect(problems.map((p) => [p.nodeId, p.field])).toEqual(
      expect.arrayContaining([
        ['notify', 'url'],
        ['notify', 'timeoutMs'],
        ['shape', 'fields'],
      ]),
    );
    expect(problems.find((p) => p.nodeId === 'shape')?.path).toEqual(['nodes', 1, 'config', 'fields', 1, 'name']);
  });

  it('reports an edge from or to a missing node', () => {
    const problems = validate([trigger, shape], [flowEdge('start', 'shape'), flowEdge('ghost', 'shape', { id: 'e2' }), flowEdge('start', 'void', { id: 'e3' })]);
    expect(problems).toEqual([
      { kind: 'structure', path: ['edges', 1, 'source'], edgeId: 'e2', message: 'edge starts at missing node "ghost"' },
      { kind: 'structure', path: ['edges', 2, 'target'], edgeId: 'e3', message: 'edge ends at missing node "void"' },
    ]);
  });

  it('reports unknown ports, naming the node', () => {
    const problems = validate([trigger, shape], [flowEdge('start', 'shape', { id: 'e1', sourcePort: 'nope' }), flowEdge('start', 'shape', { id: 'e2', targetPort: 'side' })]);
    expect(problems).toContainEqual({ kind: 'structure', path: ['edges', 0, 'sourcePort'], edgeId: 'e1', message: '"Start" has no output "nope"' });
    expect(problems).toContainEqual({ kind: 'structure', path: ['edges', 1, 'targetPort'], edgeId: 'e2', message: '"Shape" has no input "side"' });
  });

  it('reports the if node ports by name: true/false exist, out does not', () => {
    const check = flowNode('check', 'if@1');
    const ok = validate([trigger, check, shape], [flowEdge('start', 'check'), flowEdge('check', 'shape', { sourcePort: 'false' })]);
    expect(ok).toEqual([]);
    const bad = validate([trigger, check, shape], [flowEdge('start', 'check'), flowEdge('check', 'shape')]);
    expect(bad.map((p) => p.path)).toContainEqual(['edges', 1, 'sourcePort']);
  });

  it('reports duplicate edge ids and the same ports connected twice', () => {
    const problems = validate([trigger, shape], [flowEdge('start', 'shape', { id: 'e1' }), flowEdge('start', 'shape', { id: 'e1' })]);
    const messages = problems.filter((p) => p.edgeId === 'e1').map((p) => p.message);
    expect(messages).toEqual(['duplicate edge id "e1"', 'the same two ports are connected twice']);
  });

  it('reports incompatible port types at the target port', () => {
    const src = defineNode({ ...stub('typed.source'), trigger: true, inputs: {}, outputs: { text: { type: 'string' } } });
    const dst = defineNode({ ...stub('typed.sink'), inputs: { amount: { type: 'number' } }, outputs: {} });
    const registry = new NodeRegistry([src, dst] as AnyNodeDefinition[]);
    const flow = flowOf([flowNode('a', 'typed.source@1', {}, 'Source'), flowNode('b', 'typed.sink@1', {}, 'Sink')], [flowEdge('a', 'b', { id: 'e', sourcePort: 'text', targetPort: 'amount' })]);
    expect(validateFlow(flow, registry)).toEqual([
      { kind: 'structure', path: ['edges', 0, 'targetPort'], edgeId: 'e', message: 'cannot connect "Source" to "Sink": a string output cannot feed a number input' },
    ]);
  });

  it('reports a cycle, naming its nodes in order', () => {
    const a = flowNode('a', 'set-fields@1', {}, 'A');
    const b = flowNode('b', 'set-fields@1', {}, 'B');
    const problems = validate([trigger, a, b], [flowEdge('start', 'a'), flowEdge('a', 'b'), flowEdge('b', 'a')]);
    const cycle = problems.filter((p) => p.message.includes('cycle'));
    expect(cycle).toEqual([{ kind: 'structure', path: ['edges'], nodeId: 'a', message: 'the flow has a cycle (A → B → A); flows must not loop back' }]);
  });

  it('reports a self-loop as a cycle', () => {
    const problems = validate([trigger, shape], [flowEdge('start', 'shape'), flowEdge('shape', 'shape')]);
    expect(problems).toContainEqual(expect.objectContaining({ kind: 'structure', nodeId: 'shape', message: expect.stringContaining('(Shape → Shape)') }));
  });

  it('does not call a diamond a cycle', () => {
    const [l, r] = ['l', 'r'].map((id) => flowNode(id, 'set-fields@1'));
    const j = flowNode('j', 'merge@1');
    const problems = validate([trigger, l!, r!, j], [flowEdge('start', 'l'), flowEdge('start', 'r'), flowEdge('l', 'j', { targetPort: 'a' }), flowEdge('r', 'j', { targetPort: 'b' })]);
    expect(problems).toEqual([]);
  });

  it('walks a 10,000-node chain without overflowing the stack, and finds a cycle closing it', () => {
    const flow = chainFlow(10_000);
    const started = performance.now();
    expect(validateFlow(flow, nodeRegistry)).toEqual([]);
    const closed = { ...flow, edges: [...flow.edges, flowEdge('n9999', 'n1', { id: 'back' })] };
    const problems = validateFlow(closed, nodeRegistry);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ kind: 'structure', nodeId: 'n1' });
    expect(problems[0]!.message.split(' → ')).toHaveLength(10_000);
  });

  it('reports a flow without a trigger as a config problem', () => {
    const problems = validate([shape], []);
    expect(problems).toContainEqual({ kind: 'config', path: ['nodes'], message: 'the flow has no trigger: add a trigger node to start it' });
  });

  it('reports every trigger after the first', () => {
    const second = flowNode('again', 'manual-trigger@1');
    const third = flowNode('third', 'manual-trigger@1');
    const problems = validate([trigger, shape, second, third]);
    const extra = problems.filter((p) => p.message.includes('only one trigger'));
    expect(extra.map((p) => [p.nodeId, p.path, p.kind])).toEqual([
      ['again', ['nodes', 2], 'config'],
      ['third', ['nodes', 3], 'config'],
    ]);
  });

  it('reports a node whose input is not connected, but not a trigger', () => {
    const lonely = flowNode('lonely', 'write-file@1');
    const problems = validate([trigger, shape, lonely]);
    expect(problems).toEqual([{ kind: 'config', path: ['nodes', 2], nodeId: 'lonely', message: 'not connected: connect its input or delete it' }]);
  });
});

describe('findCycle', () => {
  it('returns null for an acyclic graph and the cycle otherwise', () => {
    expect(findCycle(['a', 'b', 'c'], new Map([['a', ['b', 'c']], ['b', ['c']]]))).toBeNull();
    expect(findCycle(['a', 'b', 'c'], new Map([['a', ['b']], ['b', ['c']], ['c', ['b']]]))).toEqual(['b', 'c']);
  });
});

describe('parseFlowDocument', () => {
  it('accepts a flow with config problems, carrying them', () => {
    const doc = flowOf([trigger, flowNode('notify', 'http-request@1', { url: '' })], [flowEdge('start', 'notify')]);
    const result = parseFlowDocument(doc, nodeRegistry);
    expect(result.ok).toBe(true);
    expect(result.problems.map((p) => p.field)).toContain('url');
    expect(result.problems.every((p) => p.kind === 'config')).toBe(true);
  });

  it('refuses a flow with a structure problem', () => {
    const doc = flowOf([trigger, shape], [flowEdge('start', 'ghost')]);
    const result = parseFlowDocument(doc, nodeRegistry);
    expect(result.ok).toBe(false);
    expect(result.problems[0]?.message).toContain('ghost');
  });

  it('drops a __proto__ key from a decoded document without touching any prototype', () => {
    const doc = JSON.parse(
      JSON.stringify(flowOf([flowNode('start', 'manual-trigger@1', { payload: '{}' })])).replace('"payload"', '"__proto__":{"polluted":true},"payload"'),
    ) as unknown;
    const result = parseFlowDocument(doc, nodeRegistry);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const config = result.flow.nodes[0]!.config;
    expect(Object.getPrototypeOf(config)).toBe(Object.prototype);
    expect(Object.keys(config)).toEqual(['payload']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

function stub(type: string) {
  return {
    type,
    version: 1,
    title: type,
    description: type,
    category: 'transform' as const,
    config: z.object({}),
    ui: {},
    execute: async () => ({}),
    exportCode: () => '',
  };
}
