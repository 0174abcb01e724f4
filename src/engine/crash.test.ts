import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCrashTest } from './testing/crash-harness';

describe('crash test (real processes, SIGKILL)', () => {
  it('1,000 runs with a sleep, a signal wait and an idempotent sink survive 50 random SIGKILLs', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'millrace-crash-'));
    try {
      // The sink's hold keeps the workload alive (≈ 20 s of work) across all 50 kills, however fast the machine.
      const r = await runCrashTest({ dataDir, runs: 1000, kills: 50, concurrency: 2, holdMs: 40 });
      expect(r.kills).toBe(50);
      expect(r.runs).toBe(1000);
      expect(r.lost).toBe(0);
      expect(r.stuck).toBe(0);
      expect(r.wrongState).toBe(0);
      expect(r.effects).toBe(1000);
      expect(r.runsWithoutEffect).toBe(0);
      expect(r.runsWithDuplicateEffect).toBe(0);
      expect(r.rawDuplicateAttempts).toBeLessThanOrEqual(r.kills);
      console.log(`crash test: ${JSON.stringify(r)}`);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 600_000);
});
