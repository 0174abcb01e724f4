/**
 * Timing waterfall of the shown run: one bar per node from start to finish, with its failed attempts,
 * the backoff waits between them, and waits (approvals, timers) drawn apart.
 */
import { useState } from 'react';
import { selectedTrace, useRuns } from '../stores/run-store';
import { useEditor } from '../stores/editor-store';
import { formatDuration } from '../canvas/node-look';
import type { NodeTrace } from '../../shared/runs';
import { useNow } from '../ui/use-now';
import { isActive } from './run-status';

interface Segment {
  kind: 'attempt' | 'failed-attempt' | 'backoff' | 'wait';
  from: number;
  to: number;
  label: string;
}

/** Attempts and backoff waits from the trace: a failed attempt ends at its `at`, the next starts at its `retryAt`. */
export function segmentsOf(n: NodeTrace, end: number): Segment[] {
  if (n.startedAt === null) return [];
  const out: Segment[] = [];
  let cursor = n.attempts.length > 0 ? Math.min(n.startedAt, n.attempts[0]!.at) : n.startedAt;
  for (const a of n.attempts) {
    out.push({ kind: 'failed-attempt', from: cursor, to: a.at, label: `attempt ${a.attempt} failed: ${a.error.message}` });
    if (a.retryAt !== null) out.push({ kind: 'backoff', from: a.at, to: a.retryAt, label: `backoff ${formatDuration(a.retryAt - a.at)} before retry` });
    cursor = Math.max(a.retryAt ?? a.at, a.at);
  }
  const finish = n.finishedAt ?? end;
  if (n.status === 'waiting' && n.waiting?.kind !== 'retry') out.push({ kind: 'wait', from: n.startedAt, to: finish, label: `waiting (${n.waiting?.kind ?? 'wait'})` });
  else out.push({ kind: 'attempt', from: Math.max(cursor, n.startedAt), to: finish, label: `${n.status}${n.durationMs !== null ? ` in ${formatDuration(n.durationMs)}` : ''}` });
  return out.filter((s) => s.to >= s.from);
}

export function RunWaterfall() {
  const trace = useRuns(selectedTrace);
  const names = useEditor((s) => s.flow?.nodes);
  const [open, setOpen] = useState(true);
  const now = useNow(trace && isActive(trace.run.status) ? 1000 : null);
  if (!trace) return null;
  const nodes = Object.values(trace.nodes).filter((n) => n.startedAt !== null && n.status !== 'skipped');
  if (nodes.length === 0) return null;
  const start = Math.min(...nodes.map((n) => Math.min(n.startedAt!, ...n.attempts.map((a) => a.at))));
  const end = Math.max(trace.run.finishedAt ?? now, ...nodes.map((n) => n.finishedAt ?? n.startedAt!));
  const span = Math.max(1, end - start);
  const nameOf = (id: string) => names?.find((n) => n.id === id)?.name ?? id;
  nodes.sort((a, b) => a.startedAt! - b.startedAt!);
  return (
    <div className="waterfall" data-testid="waterfall">
      <button type="button" className="waterfall__head" aria-expanded={open} onClick={() => setOpen(!open)}>
        Timing · {formatDuration(span)}
      </button>
      {open
        ? nodes.map((n) => (
            <div className="waterfall__row" key={n.nodeId} data-testid="waterfall-row" data-node-id={n.nodeId}>
              <span className="waterfall__name" title={nameOf(n.nodeId)}>
                {nameOf(n.nodeId)}
              </span>
              <span className="waterfall__track">
                {segmentsOf(n, end).map((s, i) => (
                  <span
                    key={i}
                    className={`waterfall__bar waterfall__bar--${s.kind}`}
                    data-kind={s.kind}
                    title={s.label}
                    style={{ left: `${((s.from - start) / span) * 100}%`, width: `max(2px, ${((s.to - s.from) / span) * 100}%)` }}
                  />
                ))}
              </span>
              <span className="waterfall__ms">{formatDuration(n.durationMs)}</span>
            </div>
          ))
        : null}
    </div>
  );
}
