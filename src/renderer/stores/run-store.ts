/**
 * Runs of the open flow: the recent-runs list, traces folded from live events (or loaded with
 * getRunTrace), and which run the canvas overlays.
 */
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import { applyRunEvent, type RunEvent, type RunSummary, type RunTrace } from '../../shared/runs';

/** Live traces kept in memory; older ones are dropped (they can be reloaded from the engine). */
export const MAX_TRACES = 30;

export interface RunState {
  /** The open flow: live runs of other flows are traced but not listed. */
  flowId: string | null;
  runs: RunSummary[];
  traces: Record<string, RunTrace>;
  /** Order traces arrived in, oldest first, for eviction. */
  traceOrder: string[];
  selectedRunId: string | null;
  starting: boolean;

  setRuns(runs: RunSummary[]): void;
  /** Folds one live event; returns whether the event's run was unknown (its start was missed). */
  applyEvent(event: RunEvent): { missedStart: boolean };
  setTrace(trace: RunTrace): void;
  selectRun(runId: string | null): void;
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

/** The summary row for a trace, so the runs list updates live without a refetch. */
function upsertRun(runs: RunSummary[], summary: RunSummary): RunSummary[] {
  const index = runs.findIndex((r) => r.id === summary.id);
  if (index === -1) return [summary, ...runs];
  const next = [...runs];
  next[index] = summary;
  return next;
}

export function createRunStore() {
  return createStore<RunState>()((set, get) => ({
    flowId: null,
    runs: [],
    traces: {},
    traceOrder: [],
    selectedRunId: null,
    starting: false,

    setRuns: (runs) => set({ runs }),
    applyEvent(event) {
      const s = get();
      const before = s.traces[event.runId] ?? null;
      const after = applyRunEvent(before, event);
      if (!after) return { missedStart: true };
      if (after === before) return { missedStart: false };
      const ours = after.run.flowId === s.flowId;
      set({ ...withTrace(s, after), ...(ours ? { runs: upsertRun(s.runs, after.run) } : {}) });
      return { missedStart: false };
    },
    setTrace: (trace) =>
      set((s) => ({ ...withTrace(s, trace), runs: trace.run.flowId === s.flowId ? upsertRun(s.runs, trace.run) : s.runs })),
    selectRun: (selectedRunId) => set({ selectedRunId }),
    setStarting: (starting) => set({ starting }),
    reset: (flowId) => set({ flowId, runs: [], selectedRunId: null, starting: false }),
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
