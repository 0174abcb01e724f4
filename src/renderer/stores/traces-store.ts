/**
 * Cross-run state of the open flow's canvas: pinned outputs, the run compared with the shown one,
 * and heatmap mode (window, metric, per-node stats). Plain data; engine calls live in
 * ../runs/traces-actions.ts.
 */
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { NodeStats, PinInfo } from '../../shared/run-history';

export type HeatMetric = 'latency' | 'cost' | 'errors';
export type StatsWindowName = 'hour' | 'day' | 'week';
export const WINDOW_MS: Record<StatsWindowName, number> = { hour: 3_600_000, day: 86_400_000, week: 7 * 86_400_000 };

export interface TracesState {
  flowId: string | null;
  pins: Record<string, PinInfo>;
  /** The run the shown run is compared with (the "before"), or null. */
  compareRunId: string | null;
  heatmap: boolean;
  metric: HeatMetric;
  window: StatsWindowName;
  stats: Record<string, NodeStats>;
  setPins(pins: PinInfo[]): void;
  setCompare(runId: string | null): void;
  setHeatmap(on: boolean): void;
  setMetric(metric: HeatMetric): void;
  setWindow(window: StatsWindowName): void;
  setStats(stats: NodeStats[]): void;
  reset(flowId: string | null): void;
}

export const tracesStore = createStore<TracesState>()((set) => ({
  flowId: null,
  pins: {},
  compareRunId: null,
  heatmap: false,
  metric: 'latency',
  window: 'day',
  stats: {},
  setPins: (pins) => set({ pins: Object.fromEntries(pins.map((p) => [p.nodeId, p])) }),
  setCompare: (compareRunId) => set({ compareRunId }),
  setHeatmap: (heatmap) => set({ heatmap }),
  setMetric: (metric) => set({ metric }),
  setWindow: (window) => set({ window }),
  setStats: (stats) => set({ stats: Object.fromEntries(stats.map((s) => [s.nodeId, s])) }),
  reset: (flowId) => set({ flowId, pins: {}, compareRunId: null, stats: {} }),
}));

export function useTraces<T>(selector: (s: TracesState) => T): T {
  return useStore(tracesStore, selector);
}

/** The value of a node's heat metric, or null when there is nothing to colour by. */
export function heatValue(s: NodeStats | undefined, metric: HeatMetric): number | null {
  if (!s) return null;
  if (metric === 'latency') return s.p95Ms;
  if (metric === 'cost') return s.costUsd;
  return s.errorRate;
}
