/**
 * Simulated traffic: inserts tickets into the demo database at a chosen rate through real SQL,
 * one transaction per ticket, so each one travels through logical replication like a customer's
 * would. A token bucket on a 100 ms tick keeps the rate exact over time without a timer per ticket;
 * a slow database never queues inserts (one tick at a time, the bucket is capped at one second).
 * A database error stops the generator and is reported in its status, never thrown at the engine.
 */
import pg from 'pg';

export interface TrafficStatus {
  running: boolean;
  ratePerSecond: number;
  inserted: number;
  startedAt?: string;
  error?: string;
}

export interface TrafficOptions {
  connectionString: () => string;
  /** Inserts ticket number `i` (0, 1, 2… across the whole session) and returns its id. */
  insert: (client: pg.Client, i: number) => Promise<unknown>;
  log?: (line: string) => void;
  now?: () => number;
  tickMs?: number;
}

export class TrafficGenerator {
  private client: pg.Client | null = null;
  private timer: ReturnType<typeof setInterval> | undefined;
  private state: TrafficStatus = { running: false, ratePerSecond: 0, inserted: 0 };
  private tokens = 0;
  private lastTick = 0;
  private busy = false;
  private limit = Infinity;
  /** Counts across sessions, so a second "Start" continues through the pool instead of repeating it. */
  private sequence = 0;

  constructor(private readonly o: TrafficOptions) {}

  get status(): TrafficStatus {
    return { ...this.state };
  }

  async start(ratePerSecond: number, maxTickets?: number): Promise<TrafficStatus> {
    await this.stop();
    const client = new pg.Client({ connectionString: this.o.connectionString(), application_name: 'millrace-demo-traffic' });
    // A server restart emits 'error' on an idle client: without a listener that ends the process.
    client.on('error', (e) => this.fail(e));
    await client.connect();
    this.client = client;
    const now = this.o.now ?? Date.now;
    this.state = { running: true, ratePerSecond, inserted: 0, startedAt: new Date(now()).toISOString() };
    this.limit = maxTickets ?? Infinity;
    // Start with one token: the first ticket goes in at once, which is what a person pressing Start expects.
    this.tokens = 1;
    this.lastTick = now();
    this.timer = setInterval(() => void this.tick(), this.o.tickMs ?? 100);
    this.timer.unref?.();
    void this.tick();
    return this.status;
  }

  /** Changes the rate of a running generator without restarting it. */
  setRate(ratePerSecond: number): void {
    if (this.state.running) this.state.ratePerSecond = ratePerSecond;
  }

  async stop(): Promise<TrafficStatus> {
    clearInterval(this.timer);
    this.timer = undefined;
    const client = this.client;
    this.client = null;
    this.state = { ...this.state, running: false };
    // Wait for an insert in flight, so nothing is written after stop() resolves.
    while (this.busy) await new Promise((r) => setTimeout(r, 5));
    await client?.end().catch(() => undefined);
    return this.status;
  }

  private async tick(): Promise<void> {
    if (this.busy || !this.client || !this.state.running) return;
    const now = (this.o.now ?? Date.now)();
    this.tokens = Math.min(this.tokens + ((now - this.lastTick) / 1000) * this.state.ratePerSecond, Math.max(1, this.state.ratePerSecond));
    this.lastTick = now;
    this.busy = true;
    try {
      while (this.tokens >= 1 && this.client && this.state.running && this.state.inserted < this.limit) {
        await this.o.insert(this.client, this.sequence);
        this.sequence++;
        this.tokens -= 1;
        this.state.inserted++;
      }
    } catch (e) {
      this.fail(e);
    } finally {
      this.busy = false;
    }
    if (this.state.inserted >= this.limit && this.state.running) void this.stop();
  }

  private fail(e: unknown): void {
    if (!this.state.running) return;
    const message = e instanceof Error ? e.message : String(e);
    this.o.log?.(`demo traffic stopped: ${message}`);
    this.state = { ...this.state, error: `stopped: ${message}` };
    void this.stop();
  }
}
