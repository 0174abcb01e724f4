/**
 * Runs a flow document headless on the embedded engine: the SQLite journal in `dataDir` (durable:
 * waits, retries and approvals survive restarts), or a throwaway folder that is removed afterwards
 * (`ephemeral`). Used by exported programs and by `millrace run`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Flow } from '../../shared/flow/schema';
import { formatProblem } from '../../shared/flow/problems';
import type { RunTrace } from '../../shared/runs';
import { createEngine, type Engine } from '../engine';
import type { EngineOptions } from '../engine-options';
import { performance } from 'node:perf_hooks';
import type { ExportedConnection } from '../../shared/connections';

export interface RunFlowOptions {
  input?: unknown;
  /** Where the journal lives; ignored when `ephemeral`. */
  dataDir?: string;
  ephemeral?: boolean;
  /** Where Write file nodes write. Default: `<dataDir>/output`. */
  outputDir?: string;
  log?: (line: string) => void;
  /** Named connections the flow picks (defineFlow's `connections`): put into the engine before the flow is saved. */
  connections?: readonly ExportedConnection[];
  /** Extra engine options (tests: env for secrets). */
  engine?: Partial<EngineOptions>;
}

export interface FlowRun {
  flow: Flow;
  trace: RunTrace;
}

/** Starts the engine, saves the flow under its id (a new version if it changed), runs it once and waits. */
export async function runFlow(doc: Flow, options: RunFlowOptions = {}): Promise<FlowRun> {
  const dataDir = options.ephemeral || !options.dataDir ? mkdtempSync(join(tmpdir(), 'millrace-run-')) : resolve(options.dataDir);
  const throwaway = options.ephemeral || !options.dataDir;
  let engine: Engine | undefined;
  let keepAlive: ReturnType<typeof setInterval> | undefined;
  try {
    engine = createEngine({
      dataDir,
      ...(options.outputDir ? { outputDir: resolve(options.outputDir) } : {}),
      seedDemo: false,
      log: options.log ?? (() => {}),
      ...options.engine,
    });
    if (options.connections?.length) await engine.importConnections(options.connections);
    const saved = await engine.saveFlow({ flow: doc });
    if (saved.problems.length > 0) {
      const names = new Map(saved.flow.nodes.map((n) => [n.id, n.name]));
      throw new Error(`"${doc.name}" cannot run:\n${saved.problems.map((p) => `  ✗ ${formatProblem(p, names)}`).join('\n')}`);
    }
    const { runId } = await engine.startRun({ flowId: saved.flow.id, ...(options.input !== undefined ? { input: options.input } : {}) });
    // The scheduler's wake-up timers do not hold the process open (a server has other handles);
    // a program whose only work is this run must stay alive through its waits and retry backoffs.
    keepAlive = setInterval(() => {}, 60_000);
    return { flow: saved.flow, trace: await engine.waitForRun(runId) };
  } finally {
    clearInterval(keepAlive);
    await engine?.close();
    if (throwaway) rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Runs the flow `count` times with the same input on one engine (at most `concurrency` at once)
 * and reports the throughput: the exported program's `--repeat N`, used by bench:export.
 */
export async function runFlowRepeated(
  doc: Flow,
  count: number,
  options: RunFlowOptions & { concurrency?: number } = {},
): Promise<{ runs: number; succeeded: number; seconds: number; runsPerSec: number }> {
  const dataDir = options.ephemeral || !options.dataDir ? mkdtempSync(join(tmpdir(), 'millrace-run-')) : resolve(options.dataDir);
  const throwaway = options.ephemeral || !options.dataDir;
  const engine = createEngine({
    dataDir,
    ...(options.outputDir ? { outputDir: resolve(options.outputDir) } : {}),
    seedDemo: false,
    concurrency: options.concurrency ?? 20,
    log: options.log ?? (() => {}),
    ...options.engine,
  });
  const keepAlive = setInterval(() => {}, 60_000);
  try {
    if (options.connections?.length) await engine.importConnections(options.connections);
    const saved = await engine.saveFlow({ flow: doc });
    const started = performance.now();
    const ids = await Promise.all(
      Array.from({ length: count }, () => engine.startRun({ flowId: saved.flow.id, ...(options.input !== undefined ? { input: options.input } : {}) })),
    );
    const traces = await Promise.all(ids.map(({ runId }) => engine.waitForRun(runId)));
    const seconds = (performance.now() - started) / 1000;
    return { runs: count, succeeded: traces.filter((t) => t.run.status === 'succeeded').length, seconds, runsPerSec: count / seconds };
  } finally {
    clearInterval(keepAlive);
    await engine.close();
    if (throwaway) rmSync(dataDir, { recursive: true, force: true });
  }
}
