import { describe, expect, it } from 'vitest';
import { validateFlow } from './validate';
import { flowEdge, flowNode, flowOf } from './testing';
import { flowGraph, refsToIds, refsToNames } from './references';
import { nodeRegistry } from '../../nodes/index';

const set = (value: string) => ({ fields: [{ name: 'x', value }], keepInput: false });
const t = flowNode('t', 'manual-trigger@1', {}, 'Start');

/** t → a → b → c, and t → side (another branch). `c` is configured by the test. */
function graph(cValue: string) {
  return flowOf(
    [t, flowNode('a', 'set-fields@1', set('1'), 'A'), flowNode('b', 'set-fields@1', set('2'), 'B'), flowNode('c', 'set-fields@1', set(cValue), 'C'), flowNode('side', 'set-fields@1', set('3'), 'Side')],
    [flowEdge('t', 'a'), flowEdge('a', 'b'), flowEdge('b', 'c'), flowEdge('t', 'side')],
  );
}
const messages = (f: ReturnType<typeof graph>) => validateFlow(f, nodeRegistry).map((p) => ({ node: p.nodeId, field: p.field, path: p.path, message: p.message }));

describe('reference validation', () => {
  it('accepts references to upstream nodes and the trigger', () => {
    expect(messages(graph('{{ $node["a"].out.x }} {{ $node["b"].out }} {{ $trigger.id }} {{ x }}'))).toEqual([]);
  });

  it.each<[string, string, RegExp]>([
    ['a missing node', '{{ $node["gone"].out }}', /there is no node "gone" in this flow/],
    ['itself', '{{ $node["c"].out }}', /a node cannot refer to its own output/],
    ['a node on another branch', '{{ $node["side"].out.x }}', /"Side" is not upstream of this node \(it is on another branch\)/],
  ])('refuses a reference to %s, on node and field', (_, value, message) => {
    expect(messages(graph(value))).toEqual([{ node: 'c', field: 'fields', path: ['nodes', 3, 'config', 'fields', 0, 'value'], message: expect.stringMatching(message) as unknown }]);
  });

  it('refuses a reference to a downstream node', () => {
    const f = graph('1');
    f.nodes[1]!.config = set('{{ $node["c"].out.x }}');
    expect(messages(f)).toEqual([{ node: 'a', field: 'fields', path: ['nodes', 1, 'config', 'fields', 0, 'value'], message: expect.stringMatching(/"C" runs after this node \(it is downstream\)/) as unknown }]);
  });

  it('says when a name was written where the id belongs and two nodes share it', () => {
    const f = graph('{{ $node["Dup"].out }}');
    f.nodes[1]!.name = 'Dup';
    f.nodes[2]!.name = 'Dup';
    expect(messages(f)[0]?.message).toMatch(/2 nodes are called "Dup"/);
  });

  it('refuses a node that is upstream on only some paths unless the reference is optional or has a default', () => {
    const f = flowOf(
      [t, flowNode('if', 'if@1', { left: '{{ n }}', operator: 'greater', right: '1' }), flowNode('big', 'set-fields@1', set('b'), 'Big'), flowNode('m', 'merge@1', {}), flowNode('end', 'set-fields@1', set('{{ $node["big"].out.x }}'))],
      [flowEdge('t', 'if'), flowEdge('if', 'big', { sourcePort: 'true' }), flowEdge('big', 'm', { targetPort: 'a' }), flowEdge('if', 'm', { sourcePort: 'false', targetPort: 'b' }), flowEdge('m', 'end')],
    );
    expect(messages(f).map((p) => p.message)).toEqual([expect.stringMatching(/"Big" is not upstream on every path/)]);
    f.nodes[4]!.config = set('{{ $node["big"].out.x? }}');
    expect(messages(f)).toEqual([]);
    f.nodes[4]!.config = set('{{ $node["big"].out.x ?? "small" }}');
    expect(messages(f)).toEqual([]);
  });

  it('refuses a second edge into a single-value input, with the reason and the way out', () => {
    const f = flowOf(
      [t, flowNode('a', 'set-fields@1', set('1'), 'A'), flowNode('b', 'set-fields@1', set('2'), 'B'), flowNode('c', 'set-fields@1', set('3'), 'C')],
      [flowEdge('t', 'a'), flowEdge('t', 'b'), flowEdge('a', 'c'), flowEdge('b', 'c')],
    );
    expect(validateFlow(f, nodeRegistry)).toEqual([
      {
        kind: 'config',
        path: ['nodes', 3],
        nodeId: 'c',
        message: 'input "in" has 2 incoming connections (from "A", "B"); an input takes one value, so all but one would be ignored: add a Merge node to combine them',
      },
    ]);
  });
});

describe('flowGraph', () => {
  it('computes ancestors and dominators on a diamond', () => {
    const f = flowOf(
      [t, flowNode('l', 'set-fields@1'), flowNode('r', 'set-fields@1'), flowNode('m', 'merge@1'), flowNode('e', 'set-fields@1')],
      [flowEdge('t', 'l'), flowEdge('t', 'r'), flowEdge('l', 'm', { targetPort: 'a' }), flowEdge('r', 'm', { targetPort: 'b' }), flowEdge('m', 'e')],
    );
    const g = flowGraph(f);
    expect([...g.ancestors('e')].sort()).toEqual(['l', 'm', 'r', 't']);
    expect([...g.dominators('e')].sort()).toEqual(['m', 't']);
    expect([...g.dominators('m')]).toEqual(['t']);
  });

  it('handles a 500-node chain without deep recursion', () => {
    const nodes = [t];
    const edges = [];
    for (let i = 1; i < 500; i++) {
      nodes.push(flowNode(`n${i}`, 'set-fields@1'));
      edges.push(flowEdge(i === 1 ? 't' : `n${i - 1}`, `n${i}`));
    }
    expect(flowGraph(flowOf(nodes, edges)).dominators('n499').size).toBe(499);
  });
});

describe('names in the editor, ids in the document', () => {
  const nodes = [
    { id: 'n_1', name: 'Classify' },
    { id: 'n_2', name: 'Say "hi"' },
    { id: 'n_3', name: 'Twin' },
    { id: 'n_4', name: 'Twin' },
  ];
  it('shows names and stores ids, round-tripping', () => {
    const stored = '{{ $node["n_1"].data.category }} and {{ $node["n_2"].out }} and {{ $node[\'n_1\'].text }}';
    const shown = refsToNames(stored, nodes);
    expect(shown).toBe('{{ $node["Classify"].data.category }} and {{ $node["Say \\"hi\\""].out }} and {{ $node["Classify"].text }}');
    expect(refsToIds(shown, nodes)).toBe('{{ $node["n_1"].data.category }} and {{ $node["n_2"].out }} and {{ $node["n_1"].text }}');
  });

  it('survives a rename: the stored id shows the new name', () => {
    expect(refsToNames('{{ $node["n_1"].data }}', [{ id: 'n_1', name: 'Triage' }])).toBe('{{ $node["Triage"].data }}');
  });

  it('keeps unknown and ambiguous names as typed (validation reports them)', () => {
    expect(refsToIds('{{ $node["Nope"].x }} {{ $node["Twin"].x }} {{ $node["n_3"].x }}', nodes)).toBe('{{ $node["Nope"].x }} {{ $node["Twin"].x }} {{ $node["n_3"].x }}');
  });
});

describe('references in Code nodes', () => {
  it('checks $node["…"] in code like a template reference', () => {
    const f = flowOf(
      [t, flowNode('a', 'set-fields@1', set('1'), 'A'), flowNode('code', 'code@1', { code: 'return [$node["a"].out, $node["side"].out, $node[\'gone\']];' }), flowNode('side', 'set-fields@1', set('2'), 'Side')],
      [flowEdge('t', 'a'), flowEdge('a', 'code'), flowEdge('t', 'side')],
    );
    expect(messages(f).map((p) => [p.node, p.field, p.message])).toEqual([
      ['code', 'code', expect.stringMatching(/^\$node\["side"\]: "Side" is not upstream of this node/) as unknown],
      ['code', 'code', expect.stringMatching(/^\$node\["gone"\]: there is no node "gone"/) as unknown],
    ]);
  });
});
