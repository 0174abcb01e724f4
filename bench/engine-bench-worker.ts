/**
 * The engine under benchmark, in a process of its own: the parent sends phases over IPC
 * (`{ concurrency, runs }`), this process drives them with an in-process caller (a loop of
 * startRun + run.finished, the way the Electron main or `millrace serve` would call it) and
 * answers with the phase's figures, the journal's counters and its own RSS.
 */
import { join } from 'node:path';
import { createEngine, type Engine } from '../src/engine/engine';
import type { Flow } from '../src/shared/flow/schema';
import { percentile, round, rssSampler } from './stats';

const dataDir = process.env['BENCH_DATA_DIR']!;
const llmUrl = process.env['BENCH_LLM_URL']!;

function flowFor(url: string): Flow {
  return {
    schemaVersion: 1,
    id: 'bench',
    name: 'Bench',
    nodes: [
      { id: 't', type: 'manual-trigger@1', name: 'Ticket', position: { x: 0, y: 0 }, config: {} },
      { id: 's', type: 'set-fields@1', name: 'Prompt', position: { x: 200, y: 0 }, config: { fields: [{ name: 'prompt', value: 'Classify: {{ text }}' }, { name: 'id', value: '{{ id }}' }] } },
      {
        id: 'llm', type: 'http-request@1', name: 'LLM', position: { x: 400, y: 0 },
        config: { method: 'POST', url, body: '{"model":"fake-1","messages":[{"role":"user","content":"{{ prompt }}"}]}' },
      },
      { id: 'sink', type: 'write-file@1', name: 'Sink', position: { x: 600, y: 0 }, config: { path: 'bench.jsonl', line: '{{ body.choices[0].message.content }}' } },
    ],
    edges: [
      { id: 'e1', source: 't', sourcePort: 'out', target: 's', targetPort: 'in' },
      { id: 'e2', source: 's', sourcePort: 'out', target: 'llm', targetPort: 'in' },
      { id: 'e3', source: 'llm', sourcePort: 'out', target: 'sink', targetPort: 'in' },
    ],
  };
}

async function measure(engine: Engine, concurrency: number, n: number) {
  const done = new Map<string, () => void>();
  const off = engine.onRunEvent((e) => {
    if (e.type === 'run.finished') {
      if (e.status !== 'succeeded') throw new Error(`bench run failed: ${JSON.stringify(e.error)}`);
      done.get(e.runId)?.();
    }
  });
  const latencies: number[] = [];
  let next = 0;
  const before = engine.journalStats();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        const start = performance.now();
        await new Promise<void>((resolve) => {
          void engine.startRun({ flowId: 'bench', input: { id: i, text: `ticket ${i}: the printer is on fire` } }).then(({ runId }) => done.set(runId, resolve));
        });
        latencies.push(performance.now() - start);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  off();
  const after = engine.journalStats();
  latencies.sort((a, b) => a - b);
  return {
    runsPerSec: round(n / seconds),
    p50Ms: round(percentile(latencies, 50), 2),
    p99Ms: round(percentile(latencies, 99), 2),
    fsyncsPerRun: round((after.fsyncs - before.fsyncs) / n, 2),
    writesPerCommit: round((after.writes - before.writes) / Math.max(1, after.commits - before.commits)),
  };
}

const rss = rssSampler();
const engine = createEngine({ dataDir: join(dataDir, 'engine'), seedDemo: false, concurrency: 20, retention: { maxAgeDays: null, maxRunsPerFlow: null } });
await engine.saveFlow({ flow: flowFor(llmUrl) });
process.on('message', (msg: { concurrency?: number; runs?: number; close?: boolean }) => {
  void (async () => {
    if (msg.close) {
      const checkpoints = engine.checkpointStats();
      await engine.close();
      // Then go: the IPC channel would keep this process (and the bench waiting on it) alive forever.
      process.send!({ closed: true, peakRssMb: rss.peakMb(), checkpoints }, () => process.exit(0));
      return;
    }
    const r = await measure(engine, msg.concurrency!, msg.runs!);
    process.send!({ ...r, rssMb: round(process.memoryUsage().rss / 1024 / 1024), peakRssMb: rss.peakMb() });
  })();
});
process.send!({ ready: true });
