/** Reusable zod field builders for node configs, with messages a user can act on. */
import { z } from 'zod';
import { templateError } from './template';

/** A string that may contain `{{ path }}` references; syntax errors are reported inline. */
export const templateString = (opts: { required?: boolean; max?: number } = {}) => {
  let s = z.string().max(opts.max ?? 100_000);
  if (opts.required) s = s.min(1, 'required');
  return s.superRefine((v, ctx) => {
    const err = templateError(v);
    if (err) ctx.addIssue({ code: 'custom', message: err });
  });
};

/** Text that must parse as JSON (used for payloads edited as raw JSON). */
export const jsonText = () =>
  z.string().superRefine((v, ctx) => {
    if (v.trim() === '') return;
    try {
      JSON.parse(v);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: `not valid JSON: ${(e as Error).message}` });
    }
  });

/** Default config for a node type: the schema parsed from `{}`, so defaults live in one place. */
export function defaultConfig(schema: z.ZodType): Record<string, unknown> {
  // Whole-object checks (e.g. "a hosted API needs a key") may reject the defaults on purpose: the
  // new node then shows that problem, but still gets every field's default.
  const r = schema.safeParse({});
  const d = r.success ? r : schema instanceof z.ZodObject ? z.object(schema.shape).safeParse({}) : r;
  return d.success && typeof d.data === 'object' && d.data !== null ? (d.data as Record<string, unknown>) : {};
}
