/**
 * Row filters of the Postgres change trigger: simple conditions on new/old values joined by "and",
 * e.g. `new.status = 'paid' and old.amount < 100`, `new.note is not null`. Parsed when the config is
 * validated (errors show in the inspector) and evaluated by the engine on each change. Pure.
 */
export type FilterOp = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'is null' | 'is not null';

export interface FilterCondition {
  side: 'new' | 'old';
  column: string;
  op: FilterOp;
  value: string | number | boolean | null;
}

export type ParsedFilter = { ok: true; conditions: FilterCondition[] } | { ok: false; error: string };

const CONDITION = /^(new|old)\.("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)\s*(?:(is\s+not\s+null|is\s+null)|(!=|<>|<=|>=|=|<|>)\s*(.+))$/i;

function parseLiteral(text: string): FilterCondition['value'] | undefined {
  const t = text.trim();
  if (/^'(?:[^']|'')*'$/.test(t)) return t.slice(1, -1).replace(/''/g, "'");
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  if (/^true$/i.test(t)) return true;
  if (/^false$/i.test(t)) return false;
  if (/^null$/i.test(t)) return null;
  return undefined;
}

/** Splits on "and" outside quoted strings. */
function splitAnd(text: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === "'") quoted = !quoted;
    if (!quoted && /\s/.test(ch) && /^\s+and\s+/i.test(text.slice(i))) {
      const m = /^\s+and\s+/i.exec(text.slice(i))!;
      parts.push(current);
      current = '';
      i += m[0].length - 1;
      continue;
    }
    current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim());
}

export function parseRowFilter(text: string): ParsedFilter {
  if (text.trim() === '') return { ok: true, conditions: [] };
  const conditions: FilterCondition[] = [];
  for (const part of splitAnd(text.trim())) {
    const m = CONDITION.exec(part);
    if (!m) return { ok: false, error: `cannot read "${part}": write e.g. new.status = 'paid' or old.amount > 10 or new.note is null` };
    const column = m[2]!.startsWith('"') ? m[2]!.slice(1, -1).replace(/""/g, '"') : m[2]!;
    const side = m[1]!.toLowerCase() === 'new' ? 'new' : 'old';
    if (m[3]) {
      conditions.push({ side, column, op: /not/i.test(m[3]) ? 'is not null' : 'is null', value: null });
      continue;
    }
    const value = parseLiteral(m[5]!);
    if (value === undefined) return { ok: false, error: `"${m[5]!.trim()}" is not a value: quote text ('paid'), or use a number, true, false or null` };
    const op = m[4] === '<>' ? '!=' : (m[4] as FilterOp);
    conditions.push({ side, column, op, value });
  }
  return { ok: true, conditions };
}

function compare(a: unknown, b: FilterCondition['value']): number | null {
  if (a === null || a === undefined || b === null) return null;
  // Postgres sends int8 and numeric as text: compare numerically when both sides are numbers.
  if (typeof b === 'number') {
    const n = typeof a === 'number' ? a : typeof a === 'string' && a.trim() !== '' ? Number(a) : NaN;
    return Number.isNaN(n) ? null : n - b;
  }
  if (typeof b === 'boolean') return a === b ? 0 : null;
  const s = typeof a === 'string' ? a : JSON.stringify(a);
  return s < b ? -1 : s > b ? 1 : 0;
}

/** True when every condition holds. A condition on a row the change does not have (old of an insert) is false. */
export function matchesFilter(conditions: readonly FilterCondition[], rows: { new: Record<string, unknown> | null; old: Record<string, unknown> | null }): boolean {
  for (const c of conditions) {
    const row = rows[c.side];
    if (!row) return false;
    const v = row[c.column];
    if (c.op === 'is null') {
      if (v !== null) return false;
      continue;
    }
    if (c.op === 'is not null') {
      if (v === null || v === undefined) return false;
      continue;
    }
    if (c.value === null) {
      if (!(c.op === '=' ? v === null : c.op === '!=' ? v !== null && v !== undefined : false)) return false;
      continue;
    }
    const d = compare(v, c.value);
    if (d === null) return false;
    const ok = { '=': d === 0, '!=': d !== 0, '<': d < 0, '<=': d <= 0, '>': d > 0, '>=': d >= 0 }[c.op];
    if (!ok) return false;
  }
  return true;
}
