/**
 * `millrace export FLOW.json --out DIR [--target standalone|dbos]` and
 * `millrace import FILE.ts [--out FLOW.json]`. Self-contained: cli.ts only dispatches here.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseFlowText } from '../../shared/flow/validate';
import { nodeRegistry } from '../../nodes';
import { ExportError } from './generate';
import { buildProject, writeProject } from './project';
import { importFlowSource } from './import-flow';
import type { Flow } from '../../shared/flow/schema';
import { CODEGEN_USAGE } from './usage';

export async function codegenCommand(command: 'export' | 'import', args: string[]): Promise<number> {
  try {
    return command === 'export' ? exportCommand(args) : importCommand(args);
  } catch (e) {
    console.error((e as Error).message);
    return 2;
  }
}

function exportCommand(args: string[]): number {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { out: { type: 'string' }, target: { type: 'string' }, runtime: { type: 'string' } } });
  const file = positionals[0];
  if (!file || !values.out) return usage('give the flow file and --out DIR');
  const target = values.target ?? 'standalone';
  if (target !== 'standalone' && target !== 'dbos') return usage(`--target must be standalone or dbos, got "${target}"`);
  const parsed = parseFlowText(readFileSync(file, 'utf8'), nodeRegistry);
  if (!parsed.ok) {
    console.error(`${file}: ${parsed.problems.map((p) => p.message).join('; ')}`);
    return 1;
  }
  try {
    const project = buildProject(parsed.flow, { target, ...(values.runtime ? { runtimeSpec: values.runtime } : {}) });
    const written = writeProject(resolve(values.out), project);
    console.log(`Exported "${parsed.flow.name}" (${target}) to ${resolve(values.out)}:`);
    for (const w of written) console.log(`  ${w}`);
    console.log(`Run it: cd ${values.out} && npm install && npx tsx flow.ts --json`);
    return 0;
  } catch (e) {
    if (e instanceof ExportError) {
      console.error(`${file}: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

function importCommand(args: string[]): number {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { out: { type: 'string' } } });
  const file = positionals[0];
  if (!file) return usage('give the path of an exported flow.ts');
  const text = readFileSync(file, 'utf8');
  const out = values.out ? resolve(values.out) : null;
  let existing: Flow | undefined;
  if (out && existsSync(out)) {
    const prev = parseFlowText(readFileSync(out, 'utf8'), nodeRegistry);
    if (prev.ok) existing = prev.flow;
  }
  const result = importFlowSource(text, { fileName: file, ...(existing ? { existing } : {}) });
  if (!result.ok) {
    console.error(`${file}: cannot come back to the canvas; nothing was saved:`);
    for (const i of result.issues) console.error(`  ${file}:${i.line}: ${i.message}`);
    return 1;
  }
  const json = `${JSON.stringify(result.flow, null, 2)}\n`;
  if (out) {
    writeFileSync(out, json);
    console.error(`Imported "${result.flow.name}" (${result.flow.nodes.length} nodes) to ${out}`);
  } else process.stdout.write(json);
  return 0;
}

function usage(message: string): number {
  console.error(`${message}\n\n${CODEGEN_USAGE}`);
  return 2;
}

