import { z } from 'zod';
import { defineNode } from '../shared/node-kit';
import { templateString } from '../shared/config-fields';
import { renderTemplateText, withJson } from '../shared/template';
import { NodeError } from '../shared/services';

/** Appends one JSON line per run to a file in the output directory. */
export const writeFile = defineNode({
  type: 'write-file',
  version: 1,
  title: 'Write file',
  description: 'Append the input as one JSON line (JSONL) to a file in the output folder.',
  category: 'sink',
  config: z.object({
    path: templateString({ required: true })
      .default('results.jsonl')
      .superRefine((p, ctx) => {
        const problem = pathProblem(p);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
    line: templateString().default(''),
  }),
  inputs: { in: { type: 'any' } },
  outputs: { out: { type: 'object', label: 'written' } },
  ui: {
    path: { widget: 'template', label: 'File', help: 'Relative to the output folder (shown in Settings).' },
    line: { widget: 'template', label: 'Line', placeholder: 'empty = the whole input as JSON', rows: 3 },
  },
  summary: (cfg) => `→ ${cfg.path}`,
  async execute(ctx, { in: input }, cfg) {
    const path = renderTemplateText(cfg.path, withJson(input));
    // The configured template was checked by the schema; the input it was rendered with was not.
    const problem = path.trim() === '' ? 'the file path rendered empty' : pathProblem(path);
    if (problem) throw new NodeError(`file "${path}": ${problem}`, { field: 'path' });
    const line = cfg.line.trim() === '' ? JSON.stringify(input ?? null) : renderTemplateText(cfg.line, withJson(input));
    if (line.includes('\n')) throw new NodeError('the line contains a newline; JSONL needs one record per line', { field: 'line' });
    const written = await ctx.step.run('append', () => ctx.services.files.appendLines(path, [line]));
    return { out: { path: written, bytes: new TextEncoder().encode(line).length + 1 } };
  },
});

/** Why a path would leave the output folder, or null. Covers POSIX, Windows drive and UNC forms. */
function pathProblem(path: string): string | null {
  if (/^[\\/]/.test(path) || /^[A-Za-z]:/.test(path)) return 'use a path relative to the output folder';
  if (path.split(/[\\/]/).includes('..')) return '".." is not allowed';
  return null;
}
