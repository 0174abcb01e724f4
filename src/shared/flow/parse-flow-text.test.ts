/** parseFlowText with hostile input: it must refuse cleanly, quickly, and never throw. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseFlowText } from './validate';
import { FLOW_LIMITS } from './schema';
import { chainFlow, flowEdge, flowNode, flowOf } from './testing';
import { nodeRegistry } from '../../nodes/index';

const parse = (text: string) => parseFlowText(text, nodeRegistry);
const messages = (text: string) => parse(text).problems.map((p) => p.message);

afterEach(() => {
  vi.restoreAllMocks();
});

describe('parseFlowText', () => {
  it('parses a valid flow', () => {
    const flow = chainFlow(3);
    const result = parse(JSON.stringify(flow));
    expect(result).toEqual({ ok: true, flow, problems: [] });
  });

  it.each(['', '{', '{"a":1,}', "{'a':1}", 'undefined', '{"a":1} trailing'])('refuses invalid JSON %j', (text) => {
    const result = parse(text);
    expect(result.ok).toBe(false);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]!.message).toMatch(/^not valid JSON: /);
  });

  it.each(['[]', 'null', '42', '"flow"', 'true'])('refuses the non-object document %s', (text) => {
    expect(messages(text)).toEqual(['a flow file must contain a JSON object']);
  });

  it('refuses a missing or non-integer schemaVersion, pointing at it', () => {
    for (const version of [undefined, '1', 0, -1, 1.5, null]) {
      const result = parse(JSON.stringify({ ...chainFlow(2), schemaVersion: version }));
      expect(result.ok).toBe(false);
      expect(result.problems[0]).toMatchObject({ kind: 'structure', path: ['schemaVersion'] });
      expect(result.problems[0]!.message).toContain('schemaVersion');
    }
  });

  it('refuses a flow from a newer Millrace, saying what to do', () => {
    const result = parse(JSON.stringify({ ...chainFlow(2), schemaVersion: 99 }));
    expect(result.ok).toBe(false);
    expect(result.problems[0]!.message).toMatch(/newer Millrace \(schema 99; this version reads up to 1\)\. Update Millrace/);
  });

  it('reports wrong types with paths, node ids and fields', () => {
    const doc = {
      ...chainFlow(2),
      name: 5,
      nodes: [
        { id: 'n0', type: 'manual-trigger@1', name: 'Start', position: { x: 'left', y: 0 }, config: {} },
        { id: 'n1', type: 'set-fields', name: '', position: { x: 0, y: 0 }, config: [] },
      ],
      edges: [{ id: 'e1', source: 'n0', sourcePort: 'out', target: 7, targetPort: 'in' }],
    };
    const result = parse(JSON.stringify(doc));
    expect(result.ok).toBe(false);
    const where = result.problems.map((p) => ({ path: p.path, nodeId: p.nodeId, edgeId: p.edgeId, field: p.field }));
    expect(where).toEqual(
      expect.arrayContaining([
        { path: ['name'], nodeId: undefined, edgeId: undefined, field: undefined },
        { path: ['nodes', 0, 'position', 'x'], nodeId: 'n0', edgeId: undefined, field: 'position' },
        { path: ['nodes', 1, 'type'], nodeId: 'n1', edgeId: undefined, field: 'type' },
        { path: ['nodes', 1, 'name'], nodeId: 'n1', edgeId: undefined, field: 'name' },
        { path: ['nodes', 1, 'config'], nodeId: 'n1', edgeId: undefined, field: 'config' },
        { path: ['edges', 0, 'target'], nodeId: undefined, edgeId: 'e1', field: undefined },
      ]),
    );
    expect(result.problems.every((p) => p.kind === 'structure')).toBe(true);
  });

  it('refuses non-finite positions (1e400 parses as Infinity)', () => {
    const text = JSON.stringify(chainFlow(2)).replace('"x":0', '"x":1e400');
    expect(parse(text).ok).toBe(false);
  });

  it.each(['../etc', 'a b', 'x'.repeat(FLOW_LIMITS.maxIdLength + 1), ''])('refuses the node id %j', (id) => {
    const flow = chainFlow(1);
    const result = parse(JSON.stringify({ ...flow, nodes: [{ ...flow.nodes[0], id }] }));
    expect(result.ok).toBe(false);
    expect(result.problems[0]!.path).toEqual(['nodes', 0, 'id']);
  });

  describe('hostile keys', () => {
    const withKey = (json: string) => {
      const result = parse(json);
      expect(result.ok).toBe(false);
      expect(Object.prototype).not.toHaveProperty('polluted');
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
      return result.problems.map((p) => p.message).join('\n');
    };

    it('refuses __proto__ at the top level', () => {
      const text = JSON.stringify(chainFlow(2)).replace('{', '{"__proto__":{"polluted":true},');
      expect(withKey(text)).toBe('the file contains forbidden keys (__proto__)');
    });

    it('refuses __proto__ deep inside a node config', () => {
      const flow = flowOf([flowNode('t', 'manual-trigger@1', { payload: '{}' })]);
      const text = JSON.stringify(flow).replace('"payload"', '"nested":{"deeper":{"__proto__":{"polluted":true}}},"payload"');
      expect(withKey(text)).toContain('__proto__');
    });

    it('refuses constructor.prototype and lists each key once', () => {
      const text = JSON.stringify(chainFlow(2)).replace('{', '{"constructor":{"prototype":{"polluted":true}},"x":{"constructor":1},');
      expect(withKey(text)).toBe('the file contains forbidden keys (prototype, constructor)');
    });

    it('accepts the same words as values', () => {
      const flow = flowOf([flowNode('t', 'manual-trigger@1', { payload: '{"a": "__proto__"}' }, 'constructor')]);
      expect(parse(JSON.stringify(flow)).ok).toBe(true);
    });
  });

  describe('size', () => {
    it(`refuses a file over ${FLOW_LIMITS.maxFileBytes / 1024 / 1024} MB without parsing it`, () => {
      const spy = vi.spyOn(JSON, 'parse');
      const text = `{"pad":"${'x'.repeat(FLOW_LIMITS.maxFileBytes)}"}`;
      const result = parse(text);
      expect(spy).not.toHaveBeenCalled();
      expect(result.ok).toBe(false);
      expect(result.problems[0]!.message).toBe('the file is 5.0 MB; flow files are limited to 5 MB');
    });

    it('counts UTF-8 bytes, not characters', () => {
      const text = `"${'é'.repeat(FLOW_LIMITS.maxFileBytes / 2)}"`;
      expect(text.length).toBeLessThan(FLOW_LIMITS.maxFileBytes);
      expect(messages(text)[0]).toMatch(/limited to 5 MB/);
    });

    it('still parses a file just under the limit', () => {
      const text = `"${'x'.repeat(FLOW_LIMITS.maxFileBytes - 2)}"`;
      expect(messages(text)).toEqual(['a flow file must contain a JSON object']);
    });

    it('refuses a 50 MB file fast', () => {
      const text = `{"pad":"${'x'.repeat(50 * 1024 * 1024)}"}`;
      const started = performance.now();
      const result = parse(text);
      expect(performance.now() - started).toBeLessThan(1000);
      expect(result.problems[0]!.message).toMatch(/^the file is 50\.0 MB/);
    });
  });

  describe('node and edge limits', () => {
    it(`accepts ${FLOW_LIMITS.maxNodes} nodes and refuses one more`, () => {
      expect(parse(JSON.stringify(chainFlow(FLOW_LIMITS.maxNodes))).ok).toBe(true);
      const result = parse(JSON.stringify(chainFlow(FLOW_LIMITS.maxNodes + 1)));
      expect(result.ok).toBe(false);
      expect(result.problems.map((p) => p.message)).toContain(`a flow may have at most ${FLOW_LIMITS.maxNodes} nodes`);
    });

    it('refuses 10,000 nodes quickly', () => {
      const text = JSON.stringify(chainFlow(10_000));
      const started = performance.now();
      const result = parse(text);
      expect(performance.now() - started).toBeLessThan(2000);
      expect(result.ok).toBe(false);
      expect(result.problems).toEqual([
        { kind: 'structure', path: ['nodes'], message: 'a flow may have at most 500 nodes' },
        { kind: 'structure', path: ['edges'], message: 'a flow may have at most 2000 edges' },
      ]);
    });

    it('caps the problem list at 200 entries plus a count', () => {
      const flow = chainFlow(300);
      const broken = { ...flow, nodes: flow.nodes.map((n) => ({ ...n, type: 'NOT A TYPE' })) };
      const problems = parse(JSON.stringify(broken)).problems;
      expect(problems).toHaveLength(201);
      expect(problems[200]!.message).toBe('…and 100 more problems');
    });
  });

  it('refuses a cycle', () => {
    const flow = chainFlow(3);
    const text = JSON.stringify({ ...flow, edges: [...flow.edges, flowEdge('n2', 'n1', { id: 'back' })] });
    const result = parse(text);
    expect(result.ok).toBe(false);
    expect(result.problems[0]!.message).toMatch(/cycle/);
  });

  it('refuses deeply nested JSON without throwing', () => {
    const depth = 100_000;
    const text = `{"schemaVersion":1,"deep":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    const result = parse(text);
    expect(result.ok).toBe(false);
    expect(result.problems.map((p) => p.message)).toEqual(['the file is nested too deeply to be a flow']);
  });
});
