/** Recent runs of the open flow; clicking one overlays it on the canvas. Each row can cancel or re-run its run. */
import { useEffect } from 'react';
import type { RunSummary } from '../../shared/runs';
import { useRuns } from '../stores/run-store';
import { cancelRun, refreshRuns, rerun, runFlow, selectRun } from '../actions';
import { formatDuration, timeAgo } from '../canvas/node-look';
import { Icon } from '../ui/icons';
import { useNow } from '../ui/use-now';
import { RUN_STATUS_LABEL, isActive, shortRunId } from './run-status';
import { describeRunWake } from './wait-text';
import { RerunOf } from './RerunOf';

function RunItem({ run, selected, now }: { run: RunSummary; selected: boolean; now: number }) {
  const wake = describeRunWake(run, now);
  return (
    <div className={`run-item${selected ? ' is-selected' : ''}`} data-testid="run-item" data-run-id={run.id} data-status={run.status}>
      {/* One button covers the row, so the row selects on click while its links and actions stay real buttons. */}
      <button
        type="button"
        className="run-item__hit"
        aria-label={`${selected ? 'Hide' : 'Show'} run ${shortRunId(run.id)} (${RUN_STATUS_LABEL[run.status]})`}
        aria-pressed={selected}
        onClick={() => void selectRun(selected ? null : run.id)}
      />
      <span className={`run-dot run-dot--${run.status}`} />
      <span className="run-item__main">
        <span className="run-item__status">
          {RUN_STATUS_LABEL[run.status]}
          {wake ? (
            <span className="run-item__wake" data-testid="run-item-wake">
              {wake}
            </span>
          ) : null}
        </span>
        <span className="run-item__meta">
          {timeAgo(run.createdAt, now)} · v{run.flowVersion}
          {run.durationMs !== null ? ` · ${formatDuration(run.durationMs)}` : ''}
        </span>
        {/* A cancelled run's "error" only says it was cancelled: the status already does, and it is no failure. */}
        {run.error && run.status !== 'cancelled' ? <span className="run-item__error">{run.error.message}</span> : null}
        {run.parentRunId ? <RerunOf parentRunId={run.parentRunId} /> : null}
      </span>
      <span className="run-item__side">
        <span className="run-item__id" title={run.id}>
          {shortRunId(run.id)}
        </span>
        {isActive(run.status) ? (
          <button type="button" className="icon-button icon-button--danger" title="Cancel this run" aria-label="Cancel run" data-testid="run-item-cancel" onClick={() => void cancelRun(run.id)}>
            <Icon name="stop" size={13} />
          </button>
        ) : (
          <button type="button" className="icon-button" title="Re-run with the same input" aria-label="Re-run" data-testid="run-item-rerun" onClick={() => void rerun(run.id)}>
            <Icon name="rerun" size={14} />
          </button>
        )}
      </span>
    </div>
  );
}

export function RunsList() {
  const runs = useRuns((s) => s.runs);
  const selected = useRuns((s) => s.selectedRunId);
  // "2m ago" needs a slow clock; a wake-up countdown a one-second one.
  const counting = runs.some((r) => r.status === 'waiting' && r.wakeAt !== null);
  const now = useNow(counting ? 1000 : 10_000);
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
        <RunItem key={run.id} run={run} selected={run.id === selected} now={now} />
      ))}
    </div>
  );
}
