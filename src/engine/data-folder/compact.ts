/**
 * Giving disk space back. Databases created by this build use incremental auto-vacuum, so the
 * pages retention frees are returned in small steps after each prune; older databases (auto_vacuum
 * off) are converted once by `millrace maintenance --compact`, a full VACUUM while no engine runs.
 */
import { lstatSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase, type Db } from '../store/database';

/** Pages returned per call (64 MB at 4 KB pages): a retention tick never stalls the writer for long. */
const PAGES_PER_STEP = 16_384;

/** Returns up to `maxPages` free pages to the file system; 0 when auto-vacuum is not incremental. */
export function releaseFreePages(db: Db, maxPages = PAGES_PER_STEP): number {
  if ((db.pragma('auto_vacuum', { simple: true }) as number) !== 2) return 0;
  const free = db.pragma('freelist_count', { simple: true }) as number;
  if (free === 0) return 0;
  const n = Math.min(free, maxPages);
  db.pragma(`incremental_vacuum(${n})`);
  return n;
}

/** Bytes inside the database that pruning freed but the file still holds. */
export function reclaimableBytes(db: Db): number {
  return (db.pragma('freelist_count', { simple: true }) as number) * (db.pragma('page_size', { simple: true }) as number);
}

/** The database file and its WAL. */
export function databaseFileBytes(file: string): number {
  return fileSize(file) + fileSize(`${file}-wal`);
}

export interface CompactReport {
  beforeBytes: number;
  afterBytes: number;
  autoVacuum: 'incremental';
}

/** Full VACUUM of a database no engine has open (the exclusive lock refuses otherwise), switching it to incremental auto-vacuum. */
export function compactDatabase(file: string): CompactReport {
  const size = () => databaseFileBytes(file);
  const beforeBytes = size();
  const db = openDatabase(file);
  try {
    db.pragma('auto_vacuum = INCREMENTAL');
    db.exec('VACUUM');
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
  return { beforeBytes, afterBytes: size(), autoVacuum: 'incremental' };
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** Total size of the files under `dir` (symlinks are not followed), walked without recursion. */
export function folderBytes(dir: string): number {
  let total = 0;
  const stack = [dir];
  while (stack.length > 0) {
    const current = stack.pop()!;
    let entries: string[];
    try {
      entries = readdirSync(current);
    } catch {
      continue;
    }
    for (const name of entries) {
      const path = join(current, name);
      let info;
      try {
        info = lstatSync(path);
      } catch {
        continue;
      }
      if (info.isDirectory()) stack.push(path);
      else if (info.isFile()) total += info.size;
    }
  }
  return total;
}
