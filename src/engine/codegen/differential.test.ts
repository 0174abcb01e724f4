/**
 * Differential: every demo flow and every corpus flow runs in the engine (in this process) and as
 * an exported program (`npx tsx flow.ts --json`, a child process) against the same fake LLM and
 * HTTP servers; the `--json` results must be equal node by node. The exported project must also
 * pass `tsc --strict` and typescript-eslint's recommended rules.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Flow } from '../../shared/flow/schema';
import { startFakeLlmProvider, type FakeLlmProvider } from '../services/llm/testing/fake-llm-provider';
import { runFlow } from '../library/run-flow';
import { runResultJson, type RunResultJson } from '../library/run-result';
import { buildProject } from './project';
import { exportFlowSource } from './generate';
import { corpus, missingFromCorpus, type CorpusCase } from './testing/corpus';
import { startEchoServer, type EchoServer } from './testing/echo-server';
import { materialize, repoRoot, runNode, tsxCli } from './testing/project-harness';

const demoDir = join(repoRoot, 'resources', 'demo');
const demos: CorpusCase[] = readdirSync(demoDir)
  .filter((f) => f.endsWith('.flow.json'))
  .map((f) => ({ flow: JSON.parse(readFileSync(join(demoDir, f), 'utf8')) as Flow, input: undefined }));

/** Values that differ between any two runs (ids, clocks) — not behaviour. */
const VOLATILE = new Set(['latencyMs', 'ttftMs', 'startedAt', 'finishedAt', 'at', 'durationMs', 'createdAt', 'id']);
function normalize(result: RunResultJson): unknown {
  const text = JSON.stringify(result).split(result.runId).join('<run>');
  return JSON.parse(text, (key, value: unknown) => (VOLATILE.has(key) && (typeof value === 'number' || typeof value === 'string') ? `<${key}>` : value));
}

let llm: FakeLlmProvider;
let echo: EchoServer;
let work: string;
let cases: CorpusCase[];

beforeAll(async () => {
  llm = await startFakeLlmProvider({ defaultText: '{"label":"urgent","score":3}' });
  echo = await startEchoServer();
  work = mkdtempSync(join(tmpdir(), 'millrace-diff-'));
  cases = [...demos, ...corpus({ llmBaseUrl: llm.baseUrl, httpOrigin: echo.origin })];
});

afterAll(async () => {
  await llm?.close();
  await echo?.close();
  rmSync(work, { recursive: true, force: true, maxRetries: 5 });
});

async function inBatches<T, R>(items: T[], size: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}

describe('export differential', () => {
  it('the corpus covers every registered node type (a type without an export path fails here)', () => {
    const missing = missingFromCorpus(cases);
    expect(missing, `node types with no flow in src/engine/codegen/testing/corpus.ts: ${missing.join(', ')} — add one so its export is tested`).toEqual([]);
  });

  it('every demo and corpus flow gives the same --json result in the engine and as exported code', async () => {
    const outputDir = join(work, 'out');
    const engineResults = new Map<string, unknown>();
    for (const c of cases) {
      const { flow, trace } = await runFlow(c.flow, { ephemeral: true, outputDir, ...(c.input !== undefined ? { input: c.input } : {}) });
      engineResults.set(c.flow.id, normalize(runResultJson(trace, flow)));
    }
    // A broken exporter (one template changed on the way out) must be caught by the comparison.
    const broken: CorpusCase = { ...cases.find((c) => c.flow.id === 'corpus-branches-large')!, broken: true } as CorpusCase & { broken: true };
    const exported = await inBatches([...cases, broken], 2, async (c) => {
      const project = buildProject(c.flow);
      if ('broken' in c) project.files['flow.ts'] = project.files['flow.ts']!.replace('{{ customer.emails[0] }}', '{{ customer.emails[1] }}');
      const dir = materialize(project, mkdtempSync(join(work, 'p-')));
      const args = ['flow.ts', '--json', '--ephemeral', '--output-dir', outputDir, ...(c.input !== undefined ? ['--input', JSON.stringify(c.input)] : [])];
      const r = await runNode(tsxCli, args, dir, { timeoutMs: 120_000 });
      const last = r.stdout.trim().split('\n').pop() ?? '';
      let parsed: RunResultJson | null = null;
      try {
        parsed = JSON.parse(last) as RunResultJson;
      } catch {
        throw new Error(`${c.flow.id}: the exported program printed no JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
      }
      return { id: c.flow.id, result: normalize(parsed), code: r.code, broken: 'broken' in c };
    });
    for (const e of exported.filter((x) => !x.broken)) {
      expect(e.result, `flow ${e.id}`).toEqual(engineResults.get(e.id));
    }
    expect(exported.find((x) => x.broken)!.result).not.toEqual(engineResults.get('corpus-branches-large'));
    // The corpus exercises what it claims: both If sides, a retry, a failure, LLM calls.
    const statuses = Object.fromEntries(exported.filter((e) => !e.broken).map((e) => [e.id, (e.result as { status: string }).status]));
    expect(statuses['corpus-failure']).toBe('failed');
    expect(statuses['corpus-branches-large']).toBe('succeeded');
    expect(exported.find((e) => e.id === 'corpus-failure')!.code).toBe(1);
    expect(statuses['corpus-retry']).toBe('succeeded');
    expect(echo.requests.filter((r) => r.path === '/flaky').length).toBe(4);
    // engine and export; the broken export fails earlier (its misspelt path stops the Shape node: templates are strict)
    expect(echo.requests.filter((r) => r.path === '/orders/A-7').length).toBe(2);
    expect(llm.requests.length).toBe(4);
  }, 300_000);

  it('exported code passes tsc --strict and typescript-eslint recommended (every demo and corpus flow)', async () => {
    const dir = materialize(buildProject(cases[0]!.flow), mkdtempSync(join(work, 'lint-')));
    mkdirSync(join(dir, 'flows'));
    for (const c of cases) writeFileSync(join(dir, 'flows', `${c.flow.id}.ts`), exportFlowSource(c.flow));
    const tsconfig = JSON.parse(readFileSync(join(dir, 'tsconfig.json'), 'utf8')) as { compilerOptions: { strict: boolean }; include: string[] };
    expect(tsconfig.compilerOptions.strict).toBe(true);
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ ...tsconfig, include: ['flow.ts', 'flows/*.ts'] }));
    const [tsc, eslint] = await Promise.all([
      runNode(join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), ['-p', '.'], dir, { timeoutMs: 240_000 }),
      runNode(join(repoRoot, 'node_modules', 'eslint', 'bin', 'eslint.js'), ['--max-warnings', '0', '.'], dir, { timeoutMs: 240_000 }),
    ]);
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.code).toBe(0);
    expect(eslint.stdout + eslint.stderr).toBe('');
    expect(eslint.code).toBe(0);
    // The check can fail: an unused variable and an any are reported.
    writeFileSync(join(dir, 'flows', 'bad.ts'), 'const unused: any = 1;\nexport {};\n');
    const bad = await runNode(join(repoRoot, 'node_modules', 'eslint', 'bin', 'eslint.js'), ['.'], dir, { timeoutMs: 240_000 });
    expect(bad.stdout).toMatch(/no-unused-vars/);
    expect(bad.stdout).toMatch(/no-explicit-any/);
  }, 300_000);
});
