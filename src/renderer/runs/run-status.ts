/** Words and groupings for run statuses, shared by the banner and the runs list. */
import { FINAL_RUN_STATUSES, type RunStatus } from '../../shared/runs';

export const RUN_STATUS_LABEL = {
  queued: 'Queued',
  running: 'Running',
  waiting: 'Waiting',
  succeeded: 'Succeeded',
  failed: 'Failed',
  cancelled: 'Cancelled',
} satisfies Record<RunStatus, string>;

const FINAL: ReadonlySet<RunStatus> = new Set(FINAL_RUN_STATUSES);

/** Queued, running or waiting: the run can still be cancelled. */
export const isActive = (status: RunStatus): boolean => !FINAL.has(status);

/** "…a1b2c3": run ids share a long prefix; the tail tells them apart. */
export const shortRunId = (runId: string): string => `…${runId.slice(-6)}`;
