/**
 * The SQLite table sink's client (`ctx.services.sqlite`): a database file chosen by the user,
 * relative to the output folder (confined like Write file) and created if missing. Exactly once
 * like the Postgres sink: the idempotency key goes into `millrace_effects` in the SAME
 * transaction as the row (insert/update), or the upsert key makes a repeat harmless. The file
 * runs in WAL mode with synchronous=FULL: a COMMIT is on disk before the engine records the step.
 */
import Database from 'better-sqlite3';
import type { ColumnInfo, SqliteSinkService, TableWrite, TableWriteResult } from '../../shared/services';
import { NodeError } from '../../shared/services';
import { sqliteNativeBinding } from '../store/native-binding';
import { confinedPath } from './files';
import { quoteIdent } from './table-sql';
import { buildStatement, EFFECTS_TABLE } from './pg-sink';

const MAX_OPEN = 16;

export interface SqliteSinkOptions {
  /** Create a missing table from the mapped columns (key columns as its primary key). Default true. */
  createTables?: boolean;
}

export function createSqliteSinkService(outputDir: string, options: SqliteSinkOptions = {}): SqliteSinkService & { close(): void } {
  const open = new Map<string, Database.Database>();

  async function dbFor(file: string): Promise<Database.Database> {
    // The path is checked at every write (no cached verdict); the open handle is reused only for the same real file.
    const { target } = await confinedPath(outputDir, file);
    let db = open.get(target);
    if (db) return db;
    if (open.size >= MAX_OPEN) {
      const [first, oldest] = open.entries().next().value!;
      open.delete(first);
      oldest.close();
    }
    const binding = sqliteNativeBinding();
    db = new Database(target, binding ? { nativeBinding: binding } : {});
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    db.exec(`CREATE TABLE IF NOT EXISTS ${quoteIdent(EFFECTS_TABLE)} (key TEXT PRIMARY KEY, run_id TEXT NOT NULL, node_id TEXT NOT NULL, target TEXT NOT NULL, written_at INTEGER NOT NULL)`);
    open.set(target, db);
    return db;
  }

  const columnsOf = (db: Database.Database, table: string): ColumnInfo[] =>
    (db.prepare(`SELECT name, type, "notnull" AS nn, dflt_value AS d, pk FROM pragma_table_info(?)`).all(table) as { name: string; type: string; nn: number; d: unknown; pk: number }[]).map(
      (c) => ({ name: c.name, type: c.type, nullable: c.nn === 0, hasDefault: c.d !== null || (c.pk === 1 && /^integer$/i.test(c.type)) }),
    );

  return {
    async write(file, w: TableWrite): Promise<TableWriteResult> {
      const db = await dbFor(file);
      // SQLite has no schemas inside one file: the table name alone.
      const target = quoteIdent(w.table);
      if (columnsOf(db, w.table).length === 0) {
        if (options.createTables === false) throw new NodeError(`table "${w.table}" does not exist in ${file}`, { field: 'table', permanent: true });
        const cols = Object.keys(w.row).map((c) => `${quoteIdent(c)}${w.keyColumns.length === 1 && w.keyColumns[0] === c ? ' PRIMARY KEY' : ''}`);
        const pk = w.keyColumns.length > 1 ? `, PRIMARY KEY (${w.keyColumns.map(quoteIdent).join(', ')})` : '';
        db.exec(`CREATE TABLE IF NOT EXISTS ${target} (${cols.join(', ')}${pk})`);
      }
      const built = buildStatement(target, w);
      // SQLite binds `?` by position: rewrite $n in order of appearance.
      const order: number[] = [];
      const sql = built.sql.replace(/\$(\d+)/g, (_, n: string) => {
        order.push(Number(n) - 1);
        return '?';
      });
      const bound = order.map((i) => built.params[i]).map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v));
      try {
        const stmt = db.prepare(sql);
        if (w.mode === 'upsert') return { applied: true, rowCount: stmt.run(...bound).changes, sql };
        const keyRow = db.prepare(`INSERT OR IGNORE INTO ${quoteIdent(EFFECTS_TABLE)} (key, run_id, node_id, target, written_at) VALUES (?, ?, ?, ?, ?)`);
        return db.transaction(() => {
          if (keyRow.run(w.idempotencyKey, w.runId, w.nodeId, w.table, Date.now()).changes === 0) return { applied: false, rowCount: 0, sql };
          return { applied: true, rowCount: stmt.run(...bound).changes, sql };
        }).immediate();
      } catch (e) {
        if (e instanceof NodeError) throw e;
        const code = String((e as { code?: unknown }).code ?? '');
        throw new NodeError(`${w.mode} into ${w.table} (${file}) failed: ${(e as Error).message}`, { permanent: /CONSTRAINT|MISMATCH|SQLITE_ERROR/.test(code) });
      }
    },
    async listColumns(file, table) {
      return columnsOf(await dbFor(file), table);
    },
    close() {
      for (const db of open.values()) db.close();
      open.clear();
    },
  };
}
