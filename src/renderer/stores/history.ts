/**
 * Undo history as whole-document snapshots. Flows are small (≤ 500 nodes) and immutable
 * updates share unchanged nodes, so snapshots cost little and can never drift from the document.
 */
import type { Flow } from '../../shared/flow/schema';

export const HISTORY_LIMIT = 100;
/** Edits with the same key inside this window (typing in one field) become one undo step. */
export const COALESCE_MS = 1000;

export interface History {
  past: Flow[];
  future: Flow[];
  lastKey: string | null;
  lastAt: number;
}

export const emptyHistory = (): History => ({ past: [], future: [], lastKey: null, lastAt: 0 });

/** Records `before` as an undo step for an edit that is about to happen. */
export function record(history: History, before: Flow, key: string | null, now: number): History {
  if (key !== null && key === history.lastKey && now - history.lastAt < COALESCE_MS && history.past.length > 0) {
    return { ...history, future: [], lastAt: now };
  }
  const past = [...history.past, before];
  if (past.length > HISTORY_LIMIT) past.splice(0, past.length - HISTORY_LIMIT);
  return { past, future: [], lastKey: key, lastAt: now };
}

export function undo(history: History, current: Flow): { history: History; flow: Flow } | null {
  const previous = history.past[history.past.length - 1];
  if (!previous) return null;
  return {
    flow: previous,
    history: { past: history.past.slice(0, -1), future: [current, ...history.future], lastKey: null, lastAt: 0 },
  };
}

export function redo(history: History, current: Flow): { history: History; flow: Flow } | null {
  const next = history.future[0];
  if (!next) return null;
  return {
    flow: next,
    history: { past: [...history.past, current], future: history.future.slice(1), lastKey: null, lastAt: 0 },
  };
}
