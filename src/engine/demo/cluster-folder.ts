/**
 * The demo cluster's folder (<data folder>/demo-postgres): layout, permissions, config files, the
 * generated password, a leftover postmaster and the server log. No process management here
 * (demo-postgres.ts does that).
 *
 * Layout: `data/` (PGDATA, 0700 as Postgres demands), `server.log`, `password` (0600), and the
 * unix socket (`.s.PGSQL.<port>`) in the folder itself. When we are root the whole folder belongs
 * to the `postgres` user (the server refuses root); root still reads it.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, closeSync, existsSync, lstatSync, mkdirSync, openSync, readFileSync, readSync, readlinkSync, realpathSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { PostgresIds } from './pg-binaries';

export interface ClusterFolder {
  dir: string;
  dataDir: string;
  logFile: string;
  passwordFile: string;
  /** Null when the folder's path is too long for a unix socket (108 bytes on Linux): TCP only then. */
  socketDir: string | null;
}

const MAX_LOG_BYTES = 8 * 1024 * 1024;

export function clusterFolder(dir: string): ClusterFolder {
  const abs = resolve(dir);
  const socketOk = Buffer.byteLength(join(abs, '.s.PGSQL.65535.lock')) < 100;
  return { dir: abs, dataDir: join(abs, 'data'), logFile: join(abs, 'server.log'), passwordFile: join(abs, 'password'), socketDir: socketOk ? abs : null };
}

/** Hands a file or folder we created to the postgres user (root only). */
function own(path: string, ids: PostgresIds | null) {
  if (ids) chownSync(path, ids.uid, ids.gid);
}

/**
 * Creates the folder (0700) and proves it is writable; when root, hands it to `postgres` and
 * makes the path to it traversable (see grantTraverse). Throws the fs error as it is.
 */
export function prepareFolder(f: ClusterFolder, ids: PostgresIds | null, log: (line: string) => void): void {
  mkdirSync(f.dir, { recursive: true, mode: 0o700 });
  const probe = join(f.dir, `.write-probe-${process.pid}`);
  writeFileSync(probe, 'ok');
  unlinkSync(probe);
  own(f.dir, ids);
  chmodSync(f.dir, 0o700);
  grantTraverse(f.dir, ids, log);
  if (existsSync(f.logFile) && statSync(f.logFile).size > MAX_LOG_BYTES) renameSync(f.logFile, `${f.logFile}.1`);
}

/**
 * When root, the server runs as `postgres` and must reach the cluster folder, whose parents (the
 * data folder, 0700 by design, maybe /root) it cannot traverse. We add only the "others may
 * traverse" bit (o+x) to each ancestor that blocks it: nobody gains the right to list or read
 * those folders, only to pass through to a name they already know, and everything inside the data
 * folder is 0600/0700 anyway. The engine tightens the data folder back to 0700 when it opens it,
 * so this runs before every pg_ctl call. Nothing changes on a normal user's machine.
 */
export function grantTraverse(dir: string, ids: PostgresIds | null, log: (line: string) => void): void {
  if (!ids) return;
  for (let p = dirname(resolve(dir)); ; p = dirname(p)) {
    const st = statSync(p);
    const mode = st.mode & 0o777;
    const can = (mode & 0o001) !== 0 || (st.uid === ids.uid && (mode & 0o100) !== 0) || (ids.groups.includes(st.gid) && (mode & 0o010) !== 0);
    if (!can) {
      chmodSync(p, mode | 0o001);
      log(`demo database: let the postgres user traverse ${p} (o+x, no read or list), so it can reach its cluster folder`);
    }
    if (dirname(p) === p) break;
  }
}

/** Our settings, rewritten at every start (port included: it is free, never fixed) and included from postgresql.conf. */
export function writeConfig(f: ClusterFolder, port: number, ids: PostgresIds | null): void {
  const settings: Record<string, string> = {
    port: String(port),
    listen_addresses: '127.0.0.1',
    unix_socket_directories: f.socketDir ?? '',
    unix_socket_permissions: '0700',
    wal_level: 'logical',
    max_wal_senders: '10',
    max_replication_slots: '10',
    // A demo slot whose flow is switched off must not fill the disk: past 1 GB the slot is
    // invalidated (the trigger reports it) instead.
    max_slot_wal_keep_size: '1GB',
  };
  const conf = join(f.dataDir, 'millrace.conf');
  writeFileSync(conf, `# Written by Millrace at every start of the demo database; edits are overwritten.\n${Object.entries(settings).map(([k, v]) => `${k} = '${v}'`).join('\n')}\n`);
  own(conf, ids);
  const main = join(f.dataDir, 'postgresql.conf');
  const text = readFileSync(main, 'utf8');
  if (!text.includes("include_if_exists = 'millrace.conf'")) writeFileSync(main, `${text}\ninclude_if_exists = 'millrace.conf'\n`);
  // The socket sits in a 0700 folder only the server's user reaches: trust there is safe. Over TCP
  // (127.0.0.1 only) a password, because on a shared machine any local account could otherwise
  // connect as superuser and run programs as the user the server runs as (COPY ... TO PROGRAM).
  const hba = join(f.dataDir, 'pg_hba.conf');
  writeFileSync(hba, 'local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\nhost replication all 127.0.0.1/32 scram-sha-256\n');
  own(hba, ids);
}

/** The superuser's password: generated once (hex, URL-safe), kept 0600 in the cluster folder. */
export function readOrCreatePassword(f: ClusterFolder, ids: PostgresIds | null): string {
  if (existsSync(f.passwordFile)) {
    const existing = readFileSync(f.passwordFile, 'utf8').trim();
    if (/^[0-9a-f]{32,}$/.test(existing)) return existing;
  }
  const password = randomBytes(24).toString('hex');
  writeFileSync(f.passwordFile, `${password}\n`, { mode: 0o600 });
  chmodSync(f.passwordFile, 0o600);
  own(f.passwordFile, ids);
  return password;
}

export type ClusterOnDisk = 'none' | 'partial' | 'ready';

/** 'partial' = a data folder without PG_VERSION: initdb was interrupted; it holds nothing of value. */
export function clusterOnDisk(f: ClusterFolder): ClusterOnDisk {
  if (!existsSync(f.dataDir)) return 'none';
  return existsSync(join(f.dataDir, 'PG_VERSION')) ? 'ready' : 'partial';
}

export function removePartialCluster(f: ClusterFolder): void {
  rmSync(f.dataDir, { recursive: true, force: true });
}

/** The cluster's major version (PG_VERSION), e.g. "15". */
export function clusterMajor(f: ClusterFolder): string | null {
  try {
    return readFileSync(join(f.dataDir, 'PG_VERSION'), 'utf8').trim();
  } catch {
    return null;
  }
}

/**
 * The pid of a postmaster of *this* cluster that is still running (the app was killed, the
 * server survived), or null. A postmaster.pid whose pid is dead is left alone (Postgres replaces
 * it itself); one whose pid now belongs to another process (pid reuse after a reboot) would make
 * Postgres refuse to start, so we remove it.
 */
export function leftoverPostmaster(f: ClusterFolder, log: (line: string) => void): number | null {
  const pidFile = join(f.dataDir, 'postmaster.pid');
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  } catch {
    return null;
  }
  if (!Number.isInteger(pid) || pid <= 0) return null;
  const state = processState(pid);
  if (state === 'dead') return null;
  // A killed server whose parent (init) has not reaped it yet still answers kill(pid, 0), and
  // Postgres would refuse to start over it: the file is stale, remove it.
  const ours = state === 'zombie' ? false : isPostmasterOf(pid, f.dataDir);
  if (ours === false) {
    log(`demo database: postmaster.pid names pid ${pid}, which is not a running server of this cluster; removing the stale file`);
    unlinkSync(pidFile);
    return null;
  }
  return pid;
}

/** 'zombie' = exited, not yet reaped (Linux /proc); elsewhere a zombie counts as alive. */
export function processState(pid: number): 'dead' | 'zombie' | 'alive' {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return 'dead';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) S ...": comm may contain spaces and parentheses, the state follows the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z' ? 'zombie' : 'alive';
  } catch {
    return 'alive';
  }
}

/** Linux: a postgres process whose working folder is the data folder. Null when /proc cannot tell. */
function isPostmasterOf(pid: number, dataDir: string): boolean | null {
  if (!existsSync(`/proc/${pid}`)) return null;
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const cwd = readlinkSync(`/proc/${pid}/cwd`);
    return /postgres/.test(cmd) && cwd === realpathSync(dataDir);
  } catch {
    return null;
  }
}

export function logSize(f: ClusterFolder): number {
  try {
    return lstatSync(f.logFile).size;
  } catch {
    return 0;
  }
}

/** The last `n` lines the server wrote to its log since `offset` (this start's lines). */
export function logTail(f: ClusterFolder, offset: number, n = 12): string[] {
  try {
    const size = lstatSync(f.logFile).size;
    const from = Math.max(offset, size - 64 * 1024);
    const buf = Buffer.alloc(size - from);
    const fd = openSync(f.logFile, 'r');
    try {
      readSync(fd, buf, 0, buf.length, from);
    } finally {
      closeSync(fd);
    }
    return buf.toString('utf8').split('\n').filter((l) => l.trim() !== '').slice(-n);
  } catch {
    return [];
  }
}
