/** Engine calls for pins, comparison and heatmap stats of the open flow. */
import { engine, isConnected } from '../engine-client';
import { tracesStore, WINDOW_MS } from '../stores/traces-store';
import { runStore } from '../stores/run-store';
import { failed, loadTrace } from '../actions';

const flowId = () => runStore.getState().flowId;

/** Follows the open flow: called whenever the run store switches flows. */
export function followFlow(id: string | null): void {
  if (tracesStore.getState().flowId === id) return;
  tracesStore.getState().reset(id);
  void refreshPins();
  if (tracesStore.getState().heatmap) void refreshStats();
}

export async function refreshPins(): Promise<void> {
  const id = flowId();
  if (!id || !isConnected()) return;
  try {
    const pins = await engine().listPins({ flowId: id });
    if (flowId() === id) tracesStore.getState().setPins(pins);
  } catch (error) {
    failed('Could not load pinned data')(error);
  }
}

export async function pinNode(nodeId: string, runId: string): Promise<void> {
  const id = flowId();
  if (!id) return;
  try {
    tracesStore.getState().setPins(await engine().pinNodeOutput({ flowId: id, nodeId, runId }));
  } catch (error) {
    failed('Could not pin')(error);
  }
}

export async function unpinNode(nodeId: string): Promise<void> {
  const id = flowId();
  if (!id) return;
  try {
    tracesStore.getState().setPins(await engine().unpinNode({ flowId: id, nodeId }));
  } catch (error) {
    failed('Could not unpin')(error);
  }
}

export async function compareWith(runId: string | null): Promise<void> {
  tracesStore.getState().setCompare(runId);
  if (runId && !runStore.getState().traces[runId]) await loadTrace(runId);
}

export function statsWindow(): { from: number; to: number } {
  const to = Date.now() + 1;
  return { from: to - WINDOW_MS[tracesStore.getState().window], to };
}

export async function refreshStats(): Promise<void> {
  const id = flowId();
  if (!id || !isConnected()) return;
  try {
    const stats = await engine().getNodeStats({ flowId: id, ...statsWindow() });
    if (flowId() === id) tracesStore.getState().setStats(stats);
  } catch (error) {
    failed('Could not compute node statistics')(error);
  }
}

export async function setHeatmap(on: boolean): Promise<void> {
  tracesStore.getState().setHeatmap(on);
  if (on) await refreshStats();
}

// Follow the open flow, and keep heatmap figures current as runs finish (at most every 2 s).
let statsTimer: ReturnType<typeof setTimeout> | undefined;
runStore.subscribe((s, prev) => {
  if (s.flowId !== prev.flowId) followFlow(s.flowId);
  else if (s.runs !== prev.runs && tracesStore.getState().heatmap && !statsTimer) {
    statsTimer = setTimeout(() => {
      statsTimer = undefined;
      void refreshStats();
    }, 2000);
  }
});
