/** What the trigger reads from the source catalog: columns and primary keys of its tables. */
import type pg from 'pg';
import { z } from 'zod';
import type { RelationShape } from './change-shaper';
import { typeName } from './change-shaper';
import { qualified, type TableRef } from './names';

const ColumnRow = z.object({ name: z.string(), type_oid: z.coerce.number(), is_key: z.boolean(), replident: z.string() });

/** The table's current shape, with key columns (primary key, else replica identity index) in column order. */
export async function loadTableShape(client: pg.Client, t: TableRef): Promise<RelationShape> {
  const rows = (
    await client.query(
      `SELECT a.attname AS name, a.atttypid AS type_oid, c.relreplident::text AS replident,
         EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND a.attnum = ANY(i.indkey)
                 AND (i.indisprimary OR (i.indisreplident AND NOT EXISTS (SELECT 1 FROM pg_index p WHERE p.indrelid = c.oid AND p.indisprimary)))) AS is_key
       FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
       WHERE c.oid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
      [qualified(t)],
    )
  ).rows.map((r: unknown) => ColumnRow.parse(r));
  if (rows.length === 0) throw new Error(`the table ${t.schema}.${t.table} does not exist`);
  const keyColumns = rows.filter((r) => r.is_key).map((r) => r.name);
  return {
    schema: t.schema,
    table: t.table,
    keyColumns,
    replicaIdentity: rows[0]!.replident,
    columns: rows.map((r) => ({ name: r.name, type: typeName(r.type_oid), key: r.is_key })),
  };
}

export async function loadPrimaryKeys(client: pg.Client, tables: TableRef[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const t of tables) {
    const shape = await loadTableShape(client, t).catch(() => null);
    if (shape && shape.keyColumns.length > 0) out.set(`${t.schema}.${t.table}`, shape.keyColumns);
  }
  return out;
}
