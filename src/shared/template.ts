/**
 * `{{ … }}` templates: the one way node config refers to data.
 *
 * Inside `{{ }}` is a reference, optionally marked optional or given a default:
 *   {{ customer.emails[0] }}            a field of the node's direct input
 *   {{ $json }}                         the whole direct input
 *   {{ $node["n_abc"].data.category }}  an output port of an upstream node (stored by id, shown by name)
 *   {{ $trigger.new.id }}               the trigger's output (the change, the manual payload)
 *   {{ customer.phone? }}               optional: nothing when missing
 *   {{ customer.phone ?? "none" }}      a default (a JSON literal) when missing or null
 *
 * Strict: a reference that finds nothing fails with the path and the keys that were there
 * (TemplateError); templates never fail silently. A template that is exactly one reference yields
 * the raw value; anything else interpolates, as text (`mode: 'text'`) or as JSON (`mode: 'json'`,
 * for bodies and config sent as JSON: values are JSON-encoded, or string-escaped inside a JSON
 * string literal). Lookups only follow own properties, so `__proto__` and friends resolve to nothing.
 */
import type { Upstream } from './node-kit';
import { NodeError } from './services';

const REF = /\{\{\s*([^{}]*?)\s*\}\}/g;
const WHOLE = /^\{\{\s*([^{}]*?)\s*\}\}$/;

export type TemplateMode = 'text' | 'json';
export type PathPart = string | number;

export class TemplateError extends Error {}

export interface TemplateRef {
  /** The text between the braces, trimmed. */
  raw: string;
  path: PathPart[];
  /** `path?`: a missing value renders as nothing instead of failing. */
  optional: boolean;
  /** `path ?? literal`: used when the value is missing or null. */
  fallback?: { value: unknown };
}

/** Parses a path: `a.b[0]`, `$node["id"].data`, `x['key with spaces']`. */
export function parsePath(path: string): PathPart[] {
  const parts: PathPart[] = [];
  let i = 0;
  const bad = (why = ''): never => {
    throw new TemplateError(`bad path "${path}"${why ? `: ${why}` : ''}`);
  };
  const readName = () => {
    const m = /^[^.[\]"'?]+/.exec(path.slice(i));
    const name = m?.[0].trim();
    if (!m || !name) bad();
    i += m![0].length;
    parts.push(name!);
  };
  if (path.startsWith('[')) bad();
  readName();
  while (i < path.length) {
    const c = path[i];
    if (c === '.') {
      i++;
      readName();
    } else if (c === '[') {
      const rest = path.slice(i);
      const index = /^\[(\d+)\]/.exec(rest);
      const quoted = /^\[\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')\s*\]/.exec(rest);
      if (index) {
        parts.push(Number(index[1]));
        i += index[0].length;
      } else if (quoted) {
        parts.push(unquote(quoted[1]!) ?? bad('bad quoted key'));
        i += quoted[0].length;
      } else bad();
    } else bad();
  }
  return parts;
}

function unquote(q: string): string | null {
  const body = q.slice(1, -1);
  try {
    const v: unknown = JSON.parse(q[0] === '"' ? q : `"${body.replace(/\\'/g, "'").replace(/"/g, '\\"')}"`);
    return typeof v === 'string' ? v : null;
  } catch {
    return null;
  }
}

/** Parses what is between `{{` and `}}`. */
export function parseRef(expr: string): TemplateRef {
  const raw = expr.trim();
  if (raw === '') throw new TemplateError('empty {{ }}');
  const split = topLevelIndex(raw, '??');
  let left = split < 0 ? raw : raw.slice(0, split).trim();
  let fallback: TemplateRef['fallback'];
  if (split >= 0) {
    const lit = raw.slice(split + 2).trim();
    fallback = { value: parseLiteral(lit) };
  }
  let optional = false;
  if (left.endsWith('?')) {
    optional = true;
    left = left.slice(0, -1).trim();
  }
  return { raw, path: parsePath(left), optional, ...(fallback ? { fallback } : {}) };
}

function parseLiteral(lit: string): unknown {
  if (lit.startsWith("'") && lit.endsWith("'") && lit.length >= 2) {
    const s = unquote(lit);
    if (s !== null) return s;
  }
  try {
    return JSON.parse(lit) as unknown;
  } catch {
    throw new TemplateError(`the default after ?? must be a literal ("text", 42, true, null), not ${lit}`);
  }
}

/** Index of `token` outside quotes, or -1. */
function topLevelIndex(s: string, token: string): number {
  let quote: string | null = null;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (s.startsWith(token, i)) return i;
  }
  return -1;
}

/** `$node["id"].data[0].x` — the inverse of parsePath. */
export function formatPath(parts: readonly PathPart[]): string {
  return parts
    .map((p, i) => {
      if (typeof p === 'number') return `[${p}]`;
      if (i === 0) return p;
      if (i === 1 && parts[0] === '$node') return `[${JSON.stringify(p)}]`;
      return /^[A-Za-z_$][\w$ -]*$/.test(p) && !/^\s|\s$/.test(p) ? `.${p}` : `[${JSON.stringify(p)}]`;
    })
    .join('');
}

type Lookup = { found: true; value: unknown } | { found: false; at: number; holder: unknown };

function lookup(scope: unknown, path: readonly PathPart[]): Lookup {
  let cur: unknown = scope;
  for (let i = 0; i < path.length; i++) {
    const part = path[i]!;
    if (cur === null || typeof cur !== 'object' || !Object.prototype.hasOwnProperty.call(cur, part)) return { found: false, at: i, holder: cur };
    cur = (cur as Record<string | number, unknown>)[part];
  }
  return { found: true, value: cur };
}

/** Lenient lookup: undefined when the path finds nothing. For previews and completion. */
export function getPath(scope: unknown, path: string | readonly PathPart[]): unknown {
  const r = lookup(scope, typeof path === 'string' ? parsePath(path) : path);
  return r.found ? r.value : undefined;
}

/** Names for node ids, kept beside a scope's `$node` object so errors say "Classify", not "n_x1". */
const nodeMeta = new WeakMap<object, Upstream['nodes']>();

function describeMiss(scope: unknown, ref: TemplateRef, miss: { at: number; holder: unknown }): string {
  const meta = scope !== null && typeof scope === 'object' ? nodeMeta.get((scope as Record<string, object>)['$node'] ?? {}) : undefined;
  const shown = formatPath(displayPath(ref.path, meta));
  const where = formatPath(displayPath(ref.path.slice(0, miss.at), meta));
  const part = ref.path[miss.at]!;
  if (ref.path[0] === '$node' && miss.at === 1) {
    const n = meta?.[String(part)];
    if (n?.status === 'skipped') return `{{ ${shown} }}: "${n.name}" was skipped in this run (its branch was not taken); write {{ ${shown}? }} or add a default with ??`;
    return `{{ ${shown} }}: node "${n?.name ?? part}" has no output here (it is not upstream of this node, or it was deleted)`;
  }
  if (miss.at === 0) {
    const keys = miss.holder !== null && typeof miss.holder === 'object' ? Object.keys(miss.holder).filter((k) => !k.startsWith('$')) : [];
    if (part === '$trigger') return `{{ ${shown} }}: this run has no trigger output`;
    return `{{ ${shown} }}: the input has no "${part}"${keys.length ? ` (it has: ${listKeys(keys)})` : ' (the input is empty or not an object)'}`;
  }
  const h = miss.holder;
  if (Array.isArray(h)) return `{{ ${shown} }}: ${where} has ${h.length} item${h.length === 1 ? '' : 's'}, so there is no ${typeof part === 'number' ? `[${part}]` : `"${part}"`}`;
  if (h !== null && typeof h === 'object') {
    const keys = Object.keys(h);
    return `{{ ${shown} }}: ${where} has no "${part}"${keys.length ? ` (it has: ${listKeys(keys)})` : ' (it is empty)'}`;
  }
  return `{{ ${shown} }}: ${where} is ${h === null ? 'null' : `a ${typeof h}`}, so it has no "${part}"`;
}

function listKeys(keys: string[]): string {
  return keys.length > 12 ? `${keys.slice(0, 12).join(', ')}, … ${keys.length - 12} more` : keys.join(', ');
}

function displayPath(path: readonly PathPart[], meta: Upstream['nodes'] | undefined): PathPart[] {
  if (path[0] !== '$node' || path.length < 2) return [...path];
  const name = meta?.[String(path[1])]?.name;
  return ['$node', name ?? path[1]!, ...path.slice(2)];
}

/** The value a reference stands for; throws TemplateError when a required value is missing. `undefined` = optional and missing. */
export function resolveRef(scope: unknown, ref: TemplateRef): unknown {
  const r = lookup(scope, ref.path);
  if (r.found && r.value !== undefined) {
    if (r.value === null && ref.fallback) return ref.fallback.value;
    return r.value;
  }
  if (ref.fallback) return ref.fallback.value;
  if (ref.optional) return undefined;
  throw new TemplateError(describeMiss(scope, ref, r.found ? { at: ref.path.length - 1, holder: undefined } : r));
}

function toText(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/**
 * Render a template against a scope. A template that is exactly one reference yields the raw value
 * (`undefined` for an optional reference that found nothing); anything else yields a string in the
 * given mode. Throws TemplateError for a missing required value or bad syntax.
 */
export function renderTemplate(template: string, scope: unknown, mode: TemplateMode = 'text'): unknown {
  const whole = WHOLE.exec(template);
  if (whole && mode === 'text') return resolveRef(scope, parseRef(whole[1]!));
  if (mode === 'json') return renderJson(template, scope);
  return template.replace(REF, (_, p: string) => toText(resolveRef(scope, parseRef(p))));
}

export function renderTemplateText(template: string, scope: unknown, mode: TemplateMode = 'text'): string {
  return toText(renderTemplate(template, scope, mode));
}

/**
 * JSON mode: outside a JSON string literal a reference becomes its JSON encoding (`"text"`, `{…}`,
 * `null` for an optional miss); inside one it becomes the escaped text, so
 * `{"note": "id {{ id }}"}` and `{"verdict": {{ $json }}}` both stay valid JSON.
 */
function renderJson(template: string, scope: unknown): string {
  let out = '';
  let inString = false;
  let last = 0;
  const scanText = (text: string) => {
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (inString && c === '\\') i++;
      else if (c === '"') inString = !inString;
    }
  };
  for (const m of template.matchAll(REF)) {
    const text = template.slice(last, m.index);
    scanText(text);
    out += text;
    const v = resolveRef(scope, parseRef(m[1]!));
    out += inString ? JSON.stringify(toText(v)).slice(1, -1) : (JSON.stringify(v === undefined ? null : v) ?? 'null');
    last = m.index + m[0].length;
  }
  return out + template.slice(last);
}

/** The expressions a template refers to (trimmed text between the braces): for validation and completion. */
export function templateRefs(template: string): string[] {
  return [...template.matchAll(REF)].map((m) => m[1]!);
}

/** Every parsable reference in a template, with where it sits; unparsable ones are skipped (templateError reports them). */
export function parsedRefs(template: string): { ref: TemplateRef; start: number; end: number }[] {
  const out: { ref: TemplateRef; start: number; end: number }[] = [];
  for (const m of template.matchAll(REF)) {
    try {
      out.push({ ref: parseRef(m[1]!), start: m.index, end: m.index + m[0].length });
    } catch {
      // reported by templateError
    }
  }
  return out;
}

/** First syntax error in a template, or null. Used by node config schemas for inline errors. */
export function templateError(template: string): string | null {
  // Only an opening "{{" that starts no reference is an error: a lone "}}" is text, because JSON
  // bodies end nested objects with it (`{"a": {"b": 1}}`).
  if (template.replace(REF, '').includes('{{')) return 'unclosed {{: write {{ path }}';
  for (const ref of templateRefs(template)) {
    if (ref === '') return 'empty {{ }}';
    try {
      parseRef(ref);
    } catch (e) {
      const why = e instanceof TemplateError && /default after \?\?/.test(e.message) ? `: ${e.message}` : '';
      return `bad reference "{{ ${ref} }}"${why}`;
    }
  }
  return null;
}

/** The scope of the direct input alone: its own fields, plus `$json` for the whole input. */
export function withJson(input: unknown): Record<string, unknown> {
  const base = typeof input === 'object' && input !== null && !Array.isArray(input) ? { ...(input as Record<string, unknown>) } : {};
  return { ...base, $json: input };
}

/**
 * The scope a node's templates see; every node builds it here so one place decides what a
 * template can reach: the input's own fields, `$json`, `$node[id]` (the outputs, by port, of the
 * upstream nodes that ran), and `$trigger` (the trigger's output; the run input when the host
 * gives no upstream data, as in unit tests).
 */
export function nodeScope(ctx: { runInput: unknown; upstream?: Upstream | undefined }, input: unknown): Record<string, unknown> {
  const scope = withJson(input);
  const $node: Record<string, unknown> = {};
  const nodes = ctx.upstream?.nodes ?? {};
  for (const [id, n] of Object.entries(nodes)) if (n.status === 'done') $node[id] = n.outputs;
  nodeMeta.set($node, nodes);
  scope['$node'] = $node;
  const trigger = ctx.upstream ? ctx.upstream.trigger : ctx.runInput;
  if (trigger !== undefined) scope['$trigger'] = trigger;
  else delete scope['$trigger'];
  return scope;
}

/** A design-time scope from sample data (last run): for previews. */
export function sampleScope(input: unknown, nodes: Upstream['nodes'], trigger: unknown): Record<string, unknown> {
  return nodeScope({ runInput: undefined, upstream: { nodes, trigger } }, input);
}

/**
 * Render one config field for a node: a missing value or bad reference becomes a NodeError naming
 * the field (shown on the field in the inspector), permanent because a retry would find the same data.
 */
export function renderField(template: string, scope: unknown, field: string, mode: TemplateMode = 'text'): unknown {
  try {
    return renderTemplate(template, scope, mode);
  } catch (e) {
    if (e instanceof TemplateError) throw new NodeError(`${field}: ${e.message}`, { field, permanent: true });
    throw e;
  }
}

export function renderFieldText(template: string, scope: unknown, field: string, mode: TemplateMode = 'text'): string {
  return toText(renderField(template, scope, field, mode));
}
