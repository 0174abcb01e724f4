/**
 * Plays a demo pack into an engine, offline and deterministically:
 *
 * 1. its LLM answers become a replay fixture in <data folder>/llm-replay/ and join the replay book
 *    (added last, so for a request the pack recorded, the pack's answer is the one given);
 * 2. its flow is saved with every LLM node on the replay provider (same id and name when the id is
 *    free, else a new id and the name suffixed "(pack)"); its trigger is never activated;
 * 3. its timeline plays one event at a time — a change starts its run through the path its source
 *    used (a trigger change through `enqueueTriggerRuns`, a manual one through `startRun`, both with
 *    the change's dedupe key, so the run id is `runIdForEvent(flow, key)` as in the source), a
 *    decision decides that run's request through `Approvals.decide` with the recorded action,
 *    edits, comment and reviewer — and after each event the play waits until every run it started
 *    is finished, waiting on a person, or queued behind such a run (same ordering key). So the runs
 *    meet the sinks in the pack's order on every machine, whatever the scheduler's timing.
 *
 * Changes and decisions are merged by time: a decision made before a change was created is played
 * before it. A run whose request has no recorded decision is left waiting in the inbox.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SavedFlow, StartRunArgs } from '../../../shared/api';
import { newId } from '../../../shared/ids';
import type { RunEvent, RunStatus } from '../../../shared/runs';
import type { Approvals } from '../../approvals/approvals';
import { ensurePrivateDir, PRIVATE_FILE_MODE, tightenFile } from '../../data-folder/file-modes';
import type { Db } from '../../store/database';
import type { ReplayBook } from '../../services/llm/providers/replay';
import { runIdForEvent } from '../../triggers/run-ids';
import type { TriggerRunInput } from '../../triggers/trigger-manager';
import type { DemoPack, PackChange, PackDecision } from './pack-format';

export interface PlayHost {
  db: Db;
  dataDir: string;
  replayBook: ReplayBook;
  approvals: Pick<Approvals, 'decide'>;
  flowExists(id: string): boolean;
  saveFlow(arg: { flow: unknown }): Promise<SavedFlow>;
  startRun(arg: StartRunArgs): Promise<{ runId: string; deduplicated: boolean }>;
  enqueueTriggerRuns(flowId: string, runs: readonly TriggerRunInput[]): Promise<{ created: number; deduplicated: number }>;
  onRunEvent(listener: (e: RunEvent) => void): () => void;
  runStatus(runId: string): RunStatus | undefined;
}

export interface PlayedRun {
  dedupeKey: string;
  runId: string;
  /** Where the run is when the play ends: finished, or 'waiting' on a request the pack has no decision for. */
  status: RunStatus;
  /** False when this data folder already had the run (the same pack played here before). */
  created: boolean;
  decisions: number;
  error?: string;
}

export interface PlayResult {
  flowId: string;
  flowName: string;
  runs: PlayedRun[];
  /** Recorded decisions that found nothing to decide (the run never reached that approval here). */
  unmatchedDecisions: { dedupeKey: string; nodeId: string; reason: string }[];
}

export interface PlayOptions {
  /** Longest wait for the runs to settle after one event. Default 120 s. */
  settleTimeoutMs?: number;
}

const FINISHED = new Set<RunStatus>(['succeeded', 'failed', 'cancelled']);

export async function playDemoPack(host: PlayHost, pack: DemoPack, options: PlayOptions = {}): Promise<PlayResult> {
  const settleTimeoutMs = options.settleTimeoutMs ?? 120_000;
  const taken = host.flowExists(pack.flow.id);
  const flow = taken ? { ...pack.flow, id: newId('flow'), name: `${pack.flow.name} (pack)` } : pack.flow;

  installAnswers(host, pack, flow.id);
  await host.saveFlow({ flow });

  const played = new Map<string, PlayedRun & { orderingKey: string | null }>();
  const unmatchedDecisions: PlayResult['unmatchedDecisions'] = [];
  const pendingStmt = host.db.prepare(`SELECT count(*) AS n FROM approvals WHERE run_id = ? AND status = 'pending'`);
  const headStmt = host.db.prepare(`SELECT id, status FROM runs WHERE ordering_key = ? AND status IN ('queued','running','waiting') ORDER BY seq LIMIT 1`);
  const errorStmt = host.db.prepare(`SELECT error FROM runs WHERE id = ?`);
  const waitsOnPerson = (runId: string) => (pendingStmt.get(runId) as { n: number }).n > 0;

  const settledRun = (r: PlayedRun & { orderingKey: string | null }): boolean => {
    const status = host.runStatus(r.runId);
    if (status === undefined || FINISHED.has(status)) return true;
    if (status === 'waiting') return waitsOnPerson(r.runId);
    // Queued behind a run of the same ordering key that waits for a person: it cannot move until that decision.
    if (status !== 'queued' || r.orderingKey === null) return false;
    const head = headStmt.get(r.orderingKey) as { id: string; status: string } | undefined;
    return head !== undefined && head.id !== r.runId && head.status === 'waiting' && waitsOnPerson(head.id);
  };
  const waiter = conditionWaiter();
  // Runs not known to be finished: a finished run stays finished, so each check looks at these only.
  const open = new Set<PlayedRun & { orderingKey: string | null }>();
  const allSettled = () => {
    for (const r of open) {
      if (FINISHED.has(host.runStatus(r.runId) ?? 'succeeded')) open.delete(r);
      else if (!settledRun(r)) return false;
    }
    return true;
  };
  const settle = () => waiter.until(allSettled, settleTimeoutMs, () => describeUnsettled([...open].filter((r) => !settledRun(r)), host));

  // Ordering keys are shared by every flow of a data folder (run-queue.ts): a copy's runs are kept
  // apart from the original's, or a change would queue behind the original run of the same row.
  const orderingKeyOf = (c: PackChange) => (c.orderingKey !== null && taken ? `${flow.id}:${c.orderingKey}` : c.orderingKey);

  const playChange = async (c: PackChange) => {
    const runId = runIdForEvent(flow.id, c.dedupeKey);
    const orderingKey = orderingKeyOf(c);
    let created: boolean;
    if (c.source === 'trigger') {
      created = (await host.enqueueTriggerRuns(flow.id, [{ input: c.input, dedupeKey: c.dedupeKey, orderingKey }])).created > 0;
    } else {
      const r = await host.startRun({ flowId: flow.id, ...(c.input !== undefined ? { input: c.input } : {}), dedupeKey: c.dedupeKey, ...(orderingKey !== null ? { orderingKey } : {}) });
      if (r.runId !== runId) throw new Error(`internal: run id ${r.runId} is not the id derived from the dedupe key (${runId})`);
      created = !r.deduplicated;
    }
    const run = { dedupeKey: c.dedupeKey, runId, status: 'queued' as RunStatus, created, decisions: 0, orderingKey };
    played.set(c.dedupeKey, run);
    open.add(run);
    await settle();
  };

  const playDecision = async (d: PackDecision) => {
    const run = played.get(d.dedupeKey)!;
    const requestId = (host.db.prepare(`SELECT id FROM approvals WHERE run_id = ? AND node_id = ?`).get(run.runId, d.nodeId) as { id: string } | undefined)?.id;
    if (!requestId) {
      unmatchedDecisions.push({ dedupeKey: d.dedupeKey, nodeId: d.nodeId, reason: 'the run never opened this approval' });
      return;
    }
    // The inbox's path (Approvals.decide), under the recorded reviewer's name: the node's output
    // records who decided, and it must read the same on every machine.
    const result = await host.approvals.decide(
      { requestId, action: d.action, comment: d.comment, ...(d.action === 'approve' ? { edits: d.edits } : {}) },
      { by: d.by, via: d.via },
    );
    if (result.accepted) run.decisions++;
    else unmatchedDecisions.push({ dedupeKey: d.dedupeKey, nodeId: d.nodeId, reason: result.message });
    await settle();
  };

  const decisions = [...pack.decisions].sort((a, b) => a.at - b.at);
  const due = (before: number | null) => {
    const out: PackDecision[] = [];
    for (let i = 0; i < decisions.length; ) {
      const d = decisions[i]!;
      if ((before === null || d.at < before) && played.has(d.dedupeKey)) {
        out.push(d);
        decisions.splice(i, 1);
      } else i++;
    }
    return out;
  };

  const unsubscribe = host.onRunEvent(() => waiter.wake());
  try {
    for (const c of pack.changes) {
      for (const d of due(c.at)) await playDecision(d);
      await playChange(c);
    }
    for (const d of due(null)) await playDecision(d);
  } finally {
    unsubscribe();
  }

  const runs: PlayedRun[] = [...played.values()].map(({ orderingKey: _o, ...r }) => {
    const status = host.runStatus(r.runId) ?? r.status;
    const error = status === 'failed' ? errorMessage((errorStmt.get(r.runId) as { error: string | null } | undefined)?.error ?? null) : undefined;
    return { ...r, status, ...(error ? { error } : {}) };
  });
  return { flowId: flow.id, flowName: flow.name, runs, unmatchedDecisions };
}

/** The pack's answers as a fixture file in the data folder (re-runs and restarts find them) and in the live book. */
function installAnswers(host: PlayHost, pack: DemoPack, flowId: string) {
  const dir = join(host.dataDir, 'llm-replay');
  ensurePrivateDir(dir);
  const file = join(dir, `pack-${flowId}.json`);
  // Recorded prompts and answers are run data: private like the database.
  writeFileSync(file, `${JSON.stringify(pack.llmAnswers, null, 1)}\n`, { mode: PRIVATE_FILE_MODE });
  tightenFile(file);
  host.replayBook.addFixture(pack.llmAnswers);
}

function errorMessage(json: string | null): string | undefined {
  if (json === null) return undefined;
  try {
    const e = JSON.parse(json) as unknown;
    return typeof e === 'object' && e !== null && 'message' in e ? String(e.message) : json;
  } catch {
    return json;
  }
}

function describeUnsettled(runs: PlayedRun[], host: PlayHost): string {
  return runs
    .slice(0, 5)
    .map((r) => `${r.runId} (${host.runStatus(r.runId) ?? 'missing'})`)
    .join(', ');
}

/**
 * Waits for a condition re-checked on every run event; a slow re-check (250 ms) covers transitions
 * that emit nothing (a queued run unblocked by its ordering key emits only once it starts).
 */
function conditionWaiter() {
  const waiters = new Set<() => void>();
  return {
    wake: () => [...waiters].forEach((w) => w()),
    async until(done: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
      if (done()) return;
      await new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!done()) return;
          cleanup();
          resolve();
        };
        const recheck = setInterval(check, 250);
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`demo pack: the runs did not finish or reach an approval within ${Math.round(timeoutMs / 1000)} s: ${describe()}`));
        }, timeoutMs);
        const cleanup = () => {
          clearInterval(recheck);
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
      });
    },
  };
}
