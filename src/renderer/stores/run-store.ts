/**
 * Runs of the open flow: the recent-runs list, traces folded from live events (or loaded with
 * getRunTrace), and which run the canvas overlays.
 */
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import { applyRunEvent, type RunEvent, type RunSummary, type RunTrace } from '../../shared/runs';
import type { RunHistoryQuery, RunHistoryRow } from '../../shared/run-history';

/** A row of the runs list: a stored history row, or a live run known only from its events so far. */
export type ListedRun = RunSummary & Partial<Pick<RunHistoryRow, 'origin' | 'costUsd' | 'approval'>>;

/** The runs list's filters (the flow and paging are added when querying). */
export type RunFilters = Omit<RunHistoryQuery, 'flowId' | 'cursor' | 'limit'>;

export const hasFilters = (f: RunFilters) => Object.values(f).some((v) => v !== undefined && !(Array.isArray(v) && v.length === 0) && v !== '');

/** Live traces kept in memory; older ones are dropped (they can be reloaded from the engine). */
export const MAX_TRACES = 30;

export interface RunState {
  /** The open flow: live runs of other flows are traced but not listed. */
  flowId: string | null;
  runs: ListedRun[];
  /** Cursor of the next history page; null when the list holds the last one. */
  nextCursor: string | null;
  filters: RunFilters;
  traces: Record<string, RunTrace>;
  /** Order traces arrived in, oldest first, for eviction. */
  traceOrder: string[];
  selectedRunId: string | null;
  starting: boolean;
  /**
   * Which run each re-run came from. Live events do not carry it (stored summaries do), so it is
   * remembered here and put back on traces folded from events.
   */
  parents: Record<string, string>;

  setRuns(runs: ListedRun[], nextCursor?: string | null): void;
  appendRuns(runs: ListedRun[], nextCursor: string | null): void;
  setFilters(filters: RunFilters): void;
  /** Folds one live event; returns whether the event's run was unknown (its start was missed). */
  applyEvent(event: RunEvent): { missedStart: boolean };
  setTrace(trace: RunTrace): void;
  selectRun(runId: string | null): void;
  noteParent(runId: string, parentRunId: string): void;
  setStarting(starting: boolean): void;
  reset(flowId: string | null): void;
}

function withTrace(s: Pick<RunState, 'traces' | 'traceOrder' | 'selectedRunId'>, trace: RunTrace) {
  const id = trace.run.id;
  const traces = { ...s.traces, [id]: trace };
  let traceOrder = s.traceOrder.includes(id) ? s.traceOrder : [...s.traceOrder, id];
  while (traceOrder.length > MAX_TRACES) {
    const victim = traceOrder.find((t) => t !== s.selectedRunId);
    if (!victim) break;
    delete traces[victim];
    traceOrder = traceOrder.filter((t) => t !== victim);
  }
  return { traces, traceOrder };
}

/**
 * The summary row for a trace, so the runs list updates live in place without a refetch. A new run
 * is put on top only when no filter is set (it may not match one); the history row keeps what
 * events do not carry (origin, cost).
 */
function upsertRun(runs: ListedRun[], summary: RunSummary, filtered: boolean): ListedRun[] {
  const index = runs.findIndex((r) => r.id === summary.id);
  if (index === -1) return filtered ? runs : [summary, ...runs];
  const next = [...runs];
  next[index] = { ...next[index], ...summary };
  return next;
}

function withParent(trace: RunTrace, parents: Readonly<Record<string, string>>): RunTrace {
  const parentRunId = parents[trace.run.id];
  return parentRunId && trace.run.parentRunId !== parentRunId ? { ...trace, run: { ...trace.run, parentRunId } } : trace;
}

function rememberParents(parents: Record<string, string>, runs: readonly RunSummary[]): Record<string, string> {
  let next = parents;
  for (const r of runs) {
    if (r.parentRunId !== null && next[r.id] !== r.parentRunId) next = { ...next, [r.id]: r.parentRunId };
  }
  return next;
}

/**
 * A re-run's trace can be loaded before its start event arrives; that event would otherwise wipe
 * the nodes reused from the original run, which no event ever reports.
 */
function fold(before: RunTrace | null, event: RunEvent): RunTrace | null {
  const after = applyRunEvent(before, event);
  return event.type === 'run.started' && before && after ? { ...after, nodes: { ...before.nodes, ...after.nodes } } : after;
}

export function createRunStore() {
  return createStore<RunState>()((set, get) => ({
    flowId: null,
    runs: [],
    nextCursor: null,
    filters: {},
    traces: {},
    traceOrder: [],
    selectedRunId: null,
    starting: false,
    parents: {},

    setRuns: (runs, nextCursor = null) => set((s) => ({ runs, nextCursor, parents: rememberParents(s.parents, runs) })),
    appendRuns: (more, nextCursor) =>
      set((s) => {
        const known = new Set(s.runs.map((r) => r.id));
        const runs = [...s.runs, ...more.filter((r) => !known.has(r.id))];
        return { runs, nextCursor, parents: rememberParents(s.parents, more) };
      }),
    setFilters: (filters) => set({ filters }),
    applyEvent(event) {
      const s = get();
      const before = s.traces[event.runId] ?? null;
      const folded = fold(before, event);
      if (!folded) return { missedStart: true };
      if (folded === before) return { missedStart: false };
      const after = withParent(folded, s.parents);
      const ours = after.run.flowId === s.flowId;
      set({ ...withTrace(s, after), ...(ours ? { runs: upsertRun(s.runs, after.run, hasFilters(s.filters)) } : {}) });
      return { missedStart: false };
    },
    setTrace: (loaded) =>
      set((s) => {
        const parents = rememberParents(s.parents, [loaded.run]);
        const trace = withParent(loaded, parents);
        return { ...withTrace(s, trace), parents, runs: trace.run.flowId === s.flowId ? upsertRun(s.runs, trace.run, hasFilters(s.filters)) : s.runs };
      }),
    selectRun: (selectedRunId) => set({ selectedRunId }),
    noteParent: (runId, parentRunId) =>
      set((s) => {
        const parents = { ...s.parents, [runId]: parentRunId };
        const trace = s.traces[runId];
        return {
          parents,
          ...(trace ? { traces: { ...s.traces, [runId]: withParent(trace, parents) } } : {}),
          runs: s.runs.map((r) => (r.id === runId ? { ...r, parentRunId } : r)),
        };
      }),
    setStarting: (starting) => set({ starting }),
    reset: (flowId) => set({ flowId, runs: [], nextCursor: null, filters: {}, selectedRunId: null, starting: false }),
  }));
}

export const runStore = createRunStore();

export function useRuns<T>(selector: (state: RunState) => T): T {
  return useStore(runStore, selector);
}

/** The trace the canvas overlays, if any. */
export function selectedTrace(s: RunState): RunTrace | null {
  return s.selectedRunId ? (s.traces[s.selectedRunId] ?? null) : null;
}
