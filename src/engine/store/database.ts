/**
 * Opens the engine's SQLite database: WAL journal, migrations, a clear refusal for files that are
 * not ours or are newer than this build. Never overwrites a file it cannot read.
 */
import Database from 'better-sqlite3';
import { closeSync, existsSync, fsyncSync, openSync, readSync, realpathSync } from 'node:fs';
import { ensurePrivateDir, tightenFile } from '../data-folder/file-modes';
import { dirname } from 'node:path';
import { sqliteMigrations } from './migrations';
import { sqliteNativeBinding } from './native-binding';

export type Db = Database.Database;

const APPLICATION_ID = 0x4d4c5243; // "MLRC": marks the file as a Millrace database

export class DatabaseOpenError extends Error {}

/** A user-facing explanation for storage failures (full disk, read-only folder), or null for other errors. */
export function describeStorageError(e: unknown): string | null {
  const code = (e as { code?: unknown } | null)?.code;
  if (code === 'SQLITE_FULL') return 'the disk is full (or the database reached its size limit); free some space — nothing already recorded was lost';
  if (typeof code === 'string' && code.startsWith('SQLITE_READONLY')) return 'the data folder is read-only; Millrace cannot record runs there';
  if (typeof code === 'string' && code.startsWith('SQLITE_IOERR')) return `the disk reported an I/O error (${code}); nothing already recorded was lost`;
  return null;
}

export interface OpenOptions {
  /** Cap on the database size (bytes). Past it, writes fail with SQLITE_FULL, exactly like a full disk. */
  maxBytes?: number;
}

export function openDatabase(file: string, options: OpenOptions = {}): Db {
  if (file !== ':memory:') {
    ensurePrivateDir(dirname(file));
    if (existsSync(file)) assertSqliteFile(file);
  }
  const nativeBinding = sqliteNativeBinding();
  let db: Db;
  try {
    // What a previous process committed may still sit in the page cache (a SIGKILL keeps it): make
    // it durable before this process acts on it, so nothing runs on rows a power cut could erase.
    // Done before SQLite opens the file: closing any descriptor of a file drops every POSIX lock
    // this process holds on it, SQLite's exclusive lock included.
    if (file !== ':memory:' && existsSync(file)) syncFiles([realpathSync(file), `${realpathSync(file)}-wal`]);
    db = new Database(file, nativeBinding ? { nativeBinding } : {});
  } catch (e) {
    throw new DatabaseOpenError(`cannot open database ${file}: ${(e as Error).message}`);
  }
  try {
    // One writer per database: a second Millrace on the same data folder gets a clear refusal
    // instead of two engines claiming the same runs. The lock is taken on first access and held.
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('busy_timeout = 0');
    try {
      // A new database frees pages on demand (PRAGMA incremental_vacuum after retention prunes), so
      // pruning gives space back. Only possible before the first table; older files are converted
      // by `millrace maintenance --compact` (a full VACUUM). Reading the schema is the first access: inside this try.
      if (file !== ':memory:' && isEmpty(db)) db.pragma('auto_vacuum = INCREMENTAL');
      db.pragma('journal_mode = WAL');
      db.exec('BEGIN IMMEDIATE; COMMIT');
    } catch (e) {
      if ((e as { code?: string }).code?.startsWith('SQLITE_BUSY')) {
        throw new DatabaseOpenError(`another Millrace is already using ${file}: stop that one first, or give this one another data folder (--data-dir)`);
      }
      throw e;
    }
    // NORMAL: SQLite syncs the WAL before checkpoints but not at each commit. The commit-time
    // fsync that FULL would do inside COMMIT is done by the group-commit writer instead, on the
    // thread pool and shared by many commits; nothing is acknowledged before it completes
    // (./group-commit.ts). Direct writes outside the writer (flow saves, settings) are not
    // acknowledgements of outside events and are covered by the next fsync or checkpoint.
    db.pragma('synchronous = NORMAL');
    // Checkpoints are ours (./checkpointer.ts): when idle or past a WAL size bound, never inside a
    // COMMIT on the hot path.
    db.pragma('wal_autocheckpoint = 0');
    db.pragma('foreign_keys = ON');
    migrate(db, file);
    // Run data is private: the database, its WAL and shared-memory files are 0600 (umask 022 made them 0644).
    if (file !== ':memory:') for (const f of [file, `${file}-wal`, `${file}-shm`]) tightenFile(f);
    if (options.maxBytes !== undefined) {
      const pageSize = db.pragma('page_size', { simple: true }) as number;
      db.pragma(`max_page_count = ${Math.max(1, Math.floor(options.maxBytes / pageSize))}`);
    }
  } catch (e) {
    db.close();
    throw e;
  }
  return db;
}

function syncFiles(files: string[]) {
  for (const f of files) {
    if (!existsSync(f)) continue;
    const fd = openSync(f, 'r+');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}

/** Reads the first 100 bytes (the SQLite header) only: start-up must not depend on the database size. */
export function assertSqliteFile(file: string) {
  const buf = Buffer.alloc(100);
  const fd = openSync(file, 'r');
  let n: number;
  try {
    n = readSync(fd, buf, 0, buf.length, 0);
  } finally {
    closeSync(fd);
  }
  const header = buf.subarray(0, Math.min(n, 16)).toString('latin1');
  if (header.length > 0 && header !== 'SQLite format 3\u0000') {
    throw new DatabaseOpenError(`${file} is not a SQLite database; refusing to open or overwrite it`);
  }
}

function isEmpty(db: Db): boolean {
  return (db.prepare(`SELECT count(*) AS n FROM sqlite_master`).get() as { n: number }).n === 0;
}

function migrate(db: Db, file: string) {
  const appId = db.pragma('application_id', { simple: true }) as number;
  const version = db.pragma('user_version', { simple: true }) as number;
  const hasTables = (db.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'`).get() as { n: number }).n > 0;
  if (appId !== APPLICATION_ID && (appId !== 0 || hasTables)) {
    throw new DatabaseOpenError(`${file} is a SQLite database but not a Millrace one; refusing to use it`);
  }
  if (version > sqliteMigrations.length) {
    throw new DatabaseOpenError(
      `${file} was written by a newer Millrace (schema ${version}, this build knows ${sqliteMigrations.length}); update Millrace`,
    );
  }
  for (let v = version; v < sqliteMigrations.length; v++) {
    db.transaction(() => {
      db.exec(sqliteMigrations[v]!);
      db.pragma(`user_version = ${v + 1}`);
      db.pragma(`application_id = ${APPLICATION_ID}`);
    })();
  }
}
