/**
 * The live demo workspace: starts the demo database, seeds it, keeps its connection string in the
 * secret the bundled flow refers to (the port is free at every start, never fixed), restores the
 * bundled "Support ticket triage" flow once, keeps its change trigger live, and runs the traffic
 * generator. It never takes the engine down: every failure becomes the status' `problem`, and the
 * rest of the app keeps working. Off unless the engine is started with `demo` (`millrace serve`,
 * `npm start`); tests opt in.
 */
import pg from 'pg';
import { DEMO_FLOW_ID, DEMO_PG_SECRET, type DemoProblem, type DemoStatus } from '../../shared/demo';
import { TrafficGenerator } from './traffic';

/** What the workspace needs from the engine (wired in ./demo-wiring.ts). */
export interface DemoHost {
  log(line: string): void;
  setSecret(name: string, value: string): Promise<void>;
  getSetting(key: string): string | undefined;
  setSetting(key: string, value: string): void;
  flowExists(id: string): boolean;
  /** Saves the bundled flow document (a new version when it exists). */
  restoreFlow(doc: unknown): Promise<void>;
  /** Whether the flow's change trigger is switched on (a user's Pause is respected across starts). */
  triggerActive(flowId: string): boolean;
  activate(flowId: string): Promise<unknown>;
  deactivate(flowId: string, dropSlot: boolean): Promise<unknown>;
  /** Cancels the flow's queued, running and waiting runs (a reset must not land old tickets in the new table). */
  cancelUnfinishedRuns(flowId: string): Promise<number>;
}

export interface RunningDemoDatabase {
  connectionString: string;
  port: number;
  source: 'system' | 'embedded';
  version: string;
  dataDir: string;
  /** A shell command that opens psql on it (without the password in it). */
  psql?: string;
}

export interface DemoDatabase {
  start(): Promise<RunningDemoDatabase>;
  stop(): Promise<void>;
}

export interface DemoContent {
  /** Creates the tables and seeds the tickets when support_tickets is empty. */
  seed(client: pg.Client): Promise<unknown>;
  /** Drops, recreates and re-seeds both tables. */
  reset(client: pg.Client): Promise<unknown>;
  /** Inserts traffic ticket number `i` (every one has a recorded LLM answer). */
  insertTrafficTicket(client: pg.Client, i: number): Promise<unknown>;
}

export interface DemoWorkspaceOptions {
  host: DemoHost;
  database: DemoDatabase;
  content: DemoContent;
  /** The bundled flow document (resources/demo/support-triage.flow.json). */
  flow: unknown;
  now?: () => number;
}

const ACTIVATED = 'demo_support_activated';

export function disabledDemoStatus(): DemoStatus {
  return { enabled: false, flowId: DEMO_FLOW_ID, database: { state: 'off' }, tickets: { total: 0, triaged: 0 }, traffic: { running: false, ratePerSecond: 0, inserted: 0 } };
}

export class DemoWorkspace {
  private state: DemoStatus['database']['state'] = 'off';
  private running: RunningDemoDatabase | null = null;
  private problem: DemoProblem | undefined;
  private starting: Promise<void> | null = null;
  private pool: pg.Pool | null = null;
  private counts = { total: 0, triaged: 0, at: 0 };
  private closed = false;
  private readonly traffic: TrafficGenerator;
  /** Milliseconds from the workspace's start() to "database up" and to "trigger live" (the e2e prints them). */
  readonly timings: { databaseMs?: number; liveMs?: number } = {};

  constructor(private readonly o: DemoWorkspaceOptions) {
    this.traffic = new TrafficGenerator({
      connectionString: () => this.connectionString(),
      insert: (client, i) => this.o.content.insertTrafficTicket(client, i),
      log: (l) => this.o.host.log(l),
    });
  }

  /** Idempotent: a second call while starting waits for the same start; after a failure it tries again. */
  start(): Promise<DemoStatus> {
    if (this.state === 'running' || this.closed) return this.status();
    this.starting ??= this.doStart().finally(() => {
      this.starting = null;
    });
    return this.starting.then(() => this.status());
  }

  private async doStart(): Promise<void> {
    const now = this.o.now ?? Date.now;
    const t0 = now();
    this.state = 'starting';
    this.problem = undefined;
    try {
      this.running = await this.o.database.start();
      this.timings.databaseMs = now() - t0;
      await this.o.host.setSecret(DEMO_PG_SECRET, this.running.connectionString);
      await this.withClient((c) => this.o.content.seed(c));
      if (this.closed) return;
      this.state = 'running';
    } catch (e) {
      this.state = 'failed';
      this.problem = asProblem(e);
      this.o.host.log(`demo database: ${this.problem.message} — ${this.problem.fix}`);
      return;
    }
    try {
      // First start: switch the trigger on. Later starts: reconnect it at the database's new port,
      // unless the user paused it (a pause is a decision, kept across restarts).
      const firstTime = !this.o.host.getSetting(ACTIVATED);
      if (this.o.host.flowExists(DEMO_FLOW_ID) && (firstTime || this.o.host.triggerActive(DEMO_FLOW_ID))) {
        await this.o.host.activate(DEMO_FLOW_ID);
        this.o.host.setSetting(ACTIVATED, new Date(now()).toISOString());
      }
      this.timings.liveMs = now() - t0;
      this.o.host.log(`demo: database ready in ${this.timings.databaseMs} ms (${this.running.source} PostgreSQL ${this.running.version}, port ${this.running.port}); flow live in ${this.timings.liveMs} ms`);
    } catch (e) {
      // The database runs; only the trigger failed. Say so; the flow's own status shows the details.
      this.problem = { code: 'trigger', message: `the demo flow's trigger did not start: ${e instanceof Error ? e.message : String(e)}`, fix: 'Open the demo flow and press Activate, or use Reset demo.' };
      this.o.host.log(`demo: ${this.problem.message}`);
    }
  }

  async status(): Promise<DemoStatus> {
    const r = this.running;
    return {
      enabled: true,
      flowId: DEMO_FLOW_ID,
      database: {
        state: this.state,
        ...(r && this.state === 'running' ? { source: r.source, version: r.version, port: r.port, url: maskPassword(r.connectionString), ...(r.psql ? { psql: r.psql } : {}), dataDir: r.dataDir } : {}),
        ...(this.problem ? { problem: this.problem } : {}),
      },
      tickets: await this.ticketCounts(),
      traffic: this.traffic.status,
    };
  }

  async simulateTraffic(ratePerSecond: number, maxTickets?: number): Promise<DemoStatus> {
    await this.requireRunning();
    const current = this.traffic.status;
    if (current.running && maxTickets === undefined) this.traffic.setRate(ratePerSecond);
    else await this.traffic.start(ratePerSecond, maxTickets);
    return this.status();
  }

  async stopTraffic(): Promise<DemoStatus> {
    await this.traffic.stop();
    return this.status();
  }

  /** Stops traffic, cancels the demo's unfinished runs, drops its slot, re-seeds and restores the bundled flow. */
  async reset(): Promise<DemoStatus> {
    await this.traffic.stop();
    await this.requireRunning();
    if (this.o.host.flowExists(DEMO_FLOW_ID)) {
      await this.o.host.deactivate(DEMO_FLOW_ID, true);
      const cancelled = await this.o.host.cancelUnfinishedRuns(DEMO_FLOW_ID);
      if (cancelled > 0) this.o.host.log(`demo reset: cancelled ${cancelled} unfinished run(s)`);
    }
    await this.withClient((c) => this.o.content.reset(c));
    this.counts.at = 0;
    await this.o.host.restoreFlow(this.o.flow);
    await this.o.host.activate(DEMO_FLOW_ID);
    this.o.host.setSetting(ACTIVATED, new Date((this.o.now ?? Date.now)()).toISOString());
    this.problem = undefined;
    return this.status();
  }

  /** Stops traffic and the database cleanly (engine close). The next start resumes from the same folder. */
  async close(): Promise<void> {
    this.closed = true;
    await this.traffic.stop();
    await this.starting?.catch(() => undefined);
    await this.pool?.end().catch(() => undefined);
    this.pool = null;
    if (this.state === 'running' || this.state === 'starting') {
      this.state = 'stopping';
      await this.o.database.stop().catch((e: unknown) => this.o.host.log(`demo database did not stop cleanly: ${String(e)}`));
    }
    this.state = 'off';
  }

  private async requireRunning(): Promise<void> {
    if (this.state !== 'running') await this.start();
    if (this.state !== 'running') throw new Error(this.problem ? `the demo database is not running: ${this.problem.message} ${this.problem.fix}` : 'the demo database is not running');
  }

  private connectionString(): string {
    if (!this.running) throw new Error('the demo database is not running');
    return this.running.connectionString;
  }

  private async withClient<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: this.connectionString(), application_name: 'millrace-demo' });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /** Ticket counts for the status, read at most twice a second however often the UI polls. */
  private async ticketCounts(): Promise<{ total: number; triaged: number }> {
    const now = (this.o.now ?? Date.now)();
    if (this.state !== 'running' || now - this.counts.at < 500) return { total: this.counts.total, triaged: this.counts.triaged };
    try {
      this.pool ??= new pg.Pool({ connectionString: this.connectionString(), max: 1, idleTimeoutMillis: 5_000, application_name: 'millrace-demo-status' });
      this.pool.on('error', () => undefined);
      const r = await this.pool.query<{ total: string; triaged: string }>(
        `SELECT (SELECT count(*) FROM support_tickets) AS total, (SELECT count(*) FROM triaged_tickets) AS triaged`,
      );
      this.counts = { total: Number(r.rows[0]?.total ?? 0), triaged: Number(r.rows[0]?.triaged ?? 0), at: now };
    } catch {
      // A count is decoration: keep the last one.
    }
    return { total: this.counts.total, triaged: this.counts.triaged };
  }
}

function asProblem(e: unknown): DemoProblem {
  const problem = typeof e === 'object' && e !== null && 'problem' in e ? (e as { problem: unknown }).problem : undefined;
  if (typeof problem === 'object' && problem !== null && 'code' in problem && 'message' in problem && 'fix' in problem) {
    const p = problem as Record<string, unknown>;
    return { code: String(p['code']), message: String(p['message']), fix: String(p['fix']) };
  }
  return {
    code: 'start-failed',
    message: `the demo database did not start: ${e instanceof Error ? e.message : String(e)}`,
    fix: 'See the engine log for details; the rest of the app works without the demo database.',
  };
}

/** The status shows where the database is, never its password (that stays in the cluster folder, 0600). */
function maskPassword(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(hidden)';
  }
}
