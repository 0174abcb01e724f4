/**
 * SIGKILL survival: runs waiting for approval survive a kill of the engine process and complete
 * after the decision; decisions in flight during kills are never acknowledged and then lost.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

const worker = join(dirname(fileURLToPath(import.meta.url)), 'approval-crash-worker.ts');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const RUNS = 60;

function start(dataDir: string, life: number, env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', worker], {
    env: { ...process.env, APPROVAL_DATA_DIR: dataDir, APPROVAL_RUNS: String(RUNS), APPROVAL_LIFE: String(life), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  const waiters: { test: (l: Record<string, unknown>) => boolean; resolve: () => void }[] = [];
  let buf = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => {
    buf += c.toString();
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = JSON.parse(buf.slice(0, nl)) as Record<string, unknown>;
      buf = buf.slice(nl + 1);
      lines.push(line);
      for (const w of [...waiters]) {
        if (!w.test(line)) continue;
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  });
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  const when = (test: (l: Record<string, unknown>) => boolean, what: string) =>
    Promise.race([
      new Promise<void>((resolve) => (lines.some(test) ? resolve() : waiters.push({ test, resolve }))),
      exited.then((e) => Promise.reject(new Error(`worker exited (${e.code ?? e.signal}) before ${what}:\n${err}`))),
    ]);
  return { child, lines, exited, when, stderr: () => err };
}

interface CrashAudit {
  kills: number;
  acked: number;
  /** Acknowledged decisions that are not the stored one (must be 0). */
  ackedThenLost: number;
  runsNotSucceeded: number;
  approvalsNotDecided: number;
  runsWithOtherThanOneSignal: number;
  /** Tickets not written exactly once to the file of their action (must be 0). */
  sinkWrong: number;
}

async function crashScenario(brokenAck: boolean): Promise<CrashAudit> {
  const dataDir = mkdtempSync(join(tmpdir(), 'millrace-approval-crash-'));
  dirs.push(dataDir);
  let kills = 0;
  // Life 0: every run parks on its approval, then the engine is killed.
  const w0 = start(dataDir, 0, { APPROVAL_DECIDE: '0' });
  await w0.when((l) => l['pending'] === RUNS, `${RUNS} pending approvals`);
  w0.child.kill('SIGKILL');
  if ((await w0.exited).signal === 'SIGKILL') kills++;

  // Lives 1..4 decide and die while decisions are in flight: odd lives kill themselves right after an
  // acknowledgement (the moment an ack-before-durable bug loses it), even lives are killed at random.
  // Every acknowledgement of every life (a lost one is followed by another life's ack of the same request).
  const acked: [string, { by: string; action: string }][] = [];
  for (let life = 1; life <= 4; life++) {
    const selfKill = life % 2 === 1;
    const w = start(dataDir, life, { APPROVAL_DECIDE: '1', APPROVAL_BROKEN_ACK: brokenAck ? '1' : '0', ...(selfKill ? { APPROVAL_DIE_AFTER_ACK: String(1 + Math.floor(Math.random() * 4)) } : {}) });
    if (!selfKill) {
      const outcome = await Promise.race([w.when((l) => typeof l['ack'] === 'string', 'an acknowledged decision').then(() => 'acked'), w.exited.then(() => 'exited')]);
      if (outcome === 'acked') {
        await new Promise((r) => setTimeout(r, Math.random() * 40));
        w.child.kill('SIGKILL');
      }
    }
    const exit = await w.exited;
    if (exit.signal === 'SIGKILL') kills++;
    for (const l of w.lines) if (typeof l['ack'] === 'string') acked.push([l['ack'], { by: String(l['by']), action: String(l['action']) }]);
    if (w.lines.some((l) => l['done'])) break;
  }
  // Last life: decides what is left (correctly) and finishes.
  const last = start(dataDir, 9, { APPROVAL_DECIDE: '1' });
  const exit = await last.exited;
  if (exit.code !== 0) throw new Error(`last worker failed (${exit.code ?? exit.signal}):\n${last.stderr()}`);
  for (const l of last.lines) if (typeof l['ack'] === 'string') acked.push([l['ack'], { by: String(l['by']), action: String(l['action']) }]);

  const db = new Database(join(dataDir, 'millrace.db'), { readonly: true });
  const runs = db.prepare(`SELECT id, status FROM runs`).all() as { id: string; status: string }[];
  const approvals = db.prepare(`SELECT id, run_id, status, decision FROM approvals`).all() as { id: string; run_id: string; status: string; decision: string | null }[];
  const signals = db.prepare(`SELECT run_id, count(*) AS n FROM signals GROUP BY run_id`).all() as { run_id: string; n: number }[];
  db.close();
  const stored = new Map(approvals.map((a) => [a.id, a.decision ? (JSON.parse(a.decision) as { by: string; action: string }) : null]));
  const read = (f: string) => (existsSync(join(dataDir, 'output', f)) ? readFileSync(join(dataDir, 'output', f), 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { ticket?: number; data?: { ticket: number } }) : []);
  const written = new Map<number, string[]>();
  for (const l of read('approved.jsonl')) written.set(l.ticket!, [...(written.get(l.ticket!) ?? []), 'approved']);
  for (const l of read('rejected.jsonl')) written.set(l.data!.ticket, [...(written.get(l.data!.ticket) ?? []), 'rejected']);
  let sinkWrong = 0;
  for (let t = 0; t < RUNS; t++) {
    const w = written.get(t) ?? [];
    if (w.length !== 1 || w[0] !== (t % 2 === 0 ? 'approved' : 'rejected')) sinkWrong++;
  }
  return {
    kills,
    acked: acked.length,
    ackedThenLost: acked.filter(([id, ack]) => stored.get(id)?.by !== ack.by || stored.get(id)?.action !== ack.action).length,
    runsNotSucceeded: RUNS - runs.filter((r) => r.status === 'succeeded').length,
    approvalsNotDecided: RUNS - approvals.filter((a) => a.status === 'decided').length,
    runsWithOtherThanOneSignal: RUNS - signals.filter((s) => s.n === 1).length,
    sinkWrong,
  };
}

describe('approvals survive SIGKILL', () => {
  it('waiting runs survive kills; decisions acknowledged before a kill are never lost; every run completes once', async () => {
    const audit = await crashScenario(false);
    console.log(`approval crash: ${JSON.stringify(audit)}`);
    expect(audit.kills).toBeGreaterThanOrEqual(3);
    expect(audit.acked).toBeGreaterThan(0);
    expect(audit).toMatchObject({ ackedThenLost: 0, runsNotSucceeded: 0, approvalsNotDecided: 0, runsWithOtherThanOneSignal: 0, sinkWrong: 0 });
  }, 240_000);

  it('the audit catches an engine that acknowledges a decision before committing it', async () => {
    const audit = await crashScenario(true);
    console.log(`approval crash, ack before commit: ${JSON.stringify(audit)}`);
    expect(audit.ackedThenLost).toBeGreaterThan(0);
  }, 240_000);
});
