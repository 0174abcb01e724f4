/**
 * Frozen fixtures: files saved by earlier Millrace versions must keep loading.
 * NEVER EDIT a fixture under ./fixtures. A new schema version (or a new node type@version) adds a
 * new fixture and a test here; the old ones stay byte-for-byte as they were shipped.
 */
import { describe, expect, it } from 'vitest';
import flowV1 from './fixtures/flow-v1.json';
import { parseFlowText } from './validate';
import { nodeRegistry } from '../../nodes/index';

describe('fixture flow-v1.json', () => {
  const text = JSON.stringify(flowV1, null, 2);

  it('parses with no problems', () => {
    const result = parseFlowText(text, nodeRegistry);
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it('uses all five first node types', () => {
    expect(flowV1.nodes.map((n) => n.type).sort()).toEqual(['http-request@1', 'if@1', 'manual-trigger@1', 'set-fields@1', 'write-file@1']);
  });

  it('loses and adds nothing, and round-trips through save', () => {
    const first = parseFlowText(text, nodeRegistry);
    if (!first.ok) throw new Error('fixture did not parse');
    expect(first.flow).toEqual(flowV1);
    const again = parseFlowText(JSON.stringify(first.flow), nodeRegistry);
    expect(again).toEqual(first);
  });

  it('has configs that each node type@1 still reads exactly as written', () => {
    for (const node of flowV1.nodes) {
      const def = nodeRegistry.get(node.type)!;
      expect(def.config.parse(node.config), node.id).toEqual(node.config);
    }
  });
});
