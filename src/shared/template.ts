/**
 * `{{ path }}` templates: the one way node config refers to upstream data.
 * A template that is exactly one reference (`"{{ order.total }}"`) yields the raw value (number,
 * object…); anything else interpolates to a string. Paths are dotted with optional [index]:
 * `customer.emails[0]`. Lookups only follow own properties, so `__proto__` and friends resolve to
 * nothing.
 */

const REF = /\{\{\s*([^{}]*?)\s*\}\}/g;
const WHOLE = /^\{\{\s*([^{}]*?)\s*\}\}$/;

export class TemplateError extends Error {}

export function parsePath(path: string): (string | number)[] {
  const parts: (string | number)[] = [];
  const re = /([^.[\]]+)|\[(\d+)\]/g;
  let consumed = 0;
  for (const m of path.matchAll(re)) {
    const between = path.slice(consumed, m.index);
    // A name follows a dot (or starts the path); an [index] follows directly: `a.b[0].c`.
    const expected = m[2] !== undefined || parts.length === 0 ? '' : '.';
    if (between !== expected) throw new TemplateError(`bad path "${path}"`);
    parts.push(m[2] !== undefined ? Number(m[2]) : m[1]!.trim());
    consumed = m.index + m[0].length;
  }
  if (parts.length === 0 || consumed !== path.length) throw new TemplateError(`bad path "${path}"`);
  return parts;
}

export function getPath(scope: unknown, path: string): unknown {
  let cur: unknown = scope;
  for (const part of parsePath(path)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    if (!Object.prototype.hasOwnProperty.call(cur, part)) return undefined;
    cur = (cur as Record<string | number, unknown>)[part];
  }
  return cur;
}

function toText(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** Render a template against a scope. Unknown paths render as empty text (or `undefined` for a whole-value reference). */
export function renderTemplate(template: string, scope: unknown): unknown {
  const whole = WHOLE.exec(template);
  if (whole) return getPath(scope, whole[1]!);
  return template.replace(REF, (_, p: string) => toText(getPath(scope, p)));
}

export function renderTemplateText(template: string, scope: unknown): string {
  return toText(renderTemplate(template, scope));
}

/** The paths a template refers to: for validation and field completion. */
export function templateRefs(template: string): string[] {
  return [...template.matchAll(REF)].map((m) => m[1]!);
}

/** First syntax error in a template, or null. Used by node config schemas for inline errors. */
export function templateError(template: string): string | null {
  // Only an opening "{{" that starts no reference is an error: a lone "}}" is text, because JSON
  // bodies end nested objects with it (`{"a": {"b": 1}}`).
  if (template.replace(REF, '').includes('{{')) return 'unclosed {{: write {{ path }}';
  for (const ref of templateRefs(template)) {
    if (ref === '') return 'empty {{ }}';
    try {
      parsePath(ref);
    } catch {
      return `bad reference "{{ ${ref} }}"`;
    }
  }
  return null;
}

/** The scope templates see: the input's own fields, plus `$json` for the whole input. */
export function withJson(input: unknown): Record<string, unknown> {
  const base = typeof input === 'object' && input !== null && !Array.isArray(input) ? { ...(input as Record<string, unknown>) } : {};
  return { ...base, $json: input };
}

/**
 * The scope a node's templates see; every node builds it here so one place decides what a
 * template can reach. Today: the input's own fields plus `$json`. The data-flow work extends it
 * with upstream references (`$node[...]`, `$trigger`) taken from the context.
 */
export function nodeScope(_ctx: { runInput: unknown }, input: unknown): Record<string, unknown> {
  return withJson(input);
}
