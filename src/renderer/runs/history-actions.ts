/**
 * The runs list's engine calls: keyset pages of the open flow's history with its filters. Live runs
 * update rows in place through the run store (one place: `handleRunEvent` in ../actions.ts).
 */
import { engine, isConnected } from '../engine-client';
import { runStore, type RunFilters } from '../stores/run-store';
import { failed, selectRun } from '../actions';

const PAGE = 100;
let loadingMore = false;

/** First page for the open flow. `showLatest`: overlay the newest run when none is selected (reopening a flow). */
export async function refreshRuns(options: { showLatest?: boolean } = {}): Promise<void> {
  const { flowId, filters } = runStore.getState();
  if (!flowId || !isConnected()) return;
  try {
    const page = await engine().listRunHistory({ flowId, limit: PAGE, ...filters });
    const state = runStore.getState();
    if (state.flowId !== flowId || state.filters !== filters) return;
    state.setRuns(page.rows, page.nextCursor);
    const latest = page.rows[0];
    if (options.showLatest && latest && runStore.getState().selectedRunId === null) await selectRun(latest.id);
  } catch (error) {
    failed('Could not list runs')(error);
  }
}

/** The next page, when the list is scrolled near its end. */
export async function loadMoreRuns(): Promise<void> {
  const { flowId, filters, nextCursor } = runStore.getState();
  if (!flowId || !nextCursor || loadingMore || !isConnected()) return;
  loadingMore = true;
  try {
    const page = await engine().listRunHistory({ flowId, limit: PAGE, cursor: nextCursor, ...filters });
    const state = runStore.getState();
    if (state.flowId === flowId && state.filters === filters) state.appendRuns(page.rows, page.nextCursor);
  } catch (error) {
    failed('Could not list runs')(error);
  } finally {
    loadingMore = false;
  }
}

export async function setRunFilters(filters: RunFilters): Promise<void> {
  runStore.getState().setFilters(filters);
  await refreshRuns();
}
