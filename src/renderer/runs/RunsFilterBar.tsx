/** Filters of the runs list: text search (FTS over inputs/outputs/errors), status, window, errors, and more on demand. */
import { useEffect, useState } from 'react';
import { RUN_STATUSES } from '../../shared/run-history';
import type { RunStatus } from '../../shared/runs';
import { useRuns, type RunFilters } from '../stores/run-store';
import { setRunFilters } from './history-actions';
import { RUN_STATUS_LABEL } from './run-status';

const WINDOWS = { all: null, hour: 3_600_000, day: 86_400_000, week: 7 * 86_400_000 } as const;
type WindowName = keyof typeof WINDOWS;
const OPS = ['insert', 'update', 'delete', 'read'] as const;

const num = (text: string): number | undefined => {
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) && n >= 0 ? n : undefined;
};

export function RunsFilterBar() {
  const filters = useRuns((s) => s.filters);
  const [text, setText] = useState(filters.text ?? '');
  const [windowName, setWindowName] = useState<WindowName>('all');
  const [more, setMore] = useState(false);
  const apply = (change: Partial<RunFilters>) => void setRunFilters(clean({ ...filters, ...change }));

  // Search as the user types, once they pause.
  useEffect(() => {
    if ((filters.text ?? '') === text) return;
    const t = setTimeout(() => apply({ text: text.trim() === '' ? undefined : text }), 250);
    return () => clearTimeout(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only the typed text starts a search
  }, [text]);

  return (
    <div className="runs-filter" data-testid="runs-filter">
      <input
        className="runs-filter__search"
        type="search"
        placeholder="Search inputs, outputs, errors"
        aria-label="Search runs"
        data-testid="runs-filter-text"
        value={text}
        onChange={(e) => setText(e.target.value)}
      />
      <div className="runs-filter__row">
        <select
          className="select"
          aria-label="Status"
          data-testid="runs-filter-status"
          value={filters.status?.[0] ?? ''}
          onChange={(e) => apply({ status: e.target.value === '' ? undefined : [e.target.value as RunStatus] })}
        >
          <option value="">Any status</option>
          {RUN_STATUSES.map((s) => (
            <option key={s} value={s}>
              {RUN_STATUS_LABEL[s]}
            </option>
          ))}
        </select>
        <select
          className="select"
          aria-label="Time range"
          data-testid="runs-filter-window"
          value={windowName}
          onChange={(e) => {
            const name = e.target.value as WindowName;
            setWindowName(name);
            const span = WINDOWS[name];
            apply({ from: span === null ? undefined : Date.now() - span, to: undefined });
          }}
        >
          <option value="all">All time</option>
          <option value="hour">Last hour</option>
          <option value="day">Last day</option>
          <option value="week">Last 7 days</option>
        </select>
        <label className="runs-filter__check">
          <input type="checkbox" data-testid="runs-filter-errors" checked={filters.hasError === true} onChange={(e) => apply({ hasError: e.target.checked ? true : undefined })} />
          errors
        </label>
        <button type="button" className="button button--small button--ghost" aria-expanded={more} onClick={() => setMore(!more)}>
          {more ? 'Less' : 'More'}
        </button>
      </div>
      {more ? (
        <div className="runs-filter__more">
          <input placeholder="table (schema.table)" aria-label="Trigger table" defaultValue={filters.triggerTable ?? ''} onBlur={(e) => apply({ triggerTable: e.target.value.trim() || undefined })} />
          <select className="select" aria-label="Operation" value={filters.triggerOp ?? ''} onChange={(e) => apply({ triggerOp: (OPS as readonly string[]).includes(e.target.value) ? (e.target.value as (typeof OPS)[number]) : undefined })}>
            <option value="">Any operation</option>
            {OPS.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
          <input placeholder="version" aria-label="Flow version" inputMode="numeric" defaultValue={filters.flowVersion ?? ''} onBlur={(e) => apply({ flowVersion: num(e.target.value) })} />
          <input placeholder="duration ≥ ms" aria-label="Duration above (ms)" inputMode="numeric" defaultValue={filters.minDurationMs ?? ''} onBlur={(e) => apply({ minDurationMs: num(e.target.value) })} />
          <input placeholder="cost ≥ $" aria-label="Cost above (USD)" inputMode="decimal" defaultValue={filters.minCostUsd ?? ''} onBlur={(e) => apply({ minCostUsd: num(e.target.value) })} />
        </div>
      ) : null}
    </div>
  );
}

function clean(f: RunFilters): RunFilters {
  const out: RunFilters = {};
  for (const [k, v] of Object.entries(f)) if (v !== undefined) Object.assign(out, { [k]: v });
  if (out.flowVersion !== undefined) out.flowVersion = Math.max(1, Math.floor(out.flowVersion));
  return out;
}
