import { z } from 'zod';
import { defineNode } from '../shared/node-kit';
import { templateString } from '../shared/config-fields';
import { nodeScope, renderField } from '../shared/template';

const fieldName = z
  .string()
  .min(1, 'field name required')
  .max(200)
  .regex(/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/, 'use letters, digits and "_" (dots make nested fields)')
  .refine((s) => !s.split('.').some((p) => p === '__proto__' || p === 'constructor' || p === 'prototype'), 'reserved name');

/** Builds an output object from `{{ path }}` templates over the input: map, rename, compute. */
export const setFields = defineNode({
  type: 'set-fields',
  version: 1,
  title: 'Set fields',
  description: 'Build an object from the input with {{ path }} templates: map, rename, combine.',
  category: 'transform',
  config: z.object({
    fields: z
      .array(z.object({ name: fieldName, value: templateString() }))
      .max(200)
      .default([{ name: 'greeting', value: 'Hello {{ customer }}' }]),
    keepInput: z.boolean().default(false),
  }),
  inputs: { in: { type: 'any' } },
  outputs: { out: { type: 'object' } },
  ui: {
    fields: { widget: 'field-map', label: 'Fields', help: 'A value that is exactly one {{ path }} keeps its type (number, object…).' },
    keepInput: { widget: 'switch', label: 'Keep input fields' },
  },
  summary: (cfg) => cfg.fields.map((f) => f.name).join(', ') || 'no fields',
  async execute(ctx, { in: input }, cfg) {
    const base = cfg.keepInput && isPlainObject(input) ? structuredClone(input) : {};
    const scope = nodeScope(ctx, input);
    for (const f of cfg.fields) setPath(base, f.name, renderField(f.value, scope, 'fields') ?? null);
    return { out: base };
  },
});

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Sets a dotted field, creating (or replacing non-object) parents. Exported for the code-export runtime. */
export function setPath(target: Record<string, unknown>, dotted: string, value: unknown) {
  const parts = dotted.split('.');
  let cur = target;
  for (const p of parts.slice(0, -1)) {
    const next = Object.prototype.hasOwnProperty.call(cur, p) ? cur[p] : undefined;
    if (!isPlainObject(next)) cur[p] = {};
    cur = cur[p] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]!] = value;
}
