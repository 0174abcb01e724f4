/**
 * The engine host and the CLI run TypeScript through tsx, whose ESM resolver treats a bare
 * `./x.node` specifier as a native addon. The node registry must load there, not only in vitest
 * (the entry is .mts because the failure only shows when the importer is an ES module).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '..');
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'millrace-tsx-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('src/nodes under tsx', () => {
  it('loads the registry with every node type', async () => {
    const entry = join(dir, 'load.mts');
    const registry = pathToFileURL(join(repo, 'src/nodes/index.ts')).href;
    await writeFile(entry, `import { nodeRegistry } from ${JSON.stringify(registry)};\nconsole.log(JSON.stringify(nodeRegistry.all().map((d) => d.type + '@' + d.version)));\n`);
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', entry], { cwd: repo });
    const refs = JSON.parse(stdout) as string[];
    expect(refs.sort()).toEqual(['approval@1', 'code@1', 'http-request@1', 'if@1', 'llm-call@1', 'manual-trigger@1', 'merge@1', 'postgres-change@1', 'postgres-sink@1', 'set-fields@1', 'slack-sink@1', 'sqlite-sink@1', 'webhook-sink@1', 'write-file@1', 'write-file@2']);
  });
});
