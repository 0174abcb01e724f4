/**
 * Prints JSON values as TypeScript literals a person would write: bare keys where they are
 * identifiers, multi-line strings as template literals, small objects on one line. Deterministic,
 * so export → import → export gives the same bytes; the importer reads exactly these forms back.
 */

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
/** Characters a template literal would show raw and make hard to read or to round-trip. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const AWKWARD = /[\u0000-\u0008\u000b-\u001f\u007f\u2028\u2029]/;
const INLINE_MAX = 72;

export function propertyKey(key: string): string {
  return IDENT.test(key) ? key : JSON.stringify(key);
}

export function stringLiteral(s: string): string {
  if (s.includes('\n') && !AWKWARD.test(s)) return '`' + s.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${') + '`';
  return JSON.stringify(s);
}

function inline(v: unknown): string | null {
  if (v === null || typeof v === 'boolean' || typeof v === 'number') return JSON.stringify(v);
  if (typeof v === 'string') return v.includes('\n') ? null : stringLiteral(v);
  if (Array.isArray(v)) {
    const parts = v.map(inline);
    return parts.every((p): p is string => p !== null) ? `[${parts.join(', ')}]` : null;
  }
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>);
    if (entries.length === 0) return '{}';
    const parts = entries.map(([k, x]) => {
      const val = inline(x);
      return val === null ? null : `${propertyKey(k)}: ${val}`;
    });
    return parts.every((p): p is string => p !== null) ? `{ ${parts.join(', ')} }` : null;
  }
  throw new Error(`cannot print ${typeof v} as a literal`);
}

/** The literal for `v`, continuing at `indent` (the indentation of the line it starts on). */
export function printLiteral(v: unknown, indent = ''): string {
  const one = inline(v);
  if (one !== null && indent.length + one.length <= INLINE_MAX) return one;
  if (typeof v === 'string') return stringLiteral(v);
  const inner = `${indent}  `;
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return `[\n${v.map((x) => `${inner}${printLiteral(x, inner)},\n`).join('')}${indent}]`;
  }
  if (typeof v === 'object' && v !== null) {
    const entries = Object.entries(v as Record<string, unknown>);
    return `{\n${entries.map(([k, x]) => `${inner}${propertyKey(k)}: ${printLiteral(x, inner)},\n`).join('')}${indent}}`;
  }
  return one ?? JSON.stringify(v);
}
