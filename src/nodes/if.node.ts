import { z } from 'zod';
import { defineNode } from '../shared/node-kit';
import { templateString } from '../shared/config-fields';
import { nodeScope, renderField } from '../shared/template';

const operators = ['equals', 'not-equals', 'greater', 'greater-or-equal', 'less', 'less-or-equal', 'contains', 'is-empty', 'is-not-empty'] as const;
type Operator = (typeof operators)[number];

/** Routes its input to `true` or `false` by one comparison. The branch not taken is skipped. */
export const ifNode = defineNode({
  type: 'if',
  version: 1,
  title: 'If',
  description: 'Send the input down the true or false branch by comparing two values.',
  category: 'logic',
  config: z.object({
    left: templateString({ required: true }).default('{{ amount }}'),
    operator: z.enum(operators).default('greater'),
    right: templateString().default('100'),
  }),
  inputs: { in: { type: 'any' } },
  outputs: { true: { type: 'any', label: 'true' }, false: { type: 'any', label: 'false' } },
  ui: {
    left: { widget: 'template', label: 'Value', placeholder: '{{ amount }}' },
    operator: { widget: 'select', label: 'Operator' },
    right: { widget: 'template', label: 'Compare with', help: 'Ignored by "is empty" / "is not empty".' },
  },
  summary: (cfg) => `${cfg.left} ${cfg.operator} ${cfg.operator.startsWith('is-') ? '' : cfg.right}`.trim(),
  async execute(ctx, { in: input }, cfg) {
    const scope = nodeScope(ctx, input);
    const pass = compare(renderField(cfg.left, scope, 'left'), cfg.operator, renderField(cfg.right, scope, 'right'));
    return pass ? { true: input } : { false: input };
  },
});

/** Numbers compare as numbers when both sides look numeric; otherwise as text. */
export function compare(left: unknown, op: Operator, right: unknown): boolean {
  const isEmpty = (v: unknown) =>
    v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && v !== null && Object.keys(v).length === 0);
  const num = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN);
  const text = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const l = num(left);
  const r = num(right);
  const numeric = !Number.isNaN(l) && !Number.isNaN(r);
  switch (op) {
    case 'equals':
      return numeric ? l === r : text(left) === text(right);
    case 'not-equals':
      return numeric ? l !== r : text(left) !== text(right);
    case 'greater':
      return numeric ? l > r : text(left) > text(right);
    case 'greater-or-equal':
      return numeric ? l >= r : text(left) >= text(right);
    case 'less':
      return numeric ? l < r : text(left) < text(right);
    case 'less-or-equal':
      return numeric ? l <= r : text(left) <= text(right);
    case 'contains':
      return Array.isArray(left) ? left.some((x) => text(x) === text(right)) : text(left).includes(text(right));
    case 'is-empty':
      return isEmpty(left);
    case 'is-not-empty':
      return !isEmpty(left);
  }
}
