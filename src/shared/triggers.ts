/**
 * Trigger operations and status as the UI sees them (Postgres change triggers): the setup check,
 * activation state, reconnects, slot health and backfill progress. Pure types + argument parsers.
 */
import { z } from 'zod';
import type { ChangeEvent } from '../nodes/postgres-change.node';

export interface SetupProblem {
  level: 'error' | 'warning';
  /** Stable code, e.g. `wal_level`, `replication_privilege`, `no_primary_key`. */
  code: string;
  message: string;
  /** The exact SQL that fixes it, when there is one. */
  fix?: string;
}

export interface SetupReport {
  /** No errors: the trigger can be activated. */
  ok: boolean;
  connected: boolean;
  serverVersion: string | null;
  problems: SetupProblem[];
}

export type TriggerState = 'inactive' | 'starting' | 'streaming' | 'reconnecting' | 'slot_lost' | 'error';

export interface SlotHealth {
  exists: boolean;
  active: boolean;
  /** Postgres' wal_status: reserved, extended, unreserved, lost. */
  walStatus: string | null;
  /** WAL written since the last position Millrace confirmed (the backlog), in bytes. */
  lagBytes: number | null;
  /** WAL the slot keeps on the server's disk, in bytes. */
  retainedBytes: number | null;
  /** Bytes left before max_slot_wal_keep_size invalidates the slot (null: no limit). */
  safeWalBytes: number | null;
  warning: string | null;
  checkedAt: number;
}

export interface BackfillProgress {
  state: 'running' | 'done';
  rowsDone: number;
  /** An estimate (Postgres statistics) until the backfill is done. */
  rowsTotal: number;
  table: string | null;
}

export interface TriggerStatus {
  flowId: string;
  nodeId: string;
  slot: string;
  publication: string;
  state: TriggerState;
  /** What the user should know or do, e.g. why it reconnects or how to re-sync. */
  message: string | null;
  attempt: number;
  nextRetryAt: number | null;
  confirmedLsn: string | null;
  /** Runs created from changes since this process activated the trigger. */
  changes: number;
  health: SlotHealth | null;
  backfill: BackfillProgress | null;
  /**
   * Paused (state `inactive` with its slot kept): Resume processes what the slot held meanwhile.
   * Absent for a trigger never activated or whose slot was dropped. While paused, `health` is read
   * when the status is asked for (getTriggerStatus, deactivateFlow): `lagBytes` is the backlog.
   */
  paused?: boolean;
}

/** Recent rows of a change trigger's tables, shaped as its changes (`source: 'sample'`), newest first. */
export interface SampledChanges {
  changes: ChangeEvent[];
  /** Rows read; more than `changes.length` when the trigger's row filter left some out. */
  rowsRead: number;
}

export const MAX_SAMPLE_CHANGES = 50;

const id = z.string().min(1).max(64);

export const triggerApiArgs = {
  checkTriggerSetup: z.object({ flowId: id, nodeId: id }).strict(),
  activateFlow: z.object({ id, resync: z.boolean().optional() }).strict(),
  deactivateFlow: z.object({ id, dropSlot: z.boolean() }).strict(),
  getTriggerStatus: z.object({ flowId: id }).strict(),
  sampleTriggerChanges: z.object({ flowId: id, nodeId: id, limit: z.number().int().min(1).max(MAX_SAMPLE_CHANGES).optional() }).strict(),
};
