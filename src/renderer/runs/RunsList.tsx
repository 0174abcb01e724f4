/** Recent runs of the open flow; clicking one overlays it on the canvas. */
import { useEffect, useState } from 'react';
import type { RunStatus } from '../../shared/runs';
import { useRuns } from '../stores/run-store';
import { refreshRuns, runFlow, selectRun } from '../actions';
import { formatDuration, timeAgo } from '../canvas/node-look';
import { Icon } from '../ui/icons';

export const RUN_STATUS_LABEL = {
  queued: 'Queued',
  running: 'Running',
  waiting: 'Waiting',
  succeeded: 'Succeeded',
  failed: 'Failed',
  cancelled: 'Cancelled',
} satisfies Record<RunStatus, string>;

/** Re-renders every few seconds so "2m ago" stays true. */
function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

export function RunsList() {
  const runs = useRuns((s) => s.runs);
  const selected = useRuns((s) => s.selectedRunId);
  const now = useNow(10_000);
  useEffect(() => {
    void refreshRuns();
  }, []);
  if (runs.length === 0) {
    return (
      <div className="inspector__body">
        <div className="empty-note">
          <Icon name="play" size={24} className="muted" />
          <p>No runs yet.</p>
          <button type="button" className="button button--primary" onClick={() => void runFlow()}>
            <Icon name="play" size={14} /> Run flow
          </button>
        </div>
      </div>
    );
  }
  return (
    <div className="inspector__body runs-list" data-testid="runs-list">
      {runs.map((run) => (
        <button
          type="button"
          key={run.id}
          className={`run-item${run.id === selected ? ' is-selected' : ''}`}
          data-testid="run-item"
          data-run-id={run.id}
          data-status={run.status}
          onClick={() => void selectRun(run.id === selected ? null : run.id)}
        >
          <span className={`run-dot run-dot--${run.status}`} />
          <span className="run-item__main">
            <span className="run-item__status">{RUN_STATUS_LABEL[run.status]}</span>
            <span className="run-item__meta">
              {timeAgo(run.createdAt, now)} · v{run.flowVersion}
              {run.durationMs !== null ? ` · ${formatDuration(run.durationMs)}` : ''}
            </span>
            {run.error ? <span className="run-item__error">{run.error.message}</span> : null}
          </span>
          <span className="run-item__id">{run.id.slice(-6)}</span>
        </button>
      ))}
    </div>
  );
}
