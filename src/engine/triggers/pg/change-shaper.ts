/**
 * Turns pgoutput messages into ChangeEvents: relation messages give column names, types and key
 * columns (kept per relation id, replaced when DDL sends a new one, so events always use the
 * current shape); row messages are filtered (operation, row filter), trimmed to the chosen
 * columns and normalised to JSON. Also computes each change's dedupe key (commit LSN + position
 * in the transaction) and ordering key (table + primary key).
 */
import type { Pgoutput } from 'pg-logical-replication';
import type { ChangeEvent, PostgresChangeConfig } from '../../../nodes/postgres-change.node.js';
import { parseColumnList, parseTableList } from '../../../nodes/postgres-change.node.js';
import { matchesFilter, parseRowFilter, type FilterCondition } from '../../../nodes/postgres-change-filter';
import { lsnKey, parseLsn } from './lsn';

/** Names of built-in types (pgoutput sends type messages only for user-defined types). */
const BUILTIN_TYPES: Record<number, string> = {
  16: 'bool', 17: 'bytea', 18: 'char', 19: 'name', 20: 'int8', 21: 'int2', 23: 'int4', 25: 'text', 26: 'oid',
  114: 'json', 142: 'xml', 700: 'float4', 701: 'float8', 790: 'money', 1000: 'bool[]', 1005: 'int2[]', 1007: 'int4[]',
  1009: 'text[]', 1016: 'int8[]', 1042: 'bpchar', 1043: 'varchar', 1082: 'date', 1083: 'time', 1114: 'timestamp',
  1184: 'timestamptz', 1186: 'interval', 1266: 'timetz', 1700: 'numeric', 2950: 'uuid', 3802: 'jsonb', 3807: 'jsonb[]',
};

export function typeName(oid: number, name?: string | null): string {
  return name ?? BUILTIN_TYPES[oid] ?? `oid:${oid}`;
}

export interface RelationShape {
  schema: string;
  table: string;
  columns: { name: string; type: string; key: boolean }[];
  keyColumns: string[];
  replicaIdentity: string;
}

export interface ShapedChange {
  event: ChangeEvent;
  dedupeKey: string;
  orderingKey: string | null;
}

export function rowKeyString(schema: string, table: string, key: Record<string, unknown>): string {
  return `${schema}.${table}:${JSON.stringify(key)}`;
}

/** JSON-safe values: dates as ISO text, bytes as \x hex (Postgres' own text form). */
export function toJsonValue(v: unknown): unknown {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? String(v) : v.toISOString();
  if (v instanceof Uint8Array) return `\\x${Buffer.from(v).toString('hex')}`;
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return v.map(toJsonValue);
  return v;
}

export class ChangeShaper {
  private readonly relations = new Map<number, RelationShape>();
  private readonly tables: Set<string>;
  private readonly columns: Set<string> | null;
  private readonly filter: FilterCondition[];

  constructor(
    private readonly cfg: PostgresChangeConfig,
    /** Primary-key columns per "schema.table", in column order (see `relation`). */
    private readonly primaryKeys: ReadonlyMap<string, string[]> = new Map(),
    /** The slot's epoch (trigger-store.ts): 0 keeps the dedupe keys as they always were. */
    private readonly slotEpoch = 0,
  ) {
    this.tables = new Set(parseTableList(cfg.tables).map((t) => `${t.schema}.${t.table}`));
    const cols = parseColumnList(cfg.columns);
    this.columns = cols.length > 0 ? new Set(cols) : null;
    const f = parseRowFilter(cfg.filter);
    this.filter = f.ok ? f.conditions : [];
  }

  /** A relation message: the table's current shape (sent again after every DDL that changes it). */
  relation(m: Pgoutput.MessageRelation): RelationShape {
    // With REPLICA IDENTITY FULL every column is flagged as "key"; the primary key (read from the
    // catalog at activation) is what identifies the row for ordering and backfill.
    const pk = m.replicaIdentity === 'full' ? this.primaryKeys.get(`${m.schema}.${m.name}`) : undefined;
    const keyColumns = pk && pk.every((k) => m.columns.some((c) => c.name === k)) ? pk : m.keyColumns;
    const shape: RelationShape = {
      schema: m.schema,
      table: m.name,
      keyColumns,
      replicaIdentity: m.replicaIdentity,
      columns: m.columns.map((c) => ({ name: c.name, type: typeName(c.typeOid, c.typeName), key: keyColumns.includes(c.name) })),
    };
    this.relations.set(m.relationOid, shape);
    return shape;
  }

  shapeOf(relation: Pgoutput.MessageRelation): RelationShape {
    return this.relations.get(relation.relationOid) ?? this.relation(relation);
  }

  /**
   * A row change inside transaction `commitLsn` at `position`. Returns null when the trigger does
   * not want it (table, operation or filter); positions still count every change so dedupe keys
   * stay stable whatever the filter.
   */
  change(
    m: Pgoutput.MessageInsert | Pgoutput.MessageUpdate | Pgoutput.MessageDelete,
    txn: { commitLsn: string; commitTime: string; xid: number },
    position: number,
  ): ShapedChange | null {
    const shape = this.shapeOf(m.relation);
    if (!this.tables.has(`${shape.schema}.${shape.table}`)) return null;
    if (!this.cfg[m.tag]) return null;
    const unchangedToast: string[] = [];
    const newRow = m.tag === 'delete' ? null : this.row(m.new, shape, unchangedToast);
    const oldRow = m.tag === 'insert' ? null : m.old ? this.row(m.old, shape, []) : null;
    if (!matchesFilter(this.filter, { new: newRow, old: oldRow })) return null;
    const keySource = m.tag === 'insert' ? m.new : m.tag === 'update' ? m.new : (m.key ?? m.old);
    const key = keySource ? this.key(keySource, shape) : null;
    const event: ChangeEvent = {
      source: 'live',
      schema: shape.schema,
      table: shape.table,
      operation: m.tag,
      new: newRow && this.select(newRow, shape),
      old: oldRow && this.select(oldRow, shape),
      key,
      columns: this.selectedColumns(shape),
      unchangedToast: unchangedToast.filter((c) => this.keep(c, shape)),
      lsn: txn.commitLsn,
      position,
      commitTime: txn.commitTime,
      xid: txn.xid,
    };
    return { event, dedupeKey: `${this.slotEpoch > 0 ? `e${this.slotEpoch}:` : ''}${lsnKey(parseLsn(txn.commitLsn))}:${position}`, orderingKey: this.orderingKey(shape, key) };
  }

  /** A row read by the backfill, shaped like a live insert. */
  backfillRow(shape: RelationShape, row: Record<string, unknown>, backfillId: string): ShapedChange | null {
    const full = this.row(row, shape, []);
    if (!matchesFilter(this.filter, { new: full, old: null })) return null;
    const key = this.key(row, shape);
    const event: ChangeEvent = {
      source: 'backfill',
      schema: shape.schema,
      table: shape.table,
      operation: 'read',
      new: this.select(full, shape),
      old: null,
      key,
      columns: this.selectedColumns(shape),
      unchangedToast: [],
      lsn: null,
      position: 0,
      commitTime: null,
      xid: null,
    };
    return { event, dedupeKey: `backfill:${backfillId}:${rowKeyString(shape.schema, shape.table, key)}`, orderingKey: this.orderingKey(shape, key) };
  }

  /**
   * A row read from the table for a test run, shaped as the change this trigger would receive for
   * it: an insert when the trigger takes inserts (else an update, else a delete), the same columns,
   * key and filter as a live change. `source: 'sample'`: never mistaken for a live event.
   */
  sampleRow(shape: RelationShape, row: Record<string, unknown>): ChangeEvent | null {
    const full = this.row(row, shape, []);
    const operation = this.cfg.insert ? 'insert' : this.cfg.update ? 'update' : 'delete';
    const newRow = operation === 'delete' ? null : full;
    // Without REPLICA IDENTITY FULL Postgres sends no old row for updates and deletes; a sample does the same.
    const fullIdentity = shape.replicaIdentity === 'f' || shape.replicaIdentity === 'full';
    const oldRow = operation !== 'insert' && fullIdentity ? full : null;
    if (!matchesFilter(this.filter, { new: newRow, old: oldRow })) return null;
    return {
      source: 'sample',
      schema: shape.schema,
      table: shape.table,
      operation,
      new: newRow && this.select(newRow, shape),
      old: oldRow && this.select(oldRow, shape),
      key: this.key(row, shape),
      columns: this.selectedColumns(shape),
      unchangedToast: [],
      lsn: null,
      position: 0,
      commitTime: null,
      xid: null,
    };
  }

  rowKey(shape: RelationShape, row: Record<string, unknown>): string {
    return rowKeyString(shape.schema, shape.table, this.key(row, shape));
  }

  private orderingKey(shape: RelationShape, key: Record<string, unknown> | null): string | null {
    if (this.cfg.ordering === 'none' || key === null || Object.keys(key).length === 0) return null;
    return rowKeyString(shape.schema, shape.table, key);
  }

  private row(tuple: Record<string, unknown>, shape: RelationShape, unchangedToast: string[]): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const c of shape.columns) {
      const v = tuple[c.name];
      // pgoutput's 'u' kind: a TOASTed value that did not change and was not sent. Never a silent null.
      if (v === undefined) unchangedToast.push(c.name);
      else out[c.name] = toJsonValue(v);
    }
    return out;
  }

  private key(tuple: Record<string, unknown>, shape: RelationShape): Record<string, unknown> {
    const key: Record<string, unknown> = {};
    for (const k of shape.keyColumns) key[k] = toJsonValue(tuple[k]);
    return key;
  }

  private keep(column: string, shape: RelationShape): boolean {
    return this.columns === null || this.columns.has(column) || shape.keyColumns.includes(column);
  }

  private select(row: Record<string, unknown>, shape: RelationShape): Record<string, unknown> {
    if (this.columns === null) return row;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(row)) if (this.keep(k, shape)) out[k] = v;
    return out;
  }

  private selectedColumns(shape: RelationShape) {
    return this.columns === null ? shape.columns : shape.columns.filter((c) => this.keep(c.name, shape));
  }
}
