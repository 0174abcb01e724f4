/**
 * The publication and the replication slot a trigger owns, and the slot's health.
 * A slot keeps WAL on the user's server until we confirm it: we create it on activation, report
 * how much it retains, and drop it when the trigger is deactivated with "drop" or deleted.
 */
import type pg from 'pg';
import { z } from 'zod';
import type { SlotHealth } from '../../../shared/triggers';
import { qualified, quoteIdent, type TableRef } from './names';

export async function ensurePublication(client: pg.Client, name: string, tables: TableRef[]): Promise<void> {
  const list = tables.map(qualified).join(', ');
  const exists = ((await client.query(`SELECT 1 FROM pg_publication WHERE pubname = $1`, [name])).rowCount ?? 0) > 0;
  // SET TABLE keeps the publication in step with the node's table list after an edit.
  await client.query(exists ? `ALTER PUBLICATION ${quoteIdent(name)} SET TABLE ${list}` : `CREATE PUBLICATION ${quoteIdent(name)} FOR TABLE ${list}`);
}

/** Creates the slot unless it exists; `created` tells whether it is ours to drop later. */
export async function ensureSlot(client: pg.Client, name: string): Promise<{ created: boolean }> {
  const exists = ((await client.query(`SELECT 1 FROM pg_replication_slots WHERE slot_name = $1`, [name])).rowCount ?? 0) > 0;
  if (exists) return { created: false };
  await client.query(`SELECT pg_create_logical_replication_slot($1, 'pgoutput')`, [name]);
  return { created: true };
}

/**
 * Drops the slot once no connection uses it. Right after a replication connection closes the
 * slot can still be "active for PID …" for a moment: wait for it instead of failing.
 */
export async function dropSlot(client: pg.Client, name: string, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = (await client.query(`SELECT active FROM pg_replication_slots WHERE slot_name = $1`, [name])).rows[0] as unknown;
    const parsed = z.object({ active: z.boolean() }).safeParse(row);
    if (!parsed.success) return false;
    if (!parsed.data.active) {
      try {
        await client.query(`SELECT pg_drop_replication_slot($1)`, [name]);
        return true;
      } catch (e) {
        if (!/is active/.test(String(e)) || Date.now() > deadline) throw e;
      }
    } else if (Date.now() > deadline) {
      throw new Error(`the slot ${name} is still in use by another connection`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function dropPublication(client: pg.Client, name: string): Promise<void> {
  await client.query(`DROP PUBLICATION IF EXISTS ${quoteIdent(name)}`);
}

const HealthRow = z.object({
  active: z.boolean(),
  wal_status: z.string().nullable(),
  lag_bytes: z.coerce.number().nullable(),
  retained_bytes: z.coerce.number().nullable(),
  safe_wal_size: z.coerce.number().nullable(),
  keep_size: z.string(),
});

/** Warn when the slot holds more than (1 - this share) of max_slot_wal_keep_size, or less than this share is left. */
const WARN_SHARE = 0.2;

export async function slotHealth(client: pg.Client, name: string, now = Date.now()): Promise<SlotHealth> {
  const rows = (
    await client.query(
      `SELECT active, wal_status,
         pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint AS lag_bytes,
         pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint AS retained_bytes,
         safe_wal_size, current_setting('max_slot_wal_keep_size') AS keep_size
       FROM pg_replication_slots WHERE slot_name = $1`,
      [name],
    )
  ).rows;
  if (rows.length === 0) {
    return { exists: false, active: false, walStatus: null, lagBytes: null, retainedBytes: null, safeWalBytes: null, warning: `the slot ${name} does not exist`, checkedAt: now };
  }
  const r = HealthRow.parse(rows[0]);
  const keepBytes = parseSize(r.keep_size);
  let warning: string | null = null;
  if (r.wal_status === 'lost') warning = 'the slot was invalidated: Postgres removed WAL it still needed. Re-sync (new slot + backfill) to continue.';
  else if (
    r.wal_status === 'unreserved' ||
    (keepBytes !== null && ((r.safe_wal_size !== null && r.safe_wal_size < keepBytes * WARN_SHARE) || (r.retained_bytes ?? 0) > keepBytes * (1 - WARN_SHARE)))
  ) {
    warning = `the slot is close to max_slot_wal_keep_size (${r.keep_size}): ${formatBytes(Math.max(0, r.safe_wal_size ?? 0))} left before Postgres invalidates it. Let the trigger catch up, or raise the limit.`;
  }
  return {
    exists: true,
    active: r.active,
    walStatus: r.wal_status,
    lagBytes: r.lag_bytes,
    retainedBytes: r.retained_bytes,
    safeWalBytes: r.safe_wal_size,
    warning,
    checkedAt: now,
  };
}

/** "64MB" → bytes; "-1" → null (no limit). */
export function parseSize(text: string): number | null {
  const m = /^(-?\d+)\s*(B|kB|MB|GB|TB)?$/.exec(text.trim());
  if (!m || Number(m[1]) < 0) return null;
  const unit = { B: 1, kB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 }[m[2] ?? 'MB'] ?? 1024 ** 2;
  return Number(m[1]) * unit;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** True when an error from START_REPLICATION means the slot can never stream again. */
export function isSlotLostError(message: string): boolean {
  return /can no longer get changes from replication slot|cannot read from logical replication slot|has been invalidated|requested WAL segment .* has already been removed|replication slot .* does not exist/i.test(message);
}
