/**
 * bench:pack — what playing a demo pack costs over running the same changes by hand.
 *
 * Flow: Manual trigger → LLM call (replay) → Write file (keyed), on real SQLite data folders.
 * Baseline: in folder A, RUNS runs started one at a time (startRun, then wait for it to finish) —
 * the order a pack keeps. Then the flow is exported (exportMs, packBytes) and played into a fresh
 * folder B (playMs). playOverhead = playMs / baselineMs: the timeline, the settle checks and the
 * flow/fixture set-up over the bare runs. ROUNDS rounds (fresh folders each), medians reported:
 * the machine is shared and single runs vary 2-5x.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createEngine } from '../src/engine/engine';
import type { Flow } from '../src/shared/flow/schema';
import { round, saveResults } from './stats';

const RUNS = Number(process.env['PACK_BENCH_RUNS'] ?? 100);
const ROUNDS = Number(process.env['PACK_BENCH_ROUNDS'] ?? 5);
const root = mkdtempSync(join(tmpdir(), 'millrace-bench-pack-'));
const flow: Flow = {
  schemaVersion: 1,
  id: 'bench-pack',
  name: 'Bench pack',
  nodes: [
    { id: 't', type: 'manual-trigger@1', name: 'Start', position: { x: 0, y: 0 }, config: {} },
    { id: 'llm', type: 'llm-call@1', name: 'Ask', position: { x: 200, y: 0 }, config: { provider: 'replay', baseUrl: '', model: 'bench-model', system: 'bench', prompt: 'Item {{ n }}', temperature: 0, maxTokens: 50, output: 'text' } },
    { id: 'out', type: 'write-file@2', name: 'Write', position: { x: 400, y: 0 }, config: { path: 'bench.jsonl', key: '{{ $trigger.n }}' } },
  ],
  edges: [
    { id: 'e1', source: 't', sourcePort: 'out', target: 'llm', targetPort: 'in' },
    { id: 'e2', source: 'llm', sourcePort: 'text', target: 'out', targetPort: 'in' },
  ],
};

const entries = Array.from({ length: RUNS }, (_, n) => ({
  request: { model: 'bench-model', system: 'bench', prompt: `Item ${n}`, params: { maxTokens: 50, temperature: 0 }, schema: null },
  response: { text: `answer ${n}`, finishReason: 'stop', usage: { promptTokens: 3, completionTokens: 2 } },
}));

/** One round: RUNS runs by hand in a fresh folder (the baseline), export, play into another fresh folder. */
async function round1(i: number): Promise<{ baselineMs: number; exportMs: number; playMs: number; packBytes: number }> {
  const a = join(root, `A${i}`);
  mkdirSync(join(a, 'llm-replay'), { recursive: true });
  writeFileSync(join(a, 'llm-replay', 'bench.json'), JSON.stringify({ version: 1, entries }));
  const engineA = createEngine({ dataDir: a, seedDemo: false });
  await engineA.saveFlow({ flow });
  const t0 = performance.now();
  for (let n = 0; n < RUNS; n++) {
    const { runId } = await engineA.startRun({ flowId: flow.id, input: { n } });
    const trace = await engineA.waitForRun(runId);
    if (trace.run.status !== 'succeeded') throw new Error(`baseline run ${n} ${trace.run.status}`);
  }
  const baselineMs = performance.now() - t0;
  const t1 = performance.now();
  const { text } = await engineA.exportDemoPack({ flowId: flow.id });
  const exportMs = performance.now() - t1;
  await engineA.close();

  const engineB = createEngine({ dataDir: join(root, `B${i}`), seedDemo: false });
  const t2 = performance.now();
  const opened = await engineB.openDemoPack({ text });
  const playMs = performance.now() - t2;
  const ok = (await engineB.listRuns({ flowId: flow.id, limit: RUNS + 1 })).filter((r) => r.status === 'succeeded').length;
  await engineB.close();
  if (opened.runs !== RUNS || ok !== RUNS) throw new Error(`played ${opened.runs} runs, ${ok} succeeded (expected ${RUNS})`);
  return { baselineMs, exportMs, playMs, packBytes: text.length };
}

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
try {
  const rounds = [];
  for (let i = 0; i < ROUNDS; i++) rounds.push(await round1(i));
  const baselineMs = median(rounds.map((r) => r.baselineMs));
  const playMs = median(rounds.map((r) => r.playMs));
  const exportMs = median(rounds.map((r) => r.exportMs));
  const packBytes = rounds[0]!.packBytes;
  console.log(`baseline: ${RUNS} runs one at a time, median of ${ROUNDS} rounds ${round(baselineMs)} ms (${round((RUNS / baselineMs) * 1000)} runs/s); each round: ${rounds.map((r) => round(r.baselineMs)).join(', ')}`);
  console.log(`export: ${round(exportMs)} ms, ${packBytes} bytes; play: ${round(playMs)} ms (${round((RUNS / playMs) * 1000)} runs/s); each round: ${rounds.map((r) => round(r.playMs)).join(', ')}`);
  saveResults('pack', {
    runs: RUNS,
    rounds: ROUNDS,
    node: process.version,
    baselineMs: round(baselineMs),
    baselineRunsPerSecond: round((RUNS / baselineMs) * 1000),
    exportMs: round(exportMs),
    packBytes,
    playMs: round(playMs),
    playRunsPerSecond: round((RUNS / playMs) * 1000),
    playOverhead: round(playMs / baselineMs, 2),
    perRound: rounds.map((r) => ({ baselineMs: round(r.baselineMs), playMs: round(r.playMs), exportMs: round(r.exportMs) })),
  });
  // The named keys alone, last.
  console.log(JSON.stringify({ playRunsPerSecond: round((RUNS / playMs) * 1000), baselineRunsPerSecond: round((RUNS / baselineMs) * 1000), playOverhead: round(playMs / baselineMs, 2), exportMs: round(exportMs), packBytes }));
} finally {
  rmSync(root, { recursive: true, force: true });
}
