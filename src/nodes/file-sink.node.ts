import { z } from 'zod';
import { defineNode } from '../shared/node-kit';
import { templateString } from '../shared/config-fields';
import { nodeScope, renderTemplateText } from '../shared/template';
import { NodeError } from '../shared/services';
import { pathProblem } from './write-file.node.js';
import { keyField, keyHint, onTestRunField, onTestRunHint, precheckKey, sinkKey, skippedWrite, skipsTestRun, type SinkRecord } from './sink-common.js';

/**
 * Appends one keyed record per run to a JSONL or CSV file in the output folder, as an effect:
 * the record carries its idempotency key (JSONL `_key`, CSV first column) and a key already in
 * the file is not appended again, so a replay after a crash never writes a second line.
 */
export const writeFileV2 = defineNode({
  type: 'write-file',
  version: 2,
  title: 'Write file',
  description: 'Append one record per run (JSONL or CSV) to a file in the output folder; fsynced, keyed, never a torn line.',
  category: 'sink',
  config: z.object({
    path: templateString({ required: true })
      .default('results.jsonl')
      .superRefine((p, ctx) => {
        const problem = pathProblem(p);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
    format: z.enum(['jsonl', 'csv']).default('jsonl'),
    line: templateString().default(''),
    /** CSV: column name → value template. */
    columns: z.array(z.object({ name: z.string().trim().min(1, 'name required').max(200), value: templateString() })).max(200).default([]),
    key: keyField(),
    onTestRun: onTestRunField(),
  }),
  inputs: { in: { type: 'any' } },
  outputs: { out: { type: 'object', label: 'written' } },
  ui: {
    path: { widget: 'template', label: 'File', help: 'Relative to the output folder (shown in Settings).' },
    format: { widget: 'select', label: 'Format' },
    line: { widget: 'template', label: 'Record (JSONL)', placeholder: 'empty = the whole input as JSON', rows: 3 },
    columns: { widget: 'key-value', label: 'Columns (CSV)' },
    key: keyHint,
    onTestRun: onTestRunHint,
  },
  summary: (cfg) => `→ ${cfg.path}`,
  async execute(ctx, { in: input }, cfg) {
    const scope = nodeScope(ctx, input);
    const path = renderTemplateText(cfg.path, scope);
    // The configured template was checked by the schema; the input it was rendered with was not.
    const problem = path.trim() === '' ? 'the file path rendered empty' : pathProblem(path);
    if (problem) throw new NodeError(`file "${path}": ${problem}`, { field: 'path', permanent: true });
    if (cfg.format === 'csv' && cfg.columns.length === 0) throw new NodeError('CSV needs at least one column', { field: 'columns', permanent: true });
    precheckKey(ctx, input, cfg.key);
    let record: unknown = input ?? null;
    if (cfg.format === 'jsonl' && cfg.line.trim() !== '') {
      const text = renderTemplateText(cfg.line, scope);
      if (text.includes('\n')) throw new NodeError('the line contains a newline; JSONL needs one record per line', { field: 'line', permanent: true });
      record = parseOr(text);
    }
    const cells = cfg.format === 'csv' ? cfg.columns.map((c) => renderTemplateText(c.value, scope)) : [];
    if (skipsTestRun(ctx, cfg)) return skippedWrite(ctx, `file:${path}`, cfg.format === 'csv' ? { format: 'csv', columns: cfg.columns.map((c) => c.name), cells } : { format: 'jsonl', record });
    const result = await ctx.step.effect('append', async (info): Promise<SinkRecord & { path: string; bytes: number }> => {
      const key = sinkKey(ctx, input, cfg.key, info);
      const line =
        cfg.format === 'jsonl'
          ? JSON.stringify(record !== null && typeof record === 'object' && !Array.isArray(record) ? { _key: key, ...(record as object) } : { _key: key, value: record })
          : [key, ...cells].map(csvCell).join(',');
      const header = cfg.format === 'csv' ? ['_key', ...cfg.columns.map((c) => c.name)].map(csvCell).join(',') : undefined;
      const r = await ctx.services.files.appendKeyed(path, { key, line, format: cfg.format, ...(header ? { header } : {}) });
      return {
        idempotencyKey: key,
        target: `file:${path}`,
        answer: r.appended ? `appended ${r.bytes} bytes, fsynced` : 'key already in the file; nothing appended',
        applied: r.appended,
        mayHaveRunBefore: info.mayHaveRunBefore,
        path: r.path,
        bytes: r.bytes,
      };
    });
    return { out: result };
  },
  exportCode: (cfg, { varName, inputs }) =>
    `const ${varName} = await appendLine(renderTemplateText(${JSON.stringify(cfg.path)}, withJson(${inputs['in']})), ${cfg.line.trim() === '' ? `JSON.stringify(${inputs['in']} ?? null)` : `renderTemplateText(${JSON.stringify(cfg.line)}, withJson(${inputs['in']}))`});`,
});

function parseOr(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** RFC 4180 cell: always quoted, quotes doubled; newlines become spaces (one record per line). */
function csvCell(v: string): string {
  return `"${v.replace(/[\r\n]+/g, ' ').replace(/"/g, '""')}"`;
}
