/**
 * Export ⇄ import: byte-identical round trips for the demos and the corpus, config edits made in
 * the code come back, everything else is refused with its line, and importing never executes.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, symlinkSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import type { Flow } from '../../shared/flow/schema';
import { exportFlowSource, generateFlowSource, ExportError } from './generate';
import { importFlowSource } from './import-flow';
import { buildProject } from './project';
import { corpus } from './testing/corpus';
import { repoRoot, tsxCli } from './testing/project-harness';

const demoDir = join(repoRoot, 'resources', 'demo');
const demos = readdirSync(demoDir)
  .filter((f) => f.endsWith('.flow.json'))
  .map((f) => JSON.parse(readFileSync(join(demoDir, f), 'utf8')) as Flow);
const flows: Flow[] = [...demos, ...corpus({ llmBaseUrl: 'http://127.0.0.1:9/v1', httpOrigin: 'http://127.0.0.1:9' }).map((c) => c.flow)];
const bin = join(repoRoot, 'bin', 'millrace.mjs');

/** The graph without what export does not carry (edge ids) or orders freely (node and edge order). */
function shape(f: Flow) {
  return {
    ...f,
    nodes: [...f.nodes].sort((a, b) => a.id.localeCompare(b.id)),
    edges: f.edges.map((e) => `${e.source}.${e.sourcePort}->${e.target}.${e.targetPort}`).sort(),
  };
}

function imported(text: string, existing?: Flow) {
  const r = importFlowSource(text, existing ? { existing } : {});
  if (!r.ok) throw new Error(`import failed:\n${r.issues.map((i) => `${i.line}: ${i.message}`).join('\n')}`);
  return r.flow;
}

describe('export → import → export', () => {
  it.each(flows.map((f) => [f.id, f] as const))('%s: byte-identical, and the same flow comes back', (_id, flow) => {
    const first = exportFlowSource(flow);
    const back = imported(first);
    expect(generateFlowSource(back)).toBe(first);
    expect(shape(back)).toEqual(shape(flow));
  });

  it('keeps the original edge ids when importing over the flow it came from', () => {
    const flow = demos[0]!;
    expect(imported(exportFlowSource(flow), flow).edges.map((e) => e.id).sort()).toEqual(flow.edges.map((e) => e.id).sort());
  });

  it('dbos target round-trips too', () => {
    const src = exportFlowSource(demos[0]!, { target: 'dbos' });
    const r = importFlowSource(src);
    expect(r.ok && r.target).toBe('dbos');
    expect(r.ok && generateFlowSource(r.flow, 'dbos')).toBe(src);
  });
});

describe('edits made in the code', () => {
  const llmFlow = flows.find((f) => f.id === 'corpus-llm')!;
  const branches = flows.find((f) => f.id === 'corpus-branches-large')!;

  it('config edits (prompt, URL, field mapping, model, timeout) come back into the flow', () => {
    let src = exportFlowSource(llmFlow);
    src = src.replace('Classify: {{ text }}', 'Classify carefully: {{ text }}').replace('model: "fake-small",\n    prompt: "Classify', 'model: "fake-large",\n    prompt: "Classify');
    const back = imported(src);
    const classify = back.nodes.find((n) => n.id === 'classify')!;
    expect(classify.config['prompt']).toBe('Classify carefully: {{ text }}');
    expect(classify.config['model']).toBe('fake-large');
    expect(generateFlowSource(back)).toBe(src);

    let b = exportFlowSource(branches);
    b = b.replace('/orders/{{ id }}', '/v2/orders/{{ id }}').replace('{ name: "total", value: "{{ amount }}" }', '{ name: "sum", value: "{{ amount }}" }').replace('timeoutMs: 1_500', '');
    b = b.replace('config: {\n    method: "POST",', 'config: {\n    timeoutMs: 2500,\n    method: "POST",');
    const bb = imported(b);
    const notify = bb.nodes.find((n) => n.id === 'notify')!;
    expect(notify.config['url']).toMatch(/\/v2\/orders\/\{\{ id \}\}$/);
    expect(notify.config['timeoutMs']).toBe(2500);
    expect(bb.nodes.find((n) => n.id === 'shape')!.config['fields']).toContainEqual({ name: 'sum', value: '{{ amount }}' });
  });

  it('a rewired input comes back as a rewired edge', () => {
    const src = exportFlowSource(branches).replace('inputs: { in: notifyWarehouse.out }', 'inputs: { in: bigOrder.true }');
    const back = imported(src);
    expect(back.edges.find((e) => e.target === 'log-big')).toMatchObject({ source: 'big', sourcePort: 'true' });
  });

  it('edits it cannot map are listed with their line numbers and nothing comes back', () => {
    const src = exportFlowSource(branches);
    const lines = src.split('\n');
    const at = (needle: string) => lines.findIndex((l) => l.includes(needle)) + 1;
    const edited = src
      .replace('import { defineFlow, runFlowCli } from "millrace/runtime";', 'import { defineFlow, runFlowCli } from "millrace/runtime";\nimport { readFileSync } from "node:fs";')
      .replace('operator: "greater-or-equal"', 'operator: process.env.OP ?? "greater"')
      .replace('await runFlowCli(flow, import.meta.url);', 'if (Math.random() > 0.5) {\n  console.log("hi");\n}\nawait runFlowCli(flow, import.meta.url);');
    const r = importFlowSource(edited);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const shifted = (n: number) => n + 1; // the added import line shifts everything below it
    expect(r.issues).toEqual([
      { line: at('import { defineFlow') + 1, message: expect.stringMatching(/import of "node:fs" is new code/) },
      { line: shifted(at('operator: "greater-or-equal"')), message: expect.stringMatching(/an expression is computed; only literal values/) },
      { line: shifted(at('await runFlowCli')), message: expect.stringMatching(/IfStatement is new code/) },
    ]);
  });

  it('a config value that fails validation is refused at its node, with the line', () => {
    const src = exportFlowSource(branches).replace('operator: "greater-or-equal"', 'operator: "roughly"');
    const r = importFlowSource(src);
    expect(r.ok).toBe(false);
    const line = src.split('\n').findIndex((l) => l.includes('export const bigOrder')) + 1;
    expect(!r.ok && r.issues).toEqual([{ line, message: expect.stringMatching(/node "Big order\?", field "operator"/) }]);
  });

  it('syntax errors are refused with their line', () => {
    const r = importFlowSource(exportFlowSource(branches).replace('position: { x: 0, y: 0 },', 'position: { x: 0, y: 0 ,'));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.issues[0]!.message).toMatch(/^syntax:/);
  });
});

describe('import never executes the file', () => {
  it('a file whose top level writes a canary is refused without the canary appearing; running it would write it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'millrace-canary-'));
    const canary = join(dir, 'CANARY');
    const file = join(dir, 'flow.ts');
    const flowText = exportFlowSource(demos[0]!);
    const hostile = flowText
      .replace('import { defineFlow, runFlowCli } from "millrace/runtime";', `import { writeFileSync } from "node:fs";\nwriteFileSync(${JSON.stringify(canary)}, "ran");\nimport { defineFlow, runFlowCli } from "millrace/runtime";`)
      .replace('  name: "New order",', `  name: (writeFileSync(${JSON.stringify(canary)}, "ran"), "New order"),`);
    writeFileSync(file, hostile);
    try {
      const direct = importFlowSource(hostile);
      expect(direct.ok).toBe(false);
      const cli = spawnSync(process.execPath, [bin, 'import', file, '--out', join(dir, 'out.json')], { encoding: 'utf8', timeout: 60_000 });
      expect(cli.status).toBe(1);
      expect(cli.stderr).toMatch(/nothing was saved/);
      expect(cli.stderr).toMatch(/flow\.ts:\d+: import of "node:fs" is new code/);
      expect(existsSync(join(dir, 'out.json'))).toBe(false);
      expect(existsSync(canary)).toBe(false);
      // The test can fail: executing the same file (its imports resolvable) does write the canary.
      writeFileSync(join(dir, 'package.json'), '{"type": "module"}');
      mkdirSync(join(dir, 'node_modules'));
      symlinkSync(repoRoot, join(dir, 'node_modules', 'millrace'), 'dir');
      const ran = spawnSync(process.execPath, [tsxCli, file, '--ephemeral'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
      expect(ran.status, ran.stderr).toBe(0);
      expect(existsSync(canary)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('the exported project', () => {
  it('refuses an invalid flow with every problem', () => {
    const broken = structuredClone(demos[0]!);
    broken.nodes[2]!.config['operator'] = 'roughly';
    expect(() => exportFlowSource(broken)).toThrow(ExportError);
    expect(() => exportFlowSource(broken)).toThrow(/node "Large order\?", field "operator"/);
  });

  it('reads secrets by name from the environment and never holds a value', () => {
    const flow = structuredClone(flows.find((f) => f.id === 'corpus-llm')!);
    flow.nodes[1]!.config['apiKey'] = 'secret:OPENAI_API_KEY';
    const project = buildProject(flow);
    expect(project.files['flow.ts']).toContain('apiKey: "secret:OPENAI_API_KEY"');
    expect(project.files['README.md']).toContain('`MILLRACE_SECRET_OPENAI_API_KEY`');
  });

  it('reads like code: node names as comments, one named step per node, upstream ports as variables', () => {
    const src = exportFlowSource(demos[0]!);
    expect(src).toContain('// Large order? (if@1)\nexport const largeOrder = flow.node({');
    expect(src).toContain('inputs: { in: largeOrder.true },');
    expect(src).toMatch(/payload: `\{\n {2}"orderId": "A-1042",/);
  });
});

describe('CLI', () => {
  it('millrace export writes the project; millrace run --json prints the per-node shape', () => {
    const dir = mkdtempSync(join(tmpdir(), 'millrace-cli-export-'));
    try {
      const demo = join(demoDir, 'order-triage.flow.json');
      const ex = spawnSync(process.execPath, [bin, 'export', demo, '--out', join(dir, 'p'), '--target', 'standalone'], { encoding: 'utf8', timeout: 60_000 });
      expect(ex.status, ex.stderr).toBe(0);
      expect(readFileSync(join(dir, 'p', 'flow.ts'), 'utf8')).toBe(exportFlowSource(demos.find((f) => f.id === 'demo-order-triage')!));
      expect(spawnSync(process.execPath, [bin, 'export', demo, '--out', join(dir, 'q'), '--target', 'lambda'], { encoding: 'utf8', timeout: 60_000 }).stderr).toMatch(/--target must be standalone or dbos/);
      const run = spawnSync(process.execPath, [bin, 'run', demo, '--json', '--output-dir', join(dir, 'out'), '--input', '{"orderId":"B-7","customer":{"name":"Grace","tier":"silver"},"amount":20,"items":["tea"]}'], { encoding: 'utf8', timeout: 60_000 });
      expect(run.status, run.stderr).toBe(0);
      const json = JSON.parse(run.stdout.trim()) as { status: string; nodes: Record<string, { status: string; output: unknown }> };
      expect(json.status).toBe('succeeded');
      expect(Object.keys(json.nodes)).toEqual(['trigger', 'summarise', 'large', 'review', 'archive']);
      expect(json.nodes['review']).toEqual({ status: 'skipped', output: null });
      expect(json.nodes['summarise']!.output).toMatchObject({ summary: 'Grace (silver) ordered tea for $20' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
