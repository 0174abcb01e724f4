import { z } from 'zod';
import { defineNode } from '../shared/node-kit';
import { templateString } from '../shared/config-fields';
import { nodeScope, renderTemplate } from '../shared/template';
import { NodeError, type ColumnInfo, type TableWriteResult } from '../shared/services';
import { checkRow } from '../shared/table-columns';
import { parseColumnList, parseTableList } from './postgres-change.node.js';
import { describeConnection, pgConnectionFields, pgConnectionHints, pickConnection } from './pg-connection.js';
import { keyField, keyHint, onTestRunField, onTestRunHint, precheckKey, sinkKey, skippedWrite, skipsTestRun, type SinkRecord } from './sink-common.js';

export const columnMapping = z
  .array(z.object({ name: z.string().trim().min(1, 'column name required').max(63), value: templateString() }))
  .max(500)
  .default([]);

/** Renders the column mapping against the input; a lone `{{ x }}` keeps x's type (number, object…). */
export function renderRow(mapping: { name: string; value: string }[], scope: unknown): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const m of mapping) {
    if (m.name in row) throw new NodeError(`column "${m.name}" is mapped twice`, { field: 'columns', permanent: true });
    const v = renderTemplate(m.value, scope);
    row[m.name] = v === undefined ? null : v;
  }
  return row;
}

/** Throws before anything runs when a mapped column is missing or its value does not fit the type. */
export function assertColumns(row: Record<string, unknown>, columns: ColumnInfo[], table: string): void {
  const problems = checkRow(row, columns, table);
  if (problems.length > 0) throw new NodeError(problems.map((p) => p.message).join('; '), { field: 'columns', permanent: true });
}

/**
 * Writes one row per run into a Postgres table: insert, upsert on a conflict key, or update.
 * Exactly once: an idempotency row in the same transaction (insert/update) or the upsert key.
 */
export const postgresSink = defineNode({
  type: 'postgres-sink',
  version: 1,
  title: 'Postgres sink',
  description: 'Insert, upsert or update one row per run in a Postgres table; lands exactly once (idempotency row in the same transaction, or the upsert key).',
  category: 'sink',
  config: z.object({
    ...pgConnectionFields,
    table: z
      .string()
      .trim()
      .min(1, 'pick a table')
      .max(200)
      .default('public.results')
      .refine((v) => parseTableList(v).length === 1, 'one table, e.g. public.results'),
    mode: z.enum(['insert', 'upsert', 'update']).default('insert'),
    columns: columnMapping,
    /** Upsert: the conflict key (a unique index); update: the columns that find the row. */
    keyColumns: z.string().max(1000).default(''),
    key: keyField(),
    onTestRun: onTestRunField(),
  }),
  inputs: { in: { type: 'any' } },
  outputs: { out: { type: 'object', label: 'written' } },
  ui: {
    ...pgConnectionHints,
    table: { label: 'Table', placeholder: 'public.results', help: 'Listed from the database in the inspector.' },
    mode: { widget: 'select', label: 'Write', help: 'insert and update record the idempotency key in millrace_effects in the same transaction; upsert relies on its conflict key.' },
    columns: { widget: 'key-value', label: 'Columns', help: 'column → value; {{ field }} alone keeps its type.' },
    keyColumns: { label: 'Key columns', placeholder: 'id', help: 'Upsert: the conflict key (unique). Update: the columns that find the row.' },
    key: keyHint,
    onTestRun: onTestRunHint,
  },
  summary: (cfg) => `${cfg.mode} → ${cfg.table}`,
  async execute(ctx, { in: input }, cfg) {
    const pg = ctx.services.postgres;
    if (!pg) throw new NodeError('this host has no Postgres client', { permanent: true });
    const { schema, table } = parseTableList(cfg.table)[0]!;
    const keyColumns = parseColumnList(cfg.keyColumns);
    if (cfg.mode !== 'insert' && keyColumns.length === 0) throw new NodeError(`${cfg.mode} needs key columns`, { field: 'keyColumns', permanent: true });
    const row = renderRow(cfg.columns, nodeScope(ctx, input));
    precheckKey(ctx, input, cfg.key);
    const connection = pickConnection(cfg);
    // Types and names are checked against the live table before the effect starts: a mistake fails here, with the column.
    assertColumns(row, await pg.listColumns(connection, schema, table), `${schema}.${table}`);
    if (skipsTestRun(ctx, cfg)) return skippedWrite(ctx, `${describeConnection(connection)}/${schema}.${table}`, { mode: cfg.mode, row, keyColumns });
    const out = await ctx.step.effect('write', async (info): Promise<SinkRecord & { sql: string; rowCount: number }> => {
      const idempotencyKey = sinkKey(ctx, input, cfg.key, info);
      const r: TableWriteResult = await pg.write(
        connection,
        { schema, table, mode: cfg.mode, row, keyColumns, idempotencyKey, runId: ctx.runId, nodeId: ctx.nodeId },
        ctx.signal,
      );
      return {
        idempotencyKey,
        target: `${describeConnection(connection)}/${schema}.${table}`,
        answer: r.applied ? `${cfg.mode} ok, ${r.rowCount} row(s)` : 'key already recorded in millrace_effects; nothing written',
        applied: r.applied,
        mayHaveRunBefore: info.mayHaveRunBefore,
        sql: r.sql,
        rowCount: r.rowCount,
      };
    });
    if (cfg.mode === 'update' && out.applied && out.rowCount === 0) ctx.log(`update found no row in ${schema}.${table} for ${keyColumns.join(', ')}`);
    return { out };
  },
  // The TypeScript export of sinks belongs to the export work (issue 15); until then an exported flow says so when it reaches this node.
  exportCode: (cfg, { varName, inputs }) => `const ${varName}: unknown = ((_input: unknown) => { throw new Error(${JSON.stringify(`the Postgres sink (${cfg.table}) is not exported to code yet`)}); })(${inputs['in']});`,
});
