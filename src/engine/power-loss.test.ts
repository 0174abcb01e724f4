/**
 * Power loss, simulated: the worker is SIGKILLed at random moments and only what it fsynced
 * survives (testing/power-loss-recorder.ts). Every acknowledged run, trigger batch and position,
 * signal and flow save must survive; no effect may exist whose run is missing; no run stuck;
 * a repeated effect only with the same key and "may have been delivered before" on its trace.
 * The same audit must catch two broken variants: an fsync that does nothing, and an
 * acknowledgement before the fsync. Also runnable alone: `npm run test:power-loss`.
 */
import { describe, expect, it } from 'vitest';
import { createEngine } from './engine';
import { powerLossRegistry } from './testing/power-loss-flows';
import { runPowerLossTest, type Variant } from './testing/power-loss-harness';

async function finish(dataDir: string, remoteLog: string) {
  const engine = createEngine({ dataDir, registry: powerLossRegistry(remoteLog), seedDemo: false, retention: { maxAgeDays: null, maxRunsPerFlow: null } });
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const waiting = (await engine.listRuns({ flowId: 'signal', limit: 10_000 })).filter((r) => r.status === 'waiting');
      for (const r of waiting) await engine.signalRun({ runId: r.id, name: 'go', payload: { ok: true } });
      const counts = engine.runCounts();
      if (!counts['queued'] && !counts['running'] && !counts['waiting']) break;
      if (Date.now() > deadline) throw new Error(`runs did not finish after the last power cut: ${JSON.stringify(counts)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await engine.close();
  }
}

const kills = Number(process.env['POWER_LOSS_KILLS'] ?? 5);
const run = (variant: Variant) => runPowerLossTest({ variant, kills, finish, log: (l) => process.env['POWER_LOSS_VERBOSE'] && console.log(l) });

describe('power loss', () => {
  it('loses nothing acknowledged, runs no effect ahead of its run, leaves nothing stuck', async () => {
    const report = await run('ok');
    console.log(`power loss (ok): ${JSON.stringify({ ...report, violations: report.violations.slice(0, 5) })}`);
    expect(report.acknowledged.runs).toBeGreaterThan(50);
    expect(report.acknowledged.signals).toBeGreaterThan(5);
    expect(report.acknowledged.triggerBatches).toBeGreaterThan(5);
    expect(report.acknowledged.reruns).toBeGreaterThan(0);
    expect(report.violations).toEqual([]);
  }, 180_000);

  it.each(['fsync-does-nothing', 'ack-before-fsync'] as const)('catches the broken variant: %s', async (variant) => {
    const report = await run(variant);
    console.log(`power loss (${variant}): ${report.violations.length} violations, e.g. ${report.violations.slice(0, 3).join(' | ')}`);
    expect(report.violations.length).toBeGreaterThan(0);
  }, 180_000);
});
