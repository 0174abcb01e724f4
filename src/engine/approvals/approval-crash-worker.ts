/**
 * Approval crash worker (a real child process the test SIGKILLs). Starts N runs of
 * Manual trigger → Approval → Write file (dedupe keys make re-creation after a kill a no-op) and,
 * when APPROVAL_DECIDE=1, decides every pending approval as "worker-<life>", printing an `ack` line
 * only after the decision call resolved — i.e. only what the engine acknowledged.
 */
import { writeSync } from 'node:fs';
import { createEngine } from '../engine';
import { approvalFlow } from './testing';

const dataDir = process.env['APPROVAL_DATA_DIR']!;
const total = Number(process.env['APPROVAL_RUNS'] ?? 50);
const decide = process.env['APPROVAL_DECIDE'] === '1';
const life = process.env['APPROVAL_LIFE'] ?? '0';
/** Synchronous, so a line is out before a self-inflicted SIGKILL. */
const say = (o: Record<string, unknown>) => writeSync(1, `${JSON.stringify(o)}\n`);
/** Die right after the n-th acknowledgement: a decision acknowledged before it is durable would be lost. */
const dieAfterAck = Number(process.env['APPROVAL_DIE_AFTER_ACK'] ?? 0);
let acks = 0;

const engine = createEngine({ dataDir, seedDemo: false, concurrency: 8, approvals: { ackBeforeCommit: process.env['APPROVAL_BROKEN_ACK'] === '1' } });
await engine.saveFlow({ flow: approvalFlow('f', { editableFields: [{ path: 'note', type: 'string' }] }) });
const runIds: string[] = [];
for (let i = 0; i < total; i++) runIds.push((await engine.startRun({ flowId: 'f', input: { ticket: i }, dedupeKey: `job-${i}` })).runId);
say({ ready: true });

const inFlight = new Set<string>();
for (;;) {
  const counts = engine.runCounts();
  const finished = (counts['succeeded'] ?? 0) + (counts['failed'] ?? 0) + (counts['cancelled'] ?? 0);
  if (finished === total) break;
  const pending = await engine.listApprovals({ limit: 5000 });
  say({ pending: pending.length });
  if (decide) {
    // A few per turn, so a kill lands while decisions are in flight rather than after all of them.
    for (const item of pending.filter((p) => !inFlight.has(p.requestId)).slice(0, 4)) {
      inFlight.add(item.requestId);
      const ticket = (item.data as { ticket: number }).ticket;
      const action = ticket % 2 === 0 ? 'approve' : 'reject';
      void engine.approvals
        .decide({ requestId: item.requestId, action, ...(action === 'approve' ? { edits: { note: `by life ${life}` } } : { comment: `life ${life}` }) }, { by: `worker-${life}`, via: 'api' })
        .then((r) => {
          if (!r.accepted) return;
          say({ ack: item.requestId, by: r.decision.by, action: r.decision.action });
          if (++acks === dieAfterAck) process.kill(process.pid, 'SIGKILL');
        })
        .catch((e: unknown) => say({ refused: item.requestId, error: String(e) }));
    }
  }
  await new Promise((r) => setTimeout(r, 20));
}
await engine.close();
say({ done: true });
process.exit(0);
