/**
 * Power-loss test worker: a real child process the test SIGKILLs at random moments, with the
 * PowerLossRecorder keeping a shadow of exactly what was fsynced. It runs a mixed workload and
 * prints an `ACK` line (JSON) for everything the engine acknowledged — only after the engine's
 * promise resolved, which is the promise under test:
 *
 *   run      startRun returned a run id            (flows with two parallel effects, and a chain)
 *   trigger  enqueueTriggerRuns resolved          (a batch of trigger runs + the trigger's position)
 *   signal   signalRun accepted                    (runs waiting for a signal)
 *   rerun    rerun from a node, racing a startRun  (reused nodes must not execute again)
 *   flow     saveFlow returned a version
 *
 * Effects go to a "remote" log (appended and fsynced, never rolled back by the power cut, like a
 * server elsewhere): an effect whose run is missing after the cut is a durability violation.
 * Variants (POWER_LOSS_VARIANT): ok | fsync-does-nothing | ack-before-fsync.
 */
import { createEngine } from '../engine';
import { PowerLossRecorder } from './power-loss-recorder';
import { powerLossFlows, powerLossRegistry } from './power-loss-flows';

const dataDir = process.env['PL_DATA_DIR']!;
const shadowDir = process.env['PL_SHADOW_DIR']!;
const remoteLog = process.env['PL_REMOTE_LOG']!;
const variant = process.env['POWER_LOSS_VARIANT'] ?? 'ok';
const round = Number(process.env['PL_ROUND'] ?? 0);

const ack = (kind: string, data: Record<string, unknown>) => process.stdout.write(`ACK ${JSON.stringify({ kind, ...data })}\n`);

const registry = powerLossRegistry(remoteLog);
const recorder = new PowerLossRecorder({ dataDir, shadowDir, fsyncDoesNothing: variant === 'fsync-does-nothing' });
const engine = createEngine({
  dataDir,
  registry,
  seedDemo: false,
  concurrency: 8,
  retention: { maxAgeDays: null, maxRunsPerFlow: null },
  storage: {
    fs: recorder.fs,
    onCheckpointing: () => recorder.beforeCheckpoint(),
    onCheckpointed: () => recorder.afterCheckpoint(),
    maxWalBytes: 512 * 1024,
    idleCheckpointMs: 150,
    ...(variant === 'ack-before-fsync' ? { unsafeAcknowledgeAtCommit: true } : {}),
  },
  log: (line) => process.stderr.write(`[engine] ${line}\n`),
});
recorder.captureOpened();

let counter = 0;
async function main() {
  for (const flow of powerLossFlows) {
    const saved = await engine.saveFlow({ flow: { ...flow, name: `${flow.name} r${round}` } });
    ack('flow', { id: flow.id, version: saved.version });
  }
  process.stdout.write('READY\n');
  const loops = [runLoop('parallel'), runLoop('chain'), triggerLoop(), signalLoop(), rerunLoop()];
  await Promise.all(loops);
}

async function runLoop(flowId: string) {
  for (;;) {
    const { runId } = await engine.startRun({ flowId, input: { n: counter++ } });
    ack('run', { runId, flowId });
  }
}

async function triggerLoop() {
  let position = Number(engine.settings.get('pl_position') ?? 0);
  for (;;) {
    const batch = Array.from({ length: 5 }, (_, i) => ({ input: { position: position + i }, dedupeKey: `${(position + i).toString(16).toUpperCase().padStart(16, '0')}:0`, orderingKey: null }));
    const next = position + batch.length;
    await engine.enqueueTriggerRuns('trigger', batch, () => engine.settings.set('pl_position', String(next)));
    position = next;
    ack('trigger', { position, keys: batch.map((b) => b.dedupeKey) });
  }
}

async function signalLoop() {
  for (;;) {
    const { runId } = await engine.startRun({ flowId: 'signal', input: { n: counter++ } });
    ack('run', { runId, flowId: 'signal' });
    await new Promise((r) => setTimeout(r, 5));
    const { accepted } = await engine.signalRun({ runId, name: 'go', payload: { ok: true } });
    if (accepted) ack('signal', { runId });
  }
}

async function rerunLoop() {
  for (;;) {
    const fresh = await engine.startRun({ flowId: 'chain', input: { n: counter++ } });
    ack('run', { runId: fresh.runId, flowId: 'chain' });
    // Re-run a chain run that already succeeded, from before the last power cut if there is one:
    // cuts can come faster than a fresh run finishes on a loaded machine, and re-runs must happen.
    const earlier = (await engine.listRuns({ flowId: 'chain', limit: 50 })).find((r) => r.status === 'succeeded' && r.parentRunId == null);
    const runId = earlier?.id ?? fresh.runId;
    if (!earlier && (await engine.waitForRun(runId)).run.status !== 'succeeded') continue;
    // A re-run from the second effect, racing a startRun in the same turn: the first effect is
    // reused from the original run and must never be delivered under the new run's id.
    const [rerun, racing] = await Promise.all([engine.rerun({ runId, fromNodeId: 'b' }), engine.startRun({ flowId: 'parallel', input: { n: counter++ } })]);
    ack('rerun', { runId: rerun.runId, parent: runId, reused: ['a'] });
    ack('run', { runId: racing.runId, flowId: 'parallel' });
    await engine.waitForRun(rerun.runId);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`worker failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(3);
});
