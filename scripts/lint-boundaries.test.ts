/**
 * The import boundary of src/shared and src/nodes, checked through ESLint's Node API with the
 * repo's own eslint.config.js: the same text must fail inside the pure folders and pass outside.
 */
import path from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const repo = path.resolve(import.meta.dirname, '..');
const boundaryRules = ['no-restricted-imports', 'no-restricted-globals', 'no-restricted-syntax', 'millrace/layer-boundaries'];
let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: repo });
});

/** Boundary violations ESLint reports for `text` as if it lived at `file` (relative to the repo). */
async function violations(file: string, text: string): Promise<string[]> {
  const [result] = await eslint.lintText(text, { filePath: path.join(repo, file) });
  expect(result!.messages.filter((m) => m.fatal)).toEqual([]);
  return result!.messages.filter((m) => m.ruleId !== null && boundaryRules.includes(m.ruleId)).map((m) => `${m.ruleId}: ${m.message}`);
}

const importing = (source: string) => `import * as imported from ${JSON.stringify(source)};\nexport const used = imported;\n`;

describe('lint: src/shared and src/nodes import boundary', () => {
  it('refuses node:fs in src/shared and allows it in src/engine', async () => {
    const text = "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n";
    const shared = await violations('src/shared/flow/lint-probe.ts', text);
    expect(shared).toHaveLength(1);
    expect(shared[0]).toMatch(/^no-restricted-imports: .*Node builtins/);
    expect(await violations('src/engine/lint-probe.ts', text)).toEqual([]);
  });

  it.each([
    'fs',
    'fs/promises',
    'node:path',
    'path',
    'http',
    'crypto',
    'child_process',
    'os',
    'url',
    'electron',
    'electron/main',
    'react',
    'react/jsx-runtime',
    'react-dom/client',
    '@xyflow/react',
    '@xyflow/system',
    'better-sqlite3',
    'pg',
    'ws',
  ])('refuses %j in src/shared and src/nodes, not in src/engine', async (source) => {
    expect(await violations('src/shared/lint-probe.ts', importing(source))).toHaveLength(1);
    expect(await violations('src/nodes/lint-probe.node.ts', importing(source))).toHaveLength(1);
    expect(await violations('src/engine/runtime/lint-probe.ts', importing(source))).toEqual([]);
  });

  it.each(['zod', 'wsx', 'react-hook-form', 'pgvector', '@xyflowish/x'])('allows the unrelated package %j', async (source) => {
    expect(await violations('src/shared/lint-probe.ts', importing(source))).toEqual([]);
  });

  it.each<[string, string]>([
    ['src/shared/lint-probe.ts', '../engine/runtime/runner'],
    ['src/shared/flow/lint-probe.ts', '../../engine/store/database'],
    ['src/nodes/lint-probe.node.ts', '../main/index'],
    ['src/nodes/lint-probe.node.ts', '../preload/index'],
    ['src/shared/rpc/lint-probe.ts', '../../renderer/stores/run-store'],
    ['src/shared/lint-probe.ts', '../../src/engine/cli'],
  ])('refuses %s importing %j', async (file, source) => {
    const found = await violations(file, importing(source));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^millrace\/layer-boundaries: /);
  });

  it.each<[string, string]>([
    ['src/nodes/lint-probe.node.ts', '../shared/node-kit'],
    ['src/shared/flow/lint-probe.ts', '../../nodes/index'],
    ['src/shared/lint-probe.ts', './main'],
    ['src/shared/flow/lint-probe.ts', '../rpc/client'],
  ])('allows %s importing %j', async (file, source) => {
    expect(await violations(file, importing(source))).toEqual([]);
  });

  it('refuses re-exports from a forbidden module', async () => {
    expect(await violations('src/shared/lint-probe.ts', "export { join } from 'node:path';\n")).toHaveLength(1);
    expect(await violations('src/shared/lint-probe.ts', "export * from '../engine/runtime/runner';\n")).toHaveLength(1);
  });

  it('refuses type-only imports from forbidden modules too', async () => {
    const text = "import type { Database } from 'better-sqlite3';\nexport type Db = Database;\n";
    expect(await violations('src/shared/lint-probe.ts', text)).toHaveLength(1);
  });

  it('refuses Node globals and dynamic import in src/shared, not in src/engine', async () => {
    const text = [
      'export const env = process.env.HOME;',
      "export const bytes = Buffer.from('x');",
      "export const loaded = require('x');",
      'export const here = __dirname;',
      "export const later = import('node:fs');",
    ].join('\n');
    const found = await violations('src/shared/lint-probe.ts', `${text}\n`);
    expect(found.filter((m) => m.startsWith('no-restricted-globals'))).toHaveLength(4);
    expect(found.filter((m) => m.startsWith('no-restricted-syntax'))).toHaveLength(1);
    expect(await violations('src/engine/lint-probe.ts', `${text}\n`)).toEqual([]);
  });

  it('does not confuse a local variable with the Node global of the same name', async () => {
    const text = 'export function f(process: { env: string }) {\n  return process.env;\n}\n';
    expect(await violations('src/shared/lint-probe.ts', text)).toEqual([]);
  });
});
