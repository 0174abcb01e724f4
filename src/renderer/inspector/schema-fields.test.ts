import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { nodeRegistry } from '../../nodes';
import { defineNode, NodeRegistry, type AnyNodeDefinition } from '../../shared/node-kit';
import { configErrors, describeConfig, fieldKind } from './schema-fields';

function def(ref: string, registry: NodeRegistry = nodeRegistry): AnyNodeDefinition {
  const found = registry.get(ref);
  if (!found) throw new Error(`no ${ref}`);
  return found;
}

describe('describeConfig', () => {
  it('reads every field of the HTTP node with its widget, label and kind', () => {
    const fields = describeConfig(def('http-request@1'));
    expect(fields.map((f) => [f.name, f.widget])).toEqual([
      ['method', 'select'],
      ['url', 'template'],
      ['headers', 'key-value'],
      ['body', 'template'],
      ['timeoutMs', 'number'],
      ['failOnHttpError', 'switch'],
    ]);
    expect(fields[0]?.kind).toEqual({ kind: 'enum', options: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] });
    expect(fields[2]?.kind).toEqual({ kind: 'pairs', keyField: 'name', valueField: 'value' });
    expect(fields[4]?.kind).toEqual({ kind: 'number', integer: true, min: 100, max: 300_000 });
    expect(fields[1]?.label).toBe('URL');
  });

  it('covers the other built-in nodes', () => {
    expect(describeConfig(def('if@1')).map((f) => f.kind.kind)).toEqual(['string', 'enum', 'string']);
    expect(describeConfig(def('set-fields@1')).map((f) => f.widget)).toEqual(['field-map', 'switch']);
    expect(describeConfig(def('manual-trigger@1'))[0]).toMatchObject({ widget: 'json', kind: { kind: 'string' } });
  });

  it('infers widgets and labels when a node gives no hints', () => {
    const bare = defineNode({
      type: 'bare',
      version: 1,
      title: 'Bare',
      description: '',
      category: 'transform',
      config: z.object({ maxItems: z.number().optional(), enabled: z.boolean(), mode: z.enum(['a', 'b']), extra: z.record(z.string(), z.unknown()) }),
      inputs: {},
      outputs: {},
      ui: {},
      execute: async () => ({}),
      exportCode: () => '',
    });
    expect(describeConfig(def('bare@1', new NodeRegistry([bare as AnyNodeDefinition]))).map((f) => [f.label, f.widget, f.optional])).toEqual([
      ['Max items', 'number', true],
      ['Enabled', 'switch', false],
      ['Mode', 'select', false],
      ['Extra', 'json', false],
    ]);
  });

  it('unwraps defaults and optionals', () => {
    expect(fieldKind(z.string().default('x').optional())).toEqual({ kind: 'string' });
  });
});

describe('configErrors', () => {
  it('keys errors by field path so rows of a list get their own', () => {
    const errors = configErrors(def('http-request@1'), {
      method: 'POST',
      url: 'ftp://x',
      headers: [{ name: 'ok', value: '' }, { name: 'bad name', value: '{{' }],
      body: '',
      timeoutMs: 5,
      failOnHttpError: true,
    });
    expect(errors['url']).toEqual(['must start with http:// or https://']);
    expect(errors['headers.1.name']).toEqual(['not a valid header name']);
    expect(errors['headers.1.value']).toHaveLength(1);
    expect(errors['timeoutMs']).toEqual(['at least 100 ms']);
    expect(errors['headers.0.name']).toBeUndefined();
  });

  it('is empty for a valid config', () => {
    expect(configErrors(def('if@1'), { left: '{{ a }}', operator: 'equals', right: '1' })).toEqual({});
  });
});
