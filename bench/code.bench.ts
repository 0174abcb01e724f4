/**
 * bench:code — what a Code node adds to a run, and the sandbox's cold start.
 *
 * Two flows run through the real runner (in-memory journal, so the journal's disk time does not
 * drown the difference): baseline = manual trigger → set fields; with code = the same plus a Code
 * node returning a small object built from its input and an upstream reference. Runs alternate
 * in blocks of 50 so drift on a shared machine hits both alike. codeNodeP50Ms = p50(with code) −
 * p50(baseline). coldStartMs = compiling the QuickJS WebAssembly module plus the first execution,
 * measured first, in this fresh process. Target (issue 9): codeNodeP50Ms ≤ 1.
 */
import { performance } from 'node:perf_hooks';
import { executeRun } from '../src/engine/runtime/runner';
import { MemoryJournal } from '../src/engine/runtime/memory-journal';
import { createCodeService } from '../src/engine/services/code-sandbox';
import { nodeRegistry } from '../src/nodes';
import type { Flow } from '../src/shared/flow/schema';
import type { NodeServices } from '../src/shared/services';
import { percentile, round, saveResults } from './stats';

const code = createCodeService();
const coldStarted = performance.now();
const first = await code.run({ code: 'return { ok: true }', language: 'javascript', globals: { $json: null, $node: {}, $trigger: null }, timeoutMs: 1000, memoryBytes: 32 << 20 });
const coldStartMs = performance.now() - coldStarted;
if (!first.ok) throw new Error(`cold start failed: ${first.message}`);

const services: NodeServices = {
  http: { request: async () => ({ status: 200, headers: {}, body: null }) },
  files: { appendLines: async (p) => p, appendKeyed: async (p) => ({ path: p, appended: true, bytes: 0 }) },
  clock: { now: Date.now },
  code,
};
const node = (id: string, type: string, config: Record<string, unknown>) => ({ id, type, name: id, position: { x: 0, y: 0 }, config });
const edge = (source: string, target: string) => ({ id: `${source}-${target}`, source, sourcePort: 'out', target, targetPort: 'in' });
const base: Flow = {
  schemaVersion: 1, id: 'bench', name: 'bench',
  nodes: [node('t', 'manual-trigger@1', {}), node('shape', 'set-fields@1', { fields: [{ name: 'total', value: '{{ amount }}' }], keepInput: true })],
  edges: [edge('t', 'shape')],
};
const withCode: Flow = {
  ...base,
  nodes: [...base.nodes, node('code', 'code@1', { code: 'return { id: $trigger.id, total: $json.total * 2, tag: $node["shape"].out.customer };' })],
  edges: [...base.edges, edge('shape', 'code')],
};

let seq = 0;
async function once(flow: Flow): Promise<number> {
  const started = performance.now();
  const { status } = await executeRun({ runId: `r${seq++}`, flow, flowVersion: 1, input: { id: seq, customer: 'Ada', amount: 42 }, registry: nodeRegistry, journal: new MemoryJournal(), services, emit: () => {} });
  if (status !== 'succeeded') throw new Error(`run ${status}`);
  return performance.now() - started;
}

for (let i = 0; i < 200; i++) await once(i % 2 ? base : withCode); // warm-up (JIT, caches)
const samples = { base: [] as number[], code: [] as number[] };
for (let block = 0; block < 40; block++) {
  for (let i = 0; i < 50; i++) samples.base.push(await once(base));
  for (let i = 0; i < 50; i++) samples.code.push(await once(withCode));
}
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const b = sorted(samples.base);
const c = sorted(samples.code);
const sandboxOnly: number[] = [];
for (let i = 0; i < 2000; i++) {
  const t = performance.now();
  await code.run({ code: 'return { n: $json.n + 1 }', language: 'javascript', globals: { $json: { n: i }, $node: {}, $trigger: null }, timeoutMs: 1000, memoryBytes: 32 << 20 });
  sandboxOnly.push(performance.now() - t);
}
const codeNodeP50Ms = percentile(c, 50) - percentile(b, 50);
console.log(`baseline run p50 ${round(percentile(b, 50), 3)} ms, with Code node ${round(percentile(c, 50), 3)} ms (${b.length} runs each); sandbox alone p50 ${round(percentile(sorted(sandboxOnly), 50), 3)} ms`);
console.log(`target: Code node adds ≤ 1 ms p50 — ${codeNodeP50Ms <= 1 ? 'met' : 'MISSED'}`);
saveResults('code', {
  baselineRunP50Ms: round(percentile(b, 50), 3),
  baselineRunP99Ms: round(percentile(b, 99), 3),
  withCodeRunP50Ms: round(percentile(c, 50), 3),
  withCodeRunP99Ms: round(percentile(c, 99), 3),
  sandboxRunP50Ms: round(percentile(sorted(sandboxOnly), 50), 3),
  runsEach: b.length,
  target: { codeNodeP50Ms: 1 },
  met: codeNodeP50Ms <= 1,
  node: process.version,
  codeNodeP50Ms: round(codeNodeP50Ms, 3),
  coldStartMs: round(coldStartMs, 1),
});
// The named keys alone, last.
console.log(JSON.stringify({ codeNodeP50Ms: round(codeNodeP50Ms, 3), coldStartMs: round(coldStartMs, 1) }));
