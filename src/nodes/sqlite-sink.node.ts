import { z } from 'zod';
import { defineNode } from '../shared/node-kit';
import { templateString } from '../shared/config-fields';
import { nodeScope, renderTemplateText } from '../shared/template';
import { NodeError } from '../shared/services';
import { parseColumnList } from './postgres-change.node.js';
import { pathProblem } from './write-file.node.js';
import { assertColumns, columnMapping, renderRow } from './postgres-sink.node.js';
import { keyField, keyHint, onTestRunField, onTestRunHint, precheckKey, sinkKey, skippedWrite, skipsTestRun, type SinkRecord } from './sink-common.js';

/**
 * Writes one row per run into a table of a SQLite database file in the output folder (created
 * if missing, the table too). Exactly once like the Postgres sink: the idempotency key is
 * recorded in millrace_effects in the same transaction, or the upsert key dedupes.
 */
export const sqliteSink = defineNode({
  type: 'sqlite-sink',
  version: 1,
  title: 'SQLite table',
  description: 'Insert, upsert or update one row per run in a table of a SQLite file (created if missing); lands exactly once.',
  category: 'sink',
  config: z.object({
    file: templateString({ required: true })
      .default('results.db')
      .superRefine((p, ctx) => {
        const problem = pathProblem(p);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
    table: z.string().trim().min(1, 'name a table').max(200).default('results'),
    mode: z.enum(['insert', 'upsert', 'update']).default('insert'),
    columns: columnMapping,
    keyColumns: z.string().max(1000).default(''),
    key: keyField(),
    onTestRun: onTestRunField(),
  }),
  inputs: { in: { type: 'any' } },
  outputs: { out: { type: 'object', label: 'written' } },
  ui: {
    file: { label: 'Database file', help: 'Relative to the output folder; created if missing.' },
    table: { label: 'Table', help: 'Created from the mapped columns if missing (key columns as primary key).' },
    mode: { widget: 'select', label: 'Write' },
    columns: { widget: 'key-value', label: 'Columns', help: 'column → value; {{ field }} alone keeps its type.' },
    keyColumns: { label: 'Key columns', placeholder: 'id', help: 'Upsert: the conflict key (unique). Update: the columns that find the row.' },
    key: keyHint,
    onTestRun: onTestRunHint,
  },
  summary: (cfg) => `${cfg.mode} → ${cfg.file}:${cfg.table}`,
  async execute(ctx, { in: input }, cfg) {
    const sqlite = ctx.services.sqlite;
    if (!sqlite) throw new NodeError('this host has no SQLite sink client', { permanent: true });
    const keyColumns = parseColumnList(cfg.keyColumns);
    if (cfg.mode !== 'insert' && keyColumns.length === 0) throw new NodeError(`${cfg.mode} needs key columns`, { field: 'keyColumns', permanent: true });
    const scope = nodeScope(ctx, input);
    const file = renderTemplateText(cfg.file, scope);
    const problem = file.trim() === '' ? 'the file path rendered empty' : pathProblem(file);
    if (problem) throw new NodeError(`file "${file}": ${problem}`, { field: 'file', permanent: true });
    const row = renderRow(cfg.columns, scope);
    precheckKey(ctx, input, cfg.key);
    const columns = await sqlite.listColumns(file, cfg.table);
    if (columns.length > 0) assertColumns(row, columns, cfg.table);
    if (skipsTestRun(ctx, cfg)) return skippedWrite(ctx, `sqlite:${file}/${cfg.table}`, { mode: cfg.mode, row, keyColumns });
    const out = await ctx.step.effect('write', async (info): Promise<SinkRecord & { sql: string; rowCount: number }> => {
      const idempotencyKey = sinkKey(ctx, input, cfg.key, info);
      const r = await sqlite.write(file, { schema: 'main', table: cfg.table, mode: cfg.mode, row, keyColumns, idempotencyKey, runId: ctx.runId, nodeId: ctx.nodeId });
      return {
        idempotencyKey,
        target: `sqlite:${file}/${cfg.table}`,
        answer: r.applied ? `${cfg.mode} ok, ${r.rowCount} row(s)` : 'key already recorded in millrace_effects; nothing written',
        applied: r.applied,
        mayHaveRunBefore: info.mayHaveRunBefore,
        sql: r.sql,
        rowCount: r.rowCount,
      };
    });
    return { out };
  },
  exportCode: (cfg, { varName, inputs }) => `const ${varName}: unknown = ((_input: unknown) => { throw new Error(${JSON.stringify(`the SQLite sink (${cfg.file}) is not exported to code yet`)}); })(${inputs['in']});`,
});
