/** A chip over the canvas naming the run being shown, with a way to hide it. */
import { selectedTrace, useRuns } from '../stores/run-store';
import { selectRun } from '../actions';
import { formatDuration } from '../canvas/node-look';
import { Icon } from '../ui/icons';
import { RUN_STATUS_LABEL } from './RunsList';

export function RunBanner() {
  const trace = useRuns(selectedTrace);
  const selectedRunId = useRuns((s) => s.selectedRunId);
  if (!selectedRunId) return null;
  const status = trace?.run.status ?? 'queued';
  const counts: Record<string, number> = {};
  for (const n of Object.values(trace?.nodes ?? {})) counts[n.status] = (counts[n.status] ?? 0) + 1;
  return (
    <div className={`run-banner run-banner--${status}`} data-testid="run-banner" data-status={status}>
      <span className={`run-dot run-dot--${status}`} />
      <span className="run-banner__title">
        {status === 'running' || status === 'queued' ? 'Running…' : `Run ${RUN_STATUS_LABEL[status].toLowerCase()}`}
      </span>
      {trace?.run.durationMs != null ? <span className="muted">{formatDuration(trace.run.durationMs)}</span> : null}
      {counts['succeeded'] ? <span className="run-banner__count">{counts['succeeded']} ok</span> : null}
      {counts['failed'] ? <span className="run-banner__count run-banner__count--failed">{counts['failed']} failed</span> : null}
      {counts['skipped'] ? <span className="run-banner__count">{counts['skipped']} skipped</span> : null}
      {trace?.run.error && !trace.run.error.nodeId ? <span className="run-banner__error">{trace.run.error.message}</span> : null}
      <button type="button" className="icon-button" title="Hide this run" aria-label="Hide run" onClick={() => void selectRun(null)}>
        <Icon name="close" size={14} />
      </button>
    </div>
  );
}
