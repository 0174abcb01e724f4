/** How node categories and run statuses look; colours themselves live in CSS variables. */
import type { NodeCategory } from '../../shared/node-kit';
import { FINAL_RUN_STATUSES, type NodeRunStatus, type RunStatus } from '../../shared/runs';
import type { IconName } from '../ui/icons';

export const CATEGORY_ORDER: readonly NodeCategory[] = ['trigger', 'transform', 'logic', 'ai', 'action', 'sink'];

export const CATEGORY_LOOK = {
  trigger: { label: 'Triggers', icon: 'bolt' },
  transform: { label: 'Transform', icon: 'shuffle' },
  logic: { label: 'Logic', icon: 'branch' },
  ai: { label: 'AI', icon: 'sparkles' },
  action: { label: 'Actions', icon: 'globe' },
  sink: { label: 'Outputs', icon: 'database' },
} satisfies Record<NodeCategory, { label: string; icon: IconName }>;

/** The CSS variable holding a category's colour, e.g. `var(--cat-logic)`. */
export const categoryColor = (category: NodeCategory) => `var(--cat-${category})`;

/** What a node shows: its trace status, or "stopped" when its run ended while it was still busy. */
export type ShownNodeStatus = NodeRunStatus | 'stopped';

export const STATUS_LABEL = {
  pending: 'pending',
  running: 'running',
  waiting: 'waiting',
  succeeded: 'ok',
  failed: 'error',
  skipped: 'skipped',
  stopped: 'stopped',
} satisfies Record<ShownNodeStatus, string>;

const FINAL: ReadonlySet<RunStatus> = new Set(FINAL_RUN_STATUSES);

/**
 * A run that was cancelled or timed out leaves its running or waiting nodes as they were in the
 * journal; showing them as still waiting (with a countdown) after the run is over would be a lie.
 */
export function shownNodeStatus(status: NodeRunStatus, runStatus: RunStatus | undefined): ShownNodeStatus {
  return runStatus !== undefined && FINAL.has(runStatus) && (status === 'running' || status === 'waiting') ? 'stopped' : status;
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes}m ${Math.round((ms % 60_000) / 1000)}s`;
}

export function timeAgo(at: number, now: number = Date.now()): string {
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 5) return 'just now';
  if (s < 60) return `${s}s ago`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m}m ago`;
  const h = Math.round(m / 60);
  if (h < 24) return `${h}h ago`;
  return new Date(at).toLocaleDateString();
}
