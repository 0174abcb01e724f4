/** A small registry with typed ports, for renderer tests that need incompatible connections. */
import { z } from 'zod';
import { defineNode, NodeRegistry, type AnyNodeDefinition } from '../../shared/node-kit';

const base = {
  version: 1,
  description: 'test node',
  ui: {},
  execute: async () => ({}),
  exportCode: () => '',
};

export const start = defineNode({ ...base, type: 'start', title: 'Start', category: 'trigger', trigger: true, config: z.object({}), inputs: {}, outputs: { out: { type: 'any' } } });
export const text = defineNode({
  ...base,
  type: 'text',
  title: 'Text',
  category: 'transform',
  config: z.object({ value: z.string().min(1, 'required').default('hi') }),
  inputs: { in: { type: 'any' } },
  outputs: { out: { type: 'string' } },
});
export const count = defineNode({
  ...base,
  type: 'count',
  title: 'Count',
  category: 'transform',
  config: z.object({ step: z.number().int().default(1) }),
  inputs: { in: { type: 'number' } },
  outputs: { out: { type: 'number' } },
});

export const testRegistry = new NodeRegistry([start, text, count] as AnyNodeDefinition[]);
