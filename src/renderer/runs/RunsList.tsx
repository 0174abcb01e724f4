/**
 * The open flow's run history: a virtualised list over keyset pages (the next page loads as the
 * end scrolls into view), filters above it. Clicking a run overlays it on the canvas; clicking the
 * shown run again keeps it shown (the banner's × hides it).
 */
import { useEffect, useRef } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { hasFilters, useRuns, type ListedRun } from '../stores/run-store';
import { cancelRun, rerun, runFlow, selectRun } from '../actions';
import { refreshRuns, loadMoreRuns } from './history-actions';
import { formatDuration, timeAgo } from '../canvas/node-look';
import { Icon } from '../ui/icons';
import { useNow } from '../ui/use-now';
import { RUN_STATUS_LABEL, isActive, shortRunId } from './run-status';
import { describeRunWake } from './wait-text';
import { RerunOf } from './RerunOf';
import { TestRunLabel } from './TestRunLabel';
import { RunsFilterBar } from './RunsFilterBar';
import { RunWaterfall } from './RunWaterfall';
import { useTraces } from '../stores/traces-store';
import { compareWith } from './traces-actions';

/** "update public.orders id=3", "manual": what started a run, as text. */
export function describeOrigin(run: ListedRun): string | null {
  const o = run.origin;
  if (!o) return null;
  if (o.kind === 'manual') return 'manual';
  if (o.kind === 'rerun') return null; // RerunOf links to the original
  const key = o.key ? Object.entries(o.key).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ') : '';
  return `${o.operation} ${o.table}${key ? ` ${key}` : ''}`;
}

export function formatUsd(usd: number): string {
  return usd === 0 ? '$0' : usd < 0.01 ? `$${usd.toPrecision(2)}` : `$${usd.toFixed(4)}`;
}

function RunItem({ run, selected, comparing, canCompare, now }: { run: ListedRun; selected: boolean; comparing: boolean; canCompare: boolean; now: number }) {
  const wake = describeRunWake(run, now);
  const origin = describeOrigin(run);
  return (
    <div className={`run-item${selected ? ' is-selected' : ''}${comparing ? ' is-compared' : ''}`} data-testid="run-item" data-run-id={run.id} data-status={run.status}>
      {/* One button covers the row, so the row selects on click while its links and actions stay real buttons. */}
      <button
        type="button"
        className="run-item__hit"
        aria-label={`Show run ${shortRunId(run.id)} (${RUN_STATUS_LABEL[run.status]})`}
        aria-pressed={selected}
        onClick={() => void selectRun(run.id)}
      />
      <span className={`run-dot run-dot--${run.status}`} />
      <span className="run-item__main">
        <span className="run-item__status">
          {RUN_STATUS_LABEL[run.status]}
          {run.test ? <TestRunLabel /> : null}
          {run.approval === 'pending' ? <span className="run-item__approval">approval pending</span> : null}
          {wake ? (
            <span className="run-item__wake" data-testid="run-item-wake">
              {wake}
            </span>
          ) : null}
        </span>
        <span className="run-item__meta">
          {timeAgo(run.createdAt, now)} · v{run.flowVersion}
          {run.durationMs !== null ? ` · ${formatDuration(run.durationMs)}` : ''}
          {run.costUsd != null ? ` · ${formatUsd(run.costUsd)}` : ''}
        </span>
        {origin ? (
          <span className="run-item__origin" data-testid="run-item-origin">
            {origin}
          </span>
        ) : null}
        {/* A cancelled run's "error" only says it was cancelled: the status already does, and it is no failure. */}
        {run.error && run.status !== 'cancelled' ? <span className="run-item__error">{run.error.message}</span> : null}
        {run.parentRunId ? <RerunOf parentRunId={run.parentRunId} /> : null}
      </span>
      <span className="run-item__side">
        <span className="run-item__id" title={run.id}>
          {shortRunId(run.id)}
        </span>
        {canCompare && !selected ? (
          <button
            type="button"
            className={`icon-button run-item__compare${comparing ? ' is-on' : ''}`}
            title={comparing ? 'Stop comparing' : 'Compare the shown run with this one'}
            aria-label="Compare with the shown run"
            aria-pressed={comparing}
            data-testid="run-item-compare"
            onClick={() => void compareWith(comparing ? null : run.id)}
          >
            ⇄
          </button>
        ) : null}
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

const ROW_ESTIMATE = 66;

export function RunsList() {
  const runs = useRuns((s) => s.runs);
  const selected = useRuns((s) => s.selectedRunId);
  const nextCursor = useRuns((s) => s.nextCursor);
  const filtered = useRuns((s) => hasFilters(s.filters));
  const compared = useTraces((s) => s.compareRunId);
  // "2m ago" needs a slow clock; a wake-up countdown a one-second one.
  const counting = runs.some((r) => r.status === 'waiting' && r.wakeAt !== null);
  const now = useNow(counting ? 1000 : 10_000);
  const scroller = useRef<HTMLDivElement>(null);
  // eslint-disable-next-line react-hooks/incompatible-library -- the list re-renders from its own state; nothing memoises the virtualiser
  const virtual = useVirtualizer({ count: runs.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_ESTIMATE, overscan: 8 });
  const items = virtual.getVirtualItems();
  const lastIndex = items[items.length - 1]?.index ?? -1;

  useEffect(() => {
    void refreshRuns();
  }, []);
  useEffect(() => {
    if (nextCursor && lastIndex >= runs.length - 10) void loadMoreRuns();
  }, [lastIndex, runs.length, nextCursor]);

  if (runs.length === 0 && !filtered) {
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
    <div className="runs-panel">
      <RunWaterfall />
      <RunsFilterBar />
      <div className="runs-list" ref={scroller} data-testid="runs-list">
        {runs.length === 0 ? <p className="muted runs-list__none">No runs match these filters.</p> : null}
        <div className="runs-list__space" style={{ height: virtual.getTotalSize() }}>
          {items.map((item) => {
            const run = runs[item.index]!;
            return (
              <div key={run.id} className="runs-list__row" data-index={item.index} ref={virtual.measureElement} style={{ transform: `translateY(${item.start}px)` }}>
                <RunItem run={run} selected={run.id === selected} comparing={run.id === compared} canCompare={selected !== null} now={now} />
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
