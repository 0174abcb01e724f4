/**
 * The setup check behind "Check setup" / "Test connection" and activation: everything the
 * trigger needs from the user's Postgres, each failure with a message and the exact fix.
 * Errors block activation; warnings are shown but do not.
 */
import pg from 'pg';
import { z } from 'zod';
import type { SetupProblem, SetupReport } from '../../../shared/triggers';
import type { PostgresChangeConfig } from '../../../nodes/postgres-change.node.js';
import { parseTableList } from '../../../nodes/postgres-change.node.js';
import { parseRowFilter } from '../../../nodes/postgres-change-filter';
import { describePgError, type ResolvedConnection } from './connection';
import { qualified, quoteIdent } from './names';

const ServerRow = z.object({
  version: z.coerce.number(),
  wal_level: z.string(),
  max_replication_slots: z.coerce.number(),
  slots_used: z.coerce.number(),
  user: z.string(),
  rolreplication: z.boolean(),
  rolsuper: z.boolean(),
});

const TableRow = z.object({
  exists: z.boolean(),
  can_select: z.boolean().nullable(),
  has_pk: z.boolean().nullable(),
  replident: z.string().nullable(),
  is_owner: z.boolean().nullable(),
});

const PublicationRow = z.object({ tables: z.array(z.string()).nullable() });
const SlotRow = z.object({ plugin: z.string().nullable(), database: z.string().nullable(), active: z.boolean(), wal_status: z.string().nullable() });

export async function checkSetup(cfg: PostgresChangeConfig, conn: ResolvedConnection, names: { slot: string; publication: string }): Promise<SetupReport> {
  const problems: SetupProblem[] = [];
  const client = new pg.Client(conn.config);
  // A server restart mid-query emits 'error' on the client: without a listener that ends the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (e) {
    return { ok: false, connected: false, serverVersion: null, problems: [{ level: 'error', code: 'connection', message: `cannot connect: ${describePgError(e, conn.redact)}` }] };
  }
  try {
    const server = ServerRow.parse(
      (
        await client.query(`SELECT current_setting('server_version_num') AS version, current_setting('wal_level') AS wal_level,
          current_setting('max_replication_slots') AS max_replication_slots, (SELECT count(*) FROM pg_replication_slots) AS slots_used,
          current_user AS user, r.rolreplication, r.rolsuper FROM pg_roles r WHERE r.rolname = current_user`)
      ).rows[0],
    );
    const version = `${Math.floor(server.version / 10000)}.${server.version % 10000}`;
    if (server.version < 100000) {
      problems.push({ level: 'error', code: 'version', message: `Postgres ${version} is too old: logical replication with pgoutput needs Postgres 10 or newer.` });
    }
    if (server.wal_level !== 'logical') {
      problems.push({
        level: 'error',
        code: 'wal_level',
        message: `wal_level is "${server.wal_level}"; logical replication needs "logical". Run this, then restart Postgres (a reload is not enough):`,
        fix: 'ALTER SYSTEM SET wal_level = logical;',
      });
    }
    if (!server.rolreplication && !server.rolsuper) {
      problems.push({
        level: 'error',
        code: 'replication_privilege',
        message: `the user "${server.user}" may not use replication. As a superuser run:`,
        fix: `ALTER ROLE ${quoteIdent(server.user)} WITH REPLICATION;`,
      });
    }
    if (cfg.backfill && server.version < 140000) {
      problems.push({ level: 'error', code: 'backfill_version', message: `backfill while streaming needs Postgres 14 or newer (logical messages); this is ${version}. Turn backfill off.` });
    }
    const wantsOld = (() => {
      const f = parseRowFilter(cfg.filter);
      return f.ok && f.conditions.some((c) => c.side === 'old');
    })();
    const tables = parseTableList(cfg.tables);
    for (const t of tables) {
      const row = TableRow.parse(
        (
          await client.query(
            `SELECT c.oid IS NOT NULL AS exists,
               CASE WHEN c.oid IS NULL THEN NULL ELSE has_table_privilege(c.oid, 'SELECT') END AS can_select,
               EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary) AS has_pk,
               c.relreplident::text AS replident,
               CASE WHEN c.oid IS NULL THEN NULL ELSE pg_has_role(c.relowner, 'USAGE') END AS is_owner
             FROM (SELECT to_regclass($1) AS oid) r LEFT JOIN pg_class c ON c.oid = r.oid`,
            [qualified(t)],
          )
        ).rows[0],
      );
      const name = `${t.schema}.${t.table}`;
      if (!row.exists) {
        problems.push({ level: 'error', code: 'table_missing', message: `the table ${name} does not exist (or the user cannot see its schema).` });
        continue;
      }
      if (!row.can_select) {
        problems.push({ level: 'error', code: 'table_privilege', message: `the user "${server.user}" cannot read ${name}. Run:`, fix: `GRANT SELECT ON ${qualified(t)} TO ${quoteIdent(server.user)};` });
      }
      if (!row.has_pk && row.replident !== 'f' && row.replident !== 'i') {
        problems.push({
          level: 'error',
          code: 'no_primary_key',
          message: `${name} has no primary key: Postgres cannot replicate its updates and deletes (and refuses them once it is published). Add a primary key, or send whole old rows:`,
          fix: `ALTER TABLE ${qualified(t)} REPLICA IDENTITY FULL;`,
        });
      } else if (wantsOld && row.replident !== 'f') {
        problems.push({
          level: 'warning',
          code: 'old_values',
          message: `the row filter reads old.* values, but ${name} only sends the old key. To get whole old rows run:`,
          fix: `ALTER TABLE ${qualified(t)} REPLICA IDENTITY FULL;`,
        });
      }
      if (!row.is_owner && !server.rolsuper) {
        problems.push({
          level: 'warning',
          code: 'publication_privilege',
          message: `creating the publication needs ownership of ${name}; unless it exists already, ask its owner to run:`,
          fix: `CREATE PUBLICATION ${quoteIdent(names.publication)} FOR TABLE ${tables.map(qualified).join(', ')};`,
        });
      }
    }
    const pub = (await client.query(`SELECT array_agg(schemaname || '.' || tablename) AS tables FROM pg_publication_tables WHERE pubname = $1`, [names.publication])).rows[0];
    const pubExists = (await client.query(`SELECT 1 FROM pg_publication WHERE pubname = $1`, [names.publication])).rowCount ?? 0;
    if (pubExists > 0) {
      const existing = new Set(PublicationRow.parse(pub).tables ?? []);
      const wanted = tables.map((t) => `${t.schema}.${t.table}`);
      if (existing.size !== wanted.length || wanted.some((w) => !existing.has(w))) {
        problems.push({
          level: 'warning',
          code: 'publication_conflict',
          message: `the publication ${names.publication} exists with other tables (${[...existing].join(', ') || 'none'}); activation will set it to ${wanted.join(', ')}.`,
        });
      }
    }
    const slotRows = (await client.query(`SELECT plugin, database, active, wal_status FROM pg_replication_slots WHERE slot_name = $1`, [names.slot])).rows;
    if (slotRows.length > 0) {
      const slot = SlotRow.parse(slotRows[0]);
      if (slot.plugin !== 'pgoutput') {
        problems.push({ level: 'error', code: 'slot_conflict', message: `a replication slot named ${names.slot} exists with the "${slot.plugin}" plugin; drop it or rename the node.`, fix: `SELECT pg_drop_replication_slot('${names.slot}');` });
      } else if (slot.wal_status === 'lost') {
        problems.push({ level: 'error', code: 'slot_lost', message: `the slot ${names.slot} was invalidated (it fell too far behind); re-sync to drop it, create a new one and backfill.` });
      }
    } else if (server.slots_used >= server.max_replication_slots) {
      problems.push({
        level: 'error',
        code: 'slots_full',
        message: `all ${server.max_replication_slots} replication slots are in use. Drop unused slots or raise the limit (restart needed):`,
        fix: `ALTER SYSTEM SET max_replication_slots = ${server.max_replication_slots + 4};`,
      });
    }
    return { ok: problems.every((p) => p.level !== 'error'), connected: true, serverVersion: version, problems };
  } catch (e) {
    problems.push({ level: 'error', code: 'query', message: `the check failed: ${describePgError(e, conn.redact)}` });
    return { ok: false, connected: true, serverVersion: null, problems };
  } finally {
    await client.end().catch(() => undefined);
  }
}
