/**
 * Checks a row a table sink is about to write against the columns the database listed: a missing
 * column or a value of the wrong kind is reported before anything runs, naming the column.
 * Pure (shared by the sink nodes and the inspector).
 */
import type { ColumnInfo } from './services';

export interface ColumnProblem {
  column: string;
  message: string;
}

const PG_INT = new Set(['int2', 'int4', 'int8', 'integer', 'bigint', 'smallint', 'serial', 'bigserial', 'oid']);
const PG_NUM = new Set(['numeric', 'decimal', 'float4', 'float8', 'real', 'double precision', 'money']);
const PG_BOOL = new Set(['bool', 'boolean']);
const PG_JSON = new Set(['json', 'jsonb']);
const PG_TEXTISH = new Set(['text', 'varchar', 'bpchar', 'char', 'name', 'citext', 'uuid', 'date', 'time', 'timetz', 'timestamp', 'timestamptz', 'interval', 'inet', 'cidr', 'macaddr', 'bytea', 'xml']);

/** What kind of JS value a column takes, from its type name (Postgres udt_name or SQLite declared type). */
export function columnKind(type: string): 'int' | 'number' | 'bool' | 'json' | 'text' | 'any' {
  const t = type.toLowerCase().trim();
  if (PG_INT.has(t) || /^int/.test(t)) return 'int';
  if (PG_NUM.has(t) || /^(real|float|double|numeric|decimal)/.test(t)) return 'number';
  if (PG_BOOL.has(t)) return 'bool';
  if (PG_JSON.has(t)) return 'json';
  if (PG_TEXTISH.has(t) || /char|text|clob|date|time/.test(t)) return 'text';
  return 'any';
}

function kindProblem(kind: ReturnType<typeof columnKind>, v: unknown): string | null {
  if (v === null || v === undefined) return null;
  const t = typeof v;
  switch (kind) {
    case 'int':
      if (t === 'number' && Number.isInteger(v)) return null;
      if (t === 'string' && /^-?\d+$/.test((v as string).trim())) return null;
      return `needs an integer, got ${describe(v)}`;
    case 'number':
      if (t === 'number') return null;
      if (t === 'string' && (v as string).trim() !== '' && Number.isFinite(Number(v))) return null;
      return `needs a number, got ${describe(v)}`;
    case 'bool':
      return t === 'boolean' || v === 'true' || v === 'false' ? null : `needs true or false, got ${describe(v)}`;
    case 'text':
      return t === 'string' || t === 'number' || t === 'boolean' ? null : `needs text, got ${describe(v)}`;
    default:
      return null;
  }
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  const s = JSON.stringify(v) ?? String(v);
  return `${typeof v} ${s.length > 40 ? `${s.slice(0, 40)}…` : s}`;
}

export function checkRow(row: Record<string, unknown>, columns: ColumnInfo[], table: string): ColumnProblem[] {
  const byName = new Map(columns.map((c) => [c.name, c]));
  const problems: ColumnProblem[] = [];
  if (columns.length === 0) return [{ column: '', message: `table ${table} does not exist (or has no columns you can see)` }];
  for (const [name, value] of Object.entries(row)) {
    const col = byName.get(name);
    if (!col) {
      problems.push({ column: name, message: `column "${name}" does not exist in ${table} (it has ${columns.map((c) => c.name).join(', ')})` });
      continue;
    }
    if ((value === null || value === undefined) && !col.nullable) {
      problems.push({ column: name, message: `column "${name}" is NOT NULL but the value is empty` });
      continue;
    }
    const p = kindProblem(columnKind(col.type), value);
    if (p) problems.push({ column: name, message: `column "${name}" (${col.type}) ${p}` });
  }
  return problems;
}
