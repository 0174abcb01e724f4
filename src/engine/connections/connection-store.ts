/**
 * Named Postgres connections in SQLite (table pg_connections, migration 11). Settings are a JSON
 * column validated on every read: a row edited by hand that no longer parses is skipped with a
 * reason rather than handed to a driver.
 */
import { z } from 'zod';
import type { Db } from '../store/database';
import { pgConnectionSettingsSchema, type PgConnection, type PgConnectionFields } from '../../shared/connections';

const RowSchema = z.object({ id: z.string(), name: z.string(), settings: z.string(), created_at: z.number(), updated_at: z.number() });

export class ConnectionStore {
  constructor(private readonly db: Db) {}

  all(): PgConnection[] {
    const rows = this.db.prepare(`SELECT id, name, settings, created_at, updated_at FROM pg_connections ORDER BY name COLLATE NOCASE`).all();
    return rows.map((r) => toConnection(r)).filter((c): c is PgConnection => c !== null);
  }

  get(id: string): PgConnection | undefined {
    const r = this.db.prepare(`SELECT id, name, settings, created_at, updated_at FROM pg_connections WHERE id = ?`).get(id);
    return r === undefined ? undefined : (toConnection(r) ?? undefined);
  }

  /** The id of the connection with this name (case-insensitive), if any. */
  idByName(name: string): string | undefined {
    const r = this.db.prepare(`SELECT id FROM pg_connections WHERE name = ? COLLATE NOCASE`).pluck().get(name);
    return typeof r === 'string' ? r : undefined;
  }

  insert(c: { id: string; name: string; settings: PgConnectionFields }, now: number): void {
    this.db.prepare(`INSERT INTO pg_connections (id, name, settings, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`).run(c.id, c.name, JSON.stringify(c.settings), now, now);
  }

  update(c: { id: string; name: string; settings: PgConnectionFields }, now: number): boolean {
    return this.db.prepare(`UPDATE pg_connections SET name = ?, settings = ?, updated_at = ? WHERE id = ?`).run(c.name, JSON.stringify(c.settings), now, c.id).changes > 0;
  }

  delete(id: string): boolean {
    return this.db.prepare(`DELETE FROM pg_connections WHERE id = ?`).run(id).changes > 0;
  }
}

function toConnection(raw: unknown): PgConnection | null {
  const row = RowSchema.safeParse(raw);
  if (!row.success) return null;
  let json: unknown;
  try {
    json = JSON.parse(row.data.settings);
  } catch {
    return null;
  }
  const settings = pgConnectionSettingsSchema.safeParse(json);
  if (!settings.success) return null;
  return { id: row.data.id, name: row.data.name, ...settings.data, createdAt: row.data.created_at, updatedAt: row.data.updated_at };
}
