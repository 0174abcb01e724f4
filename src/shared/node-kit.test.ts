import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { NodeRegistry, defineNode, parseTypeRef, portIncompatibility, typeRef, type AnyNodeDefinition, type PortType } from './node-kit';

function def(over: Partial<AnyNodeDefinition> = {}): AnyNodeDefinition {
  return {
    type: 'test.echo',
    version: 1,
    title: 'Echo',
    description: 'Returns its input.',
    category: 'transform',
    config: z.object({}),
    inputs: { in: { type: 'any' } },
    outputs: { out: { type: 'any' } },
    ui: {},
    execute: async (_ctx, inputs) => ({ out: inputs['in'] }),
    exportCode: (_cfg, { varName, inputs }) => `const ${varName} = ${inputs['in']};`,
    ...over,
  };
}

describe('defineNode', () => {
  it('returns the definition it was given', () => {
    const d = def();
    expect(defineNode(d)).toBe(d);
  });

  it.each(['Echo', 'echo_node', '1echo', 'echo.', 'echo..x', 'echo@1', ''])('refuses the type name %j', (type) => {
    expect(() => defineNode(def({ type }))).toThrow(/bad type name/);
  });

  it.each(['echo', 'llm.call', 'http-request', 'a.b-c.d2'])('accepts the type name %j', (type) => {
    expect(() => defineNode(def({ type }))).not.toThrow();
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses version %s', (version) => {
    expect(() => defineNode(def({ version }))).toThrow(/version must be a positive integer/);
  });

  it('refuses a trigger with inputs', () => {
    expect(() => defineNode(def({ trigger: true }))).toThrow(/a trigger has no inputs/);
    expect(() => defineNode(def({ trigger: true, inputs: {} }))).not.toThrow();
  });
});

describe('typeRef / parseTypeRef', () => {
  it('round-trips', () => {
    expect(typeRef({ type: 'llm.call', version: 12 })).toBe('llm.call@12');
    expect(parseTypeRef('llm.call@12')).toEqual({ type: 'llm.call', version: 12 });
  });

  it.each(['llm.call', 'llm.call@', 'llm.call@0', 'llm.call@01', 'llm.call@1.5', 'LLM@1', '@1', 'a@1@2', ' a@1'])('refuses %j', (ref) => {
    expect(parseTypeRef(ref)).toBeNull();
  });
});

describe('portIncompatibility', () => {
  const types: PortType[] = ['any', 'object', 'array', 'string', 'number', 'boolean'];

  it('connects any to anything and equal types to each other', () => {
    for (const t of types) {
      expect(portIncompatibility({ type: 'any' }, { type: t })).toBeNull();
      expect(portIncompatibility({ type: t }, { type: 'any' })).toBeNull();
      expect(portIncompatibility({ type: t }, { type: t })).toBeNull();
    }
  });

  it('explains why different concrete types do not connect', () => {
    expect(portIncompatibility({ type: 'string' }, { type: 'number' })).toBe('a string output cannot feed a number input');
    for (const from of types.slice(1)) {
      for (const to of types.slice(1)) {
        if (from !== to) expect(portIncompatibility({ type: from }, { type: to })).toMatch(from);
      }
    }
  });
});

describe('NodeRegistry', () => {
  const v1 = def({ type: 'echo', version: 1 });
  const v2 = def({ type: 'echo', version: 2 });
  const v3 = def({ type: 'echo', version: 3 });
  const other = def({ type: 'other', version: 1 });

  it('finds definitions by type@version only', () => {
    const registry = new NodeRegistry([v1, v2, other]);
    expect(registry.get('echo@2')).toBe(v2);
    expect(registry.get('echo@4')).toBeUndefined();
    expect(registry.get('echo')).toBeUndefined();
    expect(registry.get('toString')).toBeUndefined();
    expect(registry.all()).toEqual([v1, v2, other]);
  });

  it('lists the newest version of each type, whatever the registration order', () => {
    expect(new NodeRegistry([v3, v1, other, v2]).latest()).toEqual([v3, other]);
    expect(new NodeRegistry([v1, v2]).latest()).toEqual([v2]);
  });

  it('refuses the same type@version twice', () => {
    expect(() => new NodeRegistry([v1, other, def({ type: 'echo', version: 1, title: 'Another' })])).toThrow(/echo@1 registered twice/);
  });
});
