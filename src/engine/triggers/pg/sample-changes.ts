/**
 * Recent rows of a change trigger's tables, shaped exactly like the changes the trigger would
 * receive (ChangeShaper.sampleRow: same columns, key, filter), for a test run from the Run dialog.
 * Reads only: the newest rows by primary key (the order Postgres can serve from the index), never
 * the WAL, and creates nothing on the server.
 */
import type pg from 'pg';
import type { ChangeEvent, PostgresChangeConfig } from '../../../nodes/postgres-change.node.js';
import { parseTableList } from '../../../nodes/postgres-change.node.js';
import { loadTableShape } from './catalog';
import { ChangeShaper } from './change-shaper';
import { qualified, quoteIdent } from './names';

import type { SampledChanges } from '../../../shared/triggers';

export type { SampledChanges };

export async function sampleChanges(client: pg.Client, cfg: PostgresChangeConfig, limit: number): Promise<SampledChanges> {
  const tables = parseTableList(cfg.tables);
  const shapes = [];
  for (const t of tables) shapes.push(await loadTableShape(client, t));
  const shaper = new ChangeShaper(cfg, new Map(shapes.filter((s) => s.keyColumns.length > 0).map((s) => [`${s.schema}.${s.table}`, s.keyColumns])));
  const changes: ChangeEvent[] = [];
  let rowsRead = 0;
  for (const shape of shapes) {
    const order = shape.keyColumns.length > 0 ? `ORDER BY ${shape.keyColumns.map((k) => `${quoteIdent(k)} DESC`).join(', ')}` : '';
    const rows = (await client.query(`SELECT * FROM ${qualified(shape)} ${order} LIMIT $1`, [limit])).rows as Record<string, unknown>[];
    rowsRead += rows.length;
    for (const row of rows) {
      const change = shaper.sampleRow(shape, row);
      if (change) changes.push(change);
    }
  }
  return { changes: changes.slice(0, limit), rowsRead };
}
