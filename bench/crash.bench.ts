/**
 * bench:crash — the crash test at full strength: 1,000 runs (sleep, signal wait, idempotent sink)
 * in a worker process SIGKILLed at ≥ 200 random moments. Prints the audit; fails loudly on any loss.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCrashTest } from '../src/engine/testing/crash-harness';
import { saveResults } from './stats';

const kills = Number(process.env['CRASH_KILLS'] ?? 200);
const runs = Number(process.env['CRASH_RUNS'] ?? 1000);

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'millrace-crash-bench-'));
  try {
    // Concurrency 1 and a slow sink keep the workload alive long enough for every kill to land mid-work.
    const r = await runCrashTest({ dataDir, runs, kills, concurrency: 1, napMs: 20, holdMs: 80, log: (s) => console.log(s) });
    const ok = r.lost === 0 && r.stuck === 0 && r.wrongState === 0 && r.effects === runs && r.runsWithDuplicateEffect === 0 && r.rawDuplicateAttempts <= r.kills;
    console.log(ok ? 'crash bench: PASS' : 'crash bench: FAIL');
    saveResults('crash', { ...r, pass: ok });
    if (!ok) process.exitCode = 1;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

void main();
