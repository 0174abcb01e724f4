/**
 * Crash-test worker (a real child process the harness SIGKILLs at random moments).
 * Creates N runs (dedupe keys make re-creation after a kill a no-op), plays the approver by
 * signalling every run that waits, and reports progress as JSON lines on stdout.
 * The sink writes to its own SQLite file: an idempotent effects table keyed by the step's
 * idempotency key, plus a raw log of every attempt to count duplicates the key absorbed.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { z } from 'zod';
import { createEngine } from '../engine';
import { defineNode, NodeRegistry, type AnyNodeDefinition } from '../../shared/node-kit';
import { allNodeDefinitions } from '../../nodes';
import { sleepNode, waitNode } from './test-nodes';
import type { Flow } from '../../shared/flow/schema';

const dataDir = process.env['CRASH_DATA_DIR']!;
const total = Number(process.env['CRASH_RUNS'] ?? 1000);
const concurrency = Number(process.env['CRASH_CONCURRENCY'] ?? 4);
const napMs = Number(process.env['CRASH_NAP_MS'] ?? 15);
/** Time the sink spends before its write: keeps a long kill series from outrunning the workload. */
const holdMs = Number(process.env['CRASH_HOLD_MS'] ?? 0);

const sinkDb = new Database(join(dataDir, 'sink.db'));
sinkDb.pragma('journal_mode = WAL');
sinkDb.pragma('synchronous = FULL');
sinkDb.exec(`CREATE TABLE IF NOT EXISTS effects (key TEXT PRIMARY KEY, run_id TEXT NOT NULL, job TEXT);
             CREATE TABLE IF NOT EXISTS attempts (id INTEGER PRIMARY KEY, key TEXT NOT NULL)`);
const logAttempt = sinkDb.prepare(`INSERT INTO attempts (key) VALUES (?)`);
const applyEffect = sinkDb.prepare(`INSERT OR IGNORE INTO effects (key, run_id, job) VALUES (?, ?, ?)`);

const sinkNode = defineNode({
  type: 'test.sqlite-sink', version: 1, title: 'SQLite sink', description: 'idempotent by key', category: 'sink',
  config: z.object({}), inputs: { in: { type: 'any' } }, outputs: { out: { type: 'any' } }, ui: {},
  async execute(ctx, { in: input }) {
    const key = ctx.step.idempotencyKey('write');
    const written = await ctx.step.run('write', async () => {
      if (holdMs > 0) await new Promise((r) => setTimeout(r, holdMs));
      logAttempt.run(key);
      const job = String(((input as { input?: { job?: string } }).input ?? {}).job ?? '');
      return applyEffect.run(key, ctx.runId, job).changes;
    });
    return { out: { written } };
  },
  exportCode: () => '',
});

const registry = new NodeRegistry([...allNodeDefinitions, sleepNode, waitNode, sinkNode] as AnyNodeDefinition[]);

const flow: Flow = {
  schemaVersion: 1,
  id: 'crash-flow',
  name: 'Crash test',
  nodes: [
    { id: 't', type: 'manual-trigger@1', name: 'Start', position: { x: 0, y: 0 }, config: {} },
    { id: 'nap', type: 'test.sleep@1', name: 'Nap', position: { x: 200, y: 0 }, config: { ms: napMs } },
    { id: 'wait', type: 'test.wait@1', name: 'Approval', position: { x: 400, y: 0 }, config: { signal: 'approve' } },
    { id: 'sink', type: 'test.sqlite-sink@1', name: 'Sink', position: { x: 600, y: 0 }, config: {} },
  ],
  edges: [
    { id: 'e1', source: 't', sourcePort: 'out', target: 'nap', targetPort: 'in' },
    { id: 'e2', source: 'nap', sourcePort: 'out', target: 'wait', targetPort: 'in' },
    { id: 'e3', source: 'wait', sourcePort: 'out', target: 'sink', targetPort: 'in' },
  ],
};

const say = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);

async function main() {
  const engine = createEngine({ dataDir, registry, seedDemo: false, concurrency, retention: { maxAgeDays: null, maxRunsPerFlow: null } });
  if ((await engine.listFlows()).length === 0) await engine.saveFlow({ flow });
  say({ ready: true });
  for (let i = 0; i < total; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, total - i) }, (_, k) =>
        engine.startRun({ flowId: 'crash-flow', input: { job: `job-${i + k}` }, dedupeKey: `job-${i + k}` }),
      ),
    );
  }
  say({ created: total });
  // The approver: signal every waiting run. Repeats across restarts are absorbed by the engine.
  for (;;) {
    const waiting = await engine.listRuns({ limit: 1000 }).then((runs) => runs.filter((r) => r.status === 'waiting'));
    await Promise.all(waiting.map((r) => engine.signalRun({ runId: r.id, name: 'approve', payload: { by: 'crash-test' } })));
    const counts = engine.runCounts();
    say({ counts });
    if ((counts['succeeded'] ?? 0) + (counts['failed'] ?? 0) + (counts['cancelled'] ?? 0) >= total) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  await engine.close();
  say({ done: true });
}

void main().catch((e: unknown) => {
  process.stderr.write(`crash worker failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
