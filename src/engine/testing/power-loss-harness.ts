/**
 * Power-loss harness: rounds of (start the worker on the data folder → SIGKILL it at a random
 * moment → keep only what the recorder says was fsynced), then a final engine that finishes every
 * run, then an audit against everything that was acknowledged along the way and every effect the
 * remote target received.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { materializePowerLoss } from './power-loss-recorder';
import { effectNodes } from './power-loss-flows';

export type Variant = 'ok' | 'fsync-does-nothing' | 'ack-before-fsync';

interface Ack {
  kind: 'run' | 'trigger' | 'signal' | 'rerun' | 'flow';
  runId?: string;
  flowId?: string;
  id?: string;
  version?: number;
  position?: number;
  keys?: string[];
  parent?: string;
  reused?: string[];
}

export interface PowerLossReport {
  variant: Variant;
  kills: number;
  acknowledged: { runs: number; triggerBatches: number; signals: number; reruns: number; flowSaves: number };
  runs: number;
  effects: number;
  /** Every entry is a durability violation. */
  violations: string[];
  /** Effects delivered more than once (same key), each flagged "may have been delivered before". */
  redelivered: number;
  seconds: number;
}

const worker = join(dirname(fileURLToPath(import.meta.url)), 'power-loss-worker.ts');

async function round(variant: Variant, dataDir: string, shadowDir: string, remoteLog: string, n: number, killAfterMs: number | null): Promise<Ack[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', worker], {
    env: { ...process.env, PL_DATA_DIR: dataDir, PL_SHADOW_DIR: shadowDir, PL_REMOTE_LOG: remoteLog, POWER_LOSS_VARIANT: variant, PL_ROUND: String(n) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const acks: Ack[] = [];
  let buffer = '';
  let stderr = '';
  let readyResolve!: () => void;
  const ready = new Promise<void>((r) => (readyResolve = r));
  child.stdout.on('data', (c: Buffer) => {
    buffer += c.toString();
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (line === 'READY') readyResolve();
      else if (line.startsWith('ACK ')) acks.push(JSON.parse(line.slice(4)) as Ack);
    }
  });
  child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-20_000)));
  const exited = new Promise<{ code: number | null; signal: string | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  const first = await Promise.race([ready.then(() => 'ready' as const), exited.then(() => 'exited' as const)]);
  if (first === 'exited') throw new Error(`power-loss worker exited before it was ready:\n${stderr}`);
  await new Promise((r) => setTimeout(r, killAfterMs ?? 0));
  child.kill('SIGKILL');
  const exit = await exited;
  if (exit.signal !== 'SIGKILL') throw new Error(`power-loss worker ended by itself (${exit.code}):\n${stderr}`);
  return acks;
}

export interface PowerLossOptions {
  variant: Variant;
  kills: number;
  /** Random kill moment after the worker is ready, in ms. */
  minLifeMs?: number;
  maxLifeMs?: number;
  /** Finishes every run on the last data folder (an engine in this process, with the worker's node types). */
  finish: (dataDir: string, remoteLog: string) => Promise<void>;
  log?: (line: string) => void;
}

export async function runPowerLossTest(o: PowerLossOptions): Promise<PowerLossReport> {
  const t0 = Date.now();
  const root = mkdtempSync(join(tmpdir(), `millrace-power-${o.variant}-`));
  const remoteLog = join(root, 'remote.jsonl');
  const acks: Ack[] = [];
  let dataDir = join(root, 'disk-0');
  try {
    for (let k = 0; k < o.kills; k++) {
      const shadowDir = join(root, `shadow-${k}`);
      const life = (o.minLifeMs ?? 150) + Math.random() * ((o.maxLifeMs ?? 700) - (o.minLifeMs ?? 150));
      acks.push(...(await round(o.variant, dataDir, shadowDir, remoteLog, k, life)));
      // The power cut: the next life starts from what was durable, nothing else.
      const next = join(root, `disk-${k + 1}`);
      materializePowerLoss(shadowDir, next);
      dataDir = next;
      o.log?.(`${o.variant}: kill ${k + 1}/${o.kills}, ${acks.length} acknowledgements so far`);
    }
    await o.finish(dataDir, remoteLog);
    return { ...audit(dataDir, remoteLog, acks), variant: o.variant, kills: o.kills, seconds: (Date.now() - t0) / 1000 };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function audit(dataDir: string, remoteLog: string, acks: Ack[]): Omit<PowerLossReport, 'variant' | 'kills' | 'seconds'> {
  const violations: string[] = [];
  const db = new Database(join(dataDir, 'millrace.db'), { readonly: true });
  const runs = new Map(
    (
      db.prepare(`SELECT id, flow_id, status, dedupe_key, parent_run_id, coalesce(effect_key_run_id, id) AS key_run FROM runs`).all() as {
        id: string;
        flow_id: string;
        status: string;
        dedupe_key: string | null;
        parent_run_id: string | null;
        /** Re-runs key their effects by the first run of their chain (the target recognises the repeat). */
        key_run: string;
      }[]
    ).map((r) => [r.id, r]),
  );
  const dedupe = new Set([...runs.values()].filter((r) => r.flow_id === 'trigger').map((r) => r.dedupe_key));
  const signals = new Set(db.prepare(`SELECT run_id FROM signals WHERE name = 'go'`).pluck().all() as string[]);
  const flowVersions = new Map((db.prepare(`SELECT id, version FROM flows`).all() as { id: string; version: number }[]).map((f) => [f.id, f.version]));
  const position = Number((db.prepare(`SELECT value FROM settings WHERE key = 'pl_position'`).pluck().get() as string | undefined) ?? 0);
  const redeliveredSteps = new Set(
    (db.prepare(`SELECT run_id || '/' || node_id FROM steps WHERE name LIKE 'redelivered:deliver:%'`).pluck().all() as string[]),
  );
  const succeededNodes = new Set(db.prepare(`SELECT run_id || '/' || node_id FROM node_runs WHERE status = 'succeeded'`).pluck().all() as string[]);
  db.close();

  const counts = { runs: 0, triggerBatches: 0, signals: 0, reruns: 0, flowSaves: 0 };
  let maxPosition = 0;
  for (const a of acks) {
    if (a.kind === 'run' || a.kind === 'rerun') {
      if (a.kind === 'run') counts.runs++;
      else counts.reruns++;
      if (!runs.has(a.runId!)) violations.push(`acknowledged ${a.kind} ${a.runId} is missing after the power cut`);
    } else if (a.kind === 'trigger') {
      counts.triggerBatches++;
      maxPosition = Math.max(maxPosition, a.position!);
      for (const k of a.keys!) if (!dedupe.has(k)) violations.push(`acknowledged trigger event ${k} has no run`);
    } else if (a.kind === 'signal') {
      counts.signals++;
      if (!signals.has(a.runId!)) violations.push(`acknowledged signal for ${a.runId} is missing`);
    } else if (a.kind === 'flow') {
      counts.flowSaves++;
      if ((flowVersions.get(a.id!) ?? 0) < a.version!) violations.push(`acknowledged save of flow ${a.id} v${a.version} is missing`);
    }
  }
  if (position < maxPosition) violations.push(`acknowledged trigger position ${maxPosition} but the journal holds ${position}`);

  for (const r of runs.values()) {
    if (r.status !== 'succeeded') violations.push(`run ${r.id} (${r.flow_id}) ended ${r.status}, not succeeded (stuck or lost work)`);
  }
  const effects = existsSync(remoteLog)
    ? readFileSync(remoteLog, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as { key: string; runId: string; nodeId: string; mayHaveRunBefore: boolean })
    : [];
  // Deliveries per (run, key): a re-run repeating its first run's effect with the same key is by
  // design (the target dedupes it); two deliveries within one run need the trace's redelivery mark.
  const byKey = new Map<string, typeof effects>();
  for (const e of effects) {
    const run = runs.get(e.runId);
    if (!run) violations.push(`effect ${e.key} was delivered for run ${e.runId}, which does not exist after the power cut`);
    else if (e.key !== `${run.key_run}:${e.nodeId}:deliver`) violations.push(`effect for ${e.runId}/${e.nodeId} carried key ${e.key}`);
    const k = `${e.runId}|${e.key}`;
    byKey.set(k, [...(byKey.get(k) ?? []), e]);
  }
  let redelivered = 0;
  for (const [runAndKey, list] of byKey) {
    const key = runAndKey.slice(runAndKey.indexOf('|') + 1);
    if (list.length < 2) continue;
    redelivered += list.length - 1;
    const { runId, nodeId } = list[0]!;
    if (!redeliveredSteps.has(`${runId}/${nodeId}`) || !list.slice(1).every((e) => e.mayHaveRunBefore)) {
      violations.push(`effect ${key} delivered ${list.length}x without "may have been delivered before" on the trace`);
    }
  }
  // Every succeeded run delivered each of its effect nodes (a re-run from "b" reuses "a", so it delivers only "b").
  for (const r of runs.values()) {
    if (r.status !== 'succeeded') continue;
    for (const nodeId of effectNodes[r.flow_id] ?? []) {
      const reused = r.parent_run_id !== null && nodeId === 'a';
      const delivered = byKey.has(`${r.id}|${r.key_run}:${nodeId}:deliver`);
      if (reused && delivered) violations.push(`re-run ${r.id} executed reused node ${nodeId} again`);
      if (!reused && !delivered && succeededNodes.has(`${r.id}/${nodeId}`)) violations.push(`run ${r.id} succeeded without delivering ${nodeId}`);
    }
  }
  return { acknowledged: counts, runs: runs.size, effects: effects.length, violations, redelivered };
}
