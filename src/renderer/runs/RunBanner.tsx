/** A chip over the canvas naming the run being shown: status, wake time, its controls, a way to hide it. */
import { selectedTrace, useRuns } from '../stores/run-store';
import { cancelRun, rerun, selectRun } from '../actions';
import { formatDuration, shownNodeStatus } from '../canvas/node-look';
import { Icon } from '../ui/icons';
import { useNow } from '../ui/use-now';
import { RUN_STATUS_LABEL, isActive } from './run-status';
import { describeRunWake } from './wait-text';
import { RerunOf } from './RerunOf';
import { TestRunLabel } from './TestRunLabel';
import { RunEffectsButton } from '../sinks/RunEffects';
import { useEditor } from '../stores/editor-store';

export function RunBanner() {
  const trace = useRuns(selectedTrace);
  const selectedRunId = useRuns((s) => s.selectedRunId);
  const status = trace?.run.status ?? 'queued';
  const flowNodes = useEditor((s) => s.flow?.nodes);
  const now = useNow(status === 'waiting' && trace?.run.wakeAt != null ? 1000 : null);
  if (!selectedRunId) return null;
  const counts: Record<string, number> = {};
  for (const n of Object.values(trace?.nodes ?? {})) {
    const shown = shownNodeStatus(n.status, status);
    counts[shown] = (counts[shown] ?? 0) + 1;
  }
  const wake = trace ? describeRunWake(trace.run, now) : null;
  const title = status === 'running' ? 'Running…' : status === 'queued' ? 'Queued…' : status === 'waiting' ? 'Waiting' : `Run ${RUN_STATUS_LABEL[status].toLowerCase()}`;
  return (
    <div className={`run-banner run-banner--${status}`} data-testid="run-banner" data-status={status} data-run-id={selectedRunId}>
      <span className={`run-dot run-dot--${status}`} />
      <span className="run-banner__title">{title}</span>
      {trace?.run.test ? <TestRunLabel /> : null}
      {wake ? (
        <span className="run-banner__wake" data-testid="run-banner-wake">
          {wake}
        </span>
      ) : null}
      {trace?.run.durationMs != null ? <span className="muted">{formatDuration(trace.run.durationMs)}</span> : null}
      {counts['succeeded'] ? <span className="run-banner__count">{counts['succeeded']} ok</span> : null}
      {counts['waiting'] ? <span className="run-banner__count run-banner__count--waiting">{counts['waiting']} waiting</span> : null}
      {counts['failed'] ? <span className="run-banner__count run-banner__count--failed">{counts['failed']} failed</span> : null}
      {counts['skipped'] ? <span className="run-banner__count">{counts['skipped']} skipped</span> : null}
      {counts['stopped'] ? <span className="run-banner__count run-banner__count--stopped">{counts['stopped']} stopped</span> : null}
      {trace?.run.error && !trace.run.error.nodeId && status !== 'cancelled' ? <span className="run-banner__error">{trace.run.error.message}</span> : null}
      {trace?.run.parentRunId ? <RerunOf parentRunId={trace.run.parentRunId} /> : null}
      {trace ? <RunEffectsButton runId={selectedRunId} status={status} nodeNames={new Map((flowNodes ?? []).map((n) => [n.id, n.name]))} /> : null}
      {trace && isActive(status) ? (
        <button type="button" className="button button--small button--ghost" data-testid="run-banner-cancel" onClick={() => void cancelRun(selectedRunId)}>
          <Icon name="stop" size={12} /> Cancel
        </button>
      ) : null}
      {trace && !isActive(status) ? (
        <button type="button" className="button button--small button--ghost" data-testid="run-banner-rerun" title="Run again with the same input" onClick={() => void rerun(selectedRunId)}>
          <Icon name="rerun" size={13} /> Re-run
        </button>
      ) : null}
      <button type="button" className="icon-button" title="Hide this run" aria-label="Hide run" onClick={() => void selectRun(null)}>
        <Icon name="close" size={14} />
      </button>
    </div>
  );
}
