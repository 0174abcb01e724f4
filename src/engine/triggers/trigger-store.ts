/**
 * Trigger state in SQLite (table pg_triggers, migration 3): which triggers are active, the
 * confirmed source position, backfill progress. `setConfirmedLsn` and `saveBackfill` are plain
 * synchronous statements meant to run inside the group-commit transaction that creates the runs,
 * so the position and the runs it covers are durable together.
 */
import { z } from 'zod';
import type { Db } from '../store/database';

export const BackfillStateSchema = z.object({
  id: z.string(),
  tables: z.array(
    z.object({
      schema: z.string(),
      table: z.string(),
      /** Key of the last row delivered (keyset pagination), null before the first chunk. */
      cursor: z.record(z.string(), z.unknown()).nullable(),
      done: z.boolean(),
      rows: z.number(),
      estimate: z.number(),
    }),
  ),
});
export type BackfillState = z.infer<typeof BackfillStateSchema>;

export interface TriggerRow {
  flowId: string;
  nodeId: string;
  slot: string;
  publication: string;
  active: boolean;
  config: unknown;
  createdSlot: boolean;
  confirmedLsn: string | null;
  backfill: BackfillState | null;
  state: string;
  message: string | null;
  /** Bumped when a new slot replaces a known position (e.g. the connection now points at another server): part of the run dedupe keys when > 0. */
  slotEpoch: number;
  /** JSON of the connection settings (secret references only) the slot was made with; null for slots from before. */
  slotSettings: string | null;
}

const RowSchema = z.object({
  flow_id: z.string(),
  node_id: z.string(),
  slot_name: z.string(),
  publication: z.string(),
  active: z.number(),
  config: z.string(),
  created_slot: z.number(),
  confirmed_lsn: z.string().nullable(),
  backfill: z.string().nullable(),
  state: z.string(),
  message: z.string().nullable(),
  slot_epoch: z.number().default(0),
  slot_settings: z.string().nullable().default(null),
});

function toRow(raw: unknown): TriggerRow {
  const r = RowSchema.parse(raw);
  return {
    flowId: r.flow_id,
    nodeId: r.node_id,
    slot: r.slot_name,
    publication: r.publication,
    active: r.active === 1,
    config: JSON.parse(r.config),
    createdSlot: r.created_slot === 1,
    confirmedLsn: r.confirmed_lsn,
    backfill: r.backfill === null ? null : BackfillStateSchema.parse(JSON.parse(r.backfill)),
    state: r.state,
    message: r.message,
    slotEpoch: r.slot_epoch,
    slotSettings: r.slot_settings,
  };
}

export class TriggerStore {
  private readonly s;

  constructor(
    db: Db,
    private readonly now: () => number,
  ) {
    this.s = {
      all: db.prepare(`SELECT * FROM pg_triggers ORDER BY flow_id, node_id`),
      byFlow: db.prepare(`SELECT * FROM pg_triggers WHERE flow_id = ? ORDER BY node_id`),
      get: db.prepare(`SELECT * FROM pg_triggers WHERE flow_id = ? AND node_id = ?`),
      upsert: db.prepare(
        `INSERT INTO pg_triggers (flow_id, node_id, slot_name, publication, active, config, created_slot, state, updated_at)
         VALUES (@flowId, @nodeId, @slot, @publication, @active, @config, @createdSlot, @state, @now)
         ON CONFLICT (flow_id, node_id) DO UPDATE SET slot_name = excluded.slot_name, publication = excluded.publication,
           active = excluded.active, config = excluded.config, created_slot = max(created_slot, excluded.created_slot),
           state = excluded.state, updated_at = excluded.updated_at`,
      ),
      lsn: db.prepare(`UPDATE pg_triggers SET confirmed_lsn = ? WHERE flow_id = ? AND node_id = ? AND (confirmed_lsn IS NULL OR confirmed_lsn < ?)`),
      backfill: db.prepare(`UPDATE pg_triggers SET backfill = ? WHERE flow_id = ? AND node_id = ?`),
      state: db.prepare(`UPDATE pg_triggers SET state = ?, message = ?, updated_at = ? WHERE flow_id = ? AND node_id = ?`),
      active: db.prepare(`UPDATE pg_triggers SET active = ?, state = ?, updated_at = ? WHERE flow_id = ? AND node_id = ?`),
      slotSettings: db.prepare(`UPDATE pg_triggers SET slot_settings = ? WHERE flow_id = ? AND node_id = ?`),
      bumpEpoch: db.prepare(`UPDATE pg_triggers SET slot_epoch = slot_epoch + 1 WHERE flow_id = ? AND node_id = ?`),
      resetSlot: db.prepare(`UPDATE pg_triggers SET confirmed_lsn = NULL, backfill = NULL, created_slot = 0 WHERE flow_id = ? AND node_id = ?`),
      delete: db.prepare(`DELETE FROM pg_triggers WHERE flow_id = ? AND node_id = ?`),
    };
  }

  all(): TriggerRow[] {
    return this.s.all.all().map(toRow);
  }

  forFlow(flowId: string): TriggerRow[] {
    return this.s.byFlow.all(flowId).map(toRow);
  }

  get(flowId: string, nodeId: string): TriggerRow | undefined {
    const raw = this.s.get.get(flowId, nodeId);
    return raw === undefined ? undefined : toRow(raw);
  }

  save(t: { flowId: string; nodeId: string; slot: string; publication: string; active: boolean; config: unknown; createdSlot: boolean; state: string }): void {
    this.s.upsert.run({ ...t, active: t.active ? 1 : 0, createdSlot: t.createdSlot ? 1 : 0, config: JSON.stringify(t.config), now: this.now() });
  }

  /** Fixed-width hex: text comparison in SQL keeps the position monotonic. */
  setConfirmedLsn(flowId: string, nodeId: string, lsnKeyHex: string): void {
    this.s.lsn.run(lsnKeyHex, flowId, nodeId, lsnKeyHex);
  }

  saveBackfill(flowId: string, nodeId: string, state: BackfillState | null): void {
    this.s.backfill.run(state === null ? null : JSON.stringify(state), flowId, nodeId);
  }

  setState(flowId: string, nodeId: string, state: string, message: string | null): void {
    this.s.state.run(state, message, this.now(), flowId, nodeId);
  }

  setActive(flowId: string, nodeId: string, active: boolean): void {
    this.s.active.run(active ? 1 : 0, active ? 'starting' : 'inactive', this.now(), flowId, nodeId);
  }

  /** After a re-sync: a new slot starts from scratch. */
  resetSlot(flowId: string, nodeId: string): void {
    this.s.resetSlot.run(flowId, nodeId);
  }

  setSlotSettings(flowId: string, nodeId: string, settingsJson: string): void {
    this.s.slotSettings.run(settingsJson, flowId, nodeId);
  }

  /** A new slot whose positions may repeat an earlier slot's (another server): new dedupe keys from now on. */
  bumpEpoch(flowId: string, nodeId: string): void {
    this.s.bumpEpoch.run(flowId, nodeId);
  }

  delete(flowId: string, nodeId: string): void {
    this.s.delete.run(flowId, nodeId);
  }
}
