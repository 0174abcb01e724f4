import { z } from 'zod';
import { defineNode } from '../shared/node-kit';
import { templateString } from '../shared/config-fields';
import { nodeScope, renderFieldText } from '../shared/template';
import { NodeError } from '../shared/services';

/** Appends one JSON line per run to a file in the output directory. Superseded by write-file@2 (keyed JSONL/CSV); kept for saved flows. */
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
  effectLint: () => 'appends lines without a key, so a replay after a crash may append a line twice. Replace it with the current Write file node (keyed JSONL/CSV).',
  async execute(ctx, { in: input }, cfg) {
    const scope = nodeScope(ctx, input);
    const path = renderFieldText(cfg.path, scope, 'path');
    // The configured template was checked by the schema; the input it was rendered with was not.
    const problem = path.trim() === '' ? 'the file path rendered empty' : pathProblem(path);
    if (problem) throw new NodeError(`file "${path}": ${problem}`, { field: 'path' });
    const line = cfg.line.trim() === '' ? JSON.stringify(input ?? null) : renderFieldText(cfg.line, scope, 'line');
    if (line.includes('\n')) throw new NodeError('the line contains a newline; JSONL needs one record per line', { field: 'line' });
    // An effect: the line is fsynced before the step result says so; a replay after a crash may append again (write-file@2 is keyed).
    const written = await ctx.step.effect('append', () => ctx.services.files.appendLines(path, [line]));
    return { out: { path: written, bytes: new TextEncoder().encode(line).length + 1 } };
  },
});

/** Why a path would leave the output folder, or null. Covers POSIX, Windows drive and UNC forms. */
export function pathProblem(path: string): string | null {
  if (/^[\\/]/.test(path) || /^[A-Za-z]:/.test(path)) return 'use a path relative to the output folder';
  if (path.split(/[\\/]/).includes('..')) return '".." is not allowed';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(path)) return 'control characters (newlines, tabs…) are not allowed in file names';
  if (/[\\/]$/.test(path)) return 'the path ends with a folder separator; name a file';
  return null;
}
