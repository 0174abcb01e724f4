/**
 * A throwaway PostgreSQL cluster for tests, benchmarks and the demo: the system PostgreSQL 15
 * binaries run as the `postgres` user (the server refuses to run as root), in a temp folder,
 * on a random free port on 127.0.0.1, with its unix socket inside the folder. `stop()` always
 * removes the folder; `withPostgres` stops it even when the body throws.
 */
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { asPostgres, freePort, postgresIds, requireSystemBinDir } from '../../demo/pg-binaries';

const run = promisify(execFile);

export interface TestPostgresOptions {
  /** Default 'logical'. 'replica' makes a cluster the setup check must refuse. */
  walLevel?: 'logical' | 'replica';
  /** e.g. '64MB': a slot that retains more WAL than this is invalidated ("lost"). */
  maxSlotWalKeepSize?: string;
  /** Extra `-c name=value` settings. */
  settings?: Record<string, string>;
}

export interface TestPostgres {
  host: string;
  port: number;
  /** Superuser without a password (trust auth on 127.0.0.1 only). */
  user: string;
  database: string;
  dataDir: string;
  connectionString(user?: string, database?: string): string;
  /** A connected client as the superuser; the caller ends it. */
  client(): Promise<pg.Client>;
  /** Runs one statement on a fresh connection. */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<pg.QueryResult<R>>;
  /** `pg_ctl restart -m immediate`: a crash-like restart (no shutdown checkpoint), same port. */
  restart(mode?: 'immediate' | 'fast'): Promise<void>;
  stop(): Promise<void>;
}

export async function startTestPostgres(options: TestPostgresOptions = {}): Promise<TestPostgres> {
  const bin = requireSystemBinDir();
  const ids = postgresIds();
  const root = mkdtempSync(join(tmpdir(), 'millrace-pg-'));
  const dataDir = join(root, 'data');
  if (ids) {
    chownSync(root, ids.uid, ids.gid);
    chmodSync(root, 0o700);
  }
  const port = await freePort();
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    port: String(port),
    unix_socket_directories: root,
    wal_level: options.walLevel ?? 'logical',
    max_wal_senders: '10',
    max_replication_slots: '10',
    // Tests trade durability of the throwaway cluster for speed; restarts still replay WAL.
    fsync: 'off',
    full_page_writes: 'off',
    ...(options.maxSlotWalKeepSize ? { max_slot_wal_keep_size: options.maxSlotWalKeepSize } : {}),
    ...options.settings,
  };
  const stop = async () => {
    if (existsSync(join(dataDir, 'postmaster.pid'))) {
      const [cmd, args] = asPostgres(join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
      await run(cmd, args).catch(() => undefined);
    }
    rmSync(root, { recursive: true, force: true });
  };
  try {
    const [initCmd, initArgs] = asPostgres(join(bin, 'initdb'), ['-D', dataDir, '--auth=trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C']);
    await run(initCmd, initArgs);
    // Settings live in postgresql.auto.conf so `pg_ctl restart` keeps them.
    const conf = Object.entries(settings).map(([k, v]) => `${k} = '${v}'`).join('\n');
    writeFileSync(join(dataDir, 'postgresql.auto.conf'), `${conf}\n`);
    // Replication connections (and everything else) only from 127.0.0.1, without a password.
    writeFileSync(join(dataDir, 'pg_hba.conf'), 'local all all trust\nhost all all 127.0.0.1/32 trust\nhost replication all 127.0.0.1/32 trust\n');
    if (ids) {
      chownSync(join(dataDir, 'postgresql.auto.conf'), ids.uid, ids.gid);
      chownSync(join(dataDir, 'pg_hba.conf'), ids.uid, ids.gid);
    }
    await pgCtl(bin, dataDir, ['-l', join(root, 'server.log'), 'start']);
  } catch (e) {
    await stop();
    throw e;
  }
  const host = '127.0.0.1';
  const connectionString = (user = 'postgres', database = 'postgres') => `postgres://${user}@${host}:${port}/${database}`;
  const client = async () => {
    const c = new pg.Client({ host, port, user: 'postgres', database: 'postgres' });
    await c.connect();
    return c;
  };
  return {
    host,
    port,
    user: 'postgres',
    database: 'postgres',
    dataDir,
    connectionString,
    client,
    async query<R extends pg.QueryResultRow>(sql: string, params?: unknown[]) {
      const c = await client();
      try {
        return await c.query<R>(sql, params);
      } finally {
        await c.end();
      }
    },
    async restart(mode = 'immediate') {
      await pgCtl(bin, dataDir, ['-l', join(root, 'server.log'), '-m', mode, 'restart']);
    },
    stop,
  };
}

async function pgCtl(bin: string, dataDir: string, args: string[]) {
  const [cmd, cmdArgs] = asPostgres(join(bin, 'pg_ctl'), ['-D', dataDir, '-w', '-t', '60', ...args]);
  await run(cmd, cmdArgs);
}

/** Starts a cluster, runs `body`, and always stops and removes the cluster. */
export async function withPostgres<T>(body: (pg: TestPostgres) => Promise<T>, options?: TestPostgresOptions): Promise<T> {
  const cluster = await startTestPostgres(options);
  try {
    return await body(cluster);
  } finally {
    await cluster.stop();
  }
}
