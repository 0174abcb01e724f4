/**
 * One active Postgres change trigger: connects, streams from the slot, turns changes into durable
 * runs, confirms positions only after they are durable, watches slot health, runs the backfill,
 * and reconnects with backoff when the connection or Postgres goes away. Its state is always
 * visible (`status`); a lost slot stops it with a prompt instead of a crash loop.
 */
import pg from 'pg';
import type { PostgresChangeConfig } from '../../../nodes/postgres-change.node.js';
import { parseTableList } from '../../../nodes/postgres-change.node.js';
import type { TriggerState, TriggerStatus } from '../../../shared/triggers';
import type { TriggerStore, BackfillState } from '../trigger-store';
import { Backfill } from './backfill';
import { loadPrimaryKeys } from './catalog';
import { ChangeShaper, type ShapedChange } from './change-shaper';
import { ChangeStream } from './change-stream';
import { describePgError, resolveConnection, type NamedConnections, type ResolveSecret, type ResolvedConnection } from './connection';
import { DurableBatcher } from './durable-batcher';
import { formatLsn, lsnKey, type Lsn } from './lsn';
import { ReplicationStream } from './replication-stream';
import { isSlotLostError, slotHealth } from './slot';

export interface PgTriggerOptions {
  flowId: string;
  nodeId: string;
  slot: string;
  publication: string;
  config: PostgresChangeConfig;
  /** Position persisted with the last durable runs (hex key), or null for a new slot. */
  confirmedLsn: string | null;
  /** > 0 after the slot was replaced on another server: prefixes the run dedupe keys (trigger-store.ts). */
  slotEpoch?: number;
  resolveSecret: ResolveSecret;
  namedConnections?: NamedConnections;
  /** Creates the runs durably, with `alsoWrite` in the same transaction. */
  enqueue(runs: ShapedChange[], alsoWrite: () => void): Promise<{ created: number }>;
  store: TriggerStore;
  onStatus(status: TriggerStatus): void;
  log(line: string): void;
  healthIntervalMs?: number;
  maxInFlight?: number;
  chunkSize?: number;
  maxBackoffMs?: number;
  /** The tests' broken variant of the backfill (see `Backfill`'s `ignoreSnapshot`). */
  backfillIgnoresSnapshot?: boolean;
}

/** How often we tell Postgres our position even when nothing changes (wal_sender_timeout is 60 s by default). */
const STATUS_INTERVAL_MS = 10_000;

export class PgTrigger {
  readonly status: TriggerStatus;
  private confirmed: Lsn;
  private stopped = false;
  private wake: (() => void) | null = null;
  private current: { stream: ReplicationStream; control: pg.Client; backfill: Backfill | null } | null = null;
  private loop: Promise<void> = Promise.resolve();
  private statusTimer: ReturnType<typeof setTimeout> | undefined;
  private endSession: ((e: Error) => void) | null = null;

  constructor(private readonly o: PgTriggerOptions) {
    this.confirmed = o.confirmedLsn ? BigInt(`0x${o.confirmedLsn}`) : 0n;
    this.status = {
      flowId: o.flowId,
      nodeId: o.nodeId,
      slot: o.slot,
      publication: o.publication,
      state: 'starting',
      message: null,
      attempt: 0,
      nextRetryAt: null,
      confirmedLsn: this.confirmed > 0n ? formatLsn(this.confirmed) : null,
      changes: 0,
      health: null,
      backfill: null,
    };
  }

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    // A session still connecting ends as soon as it is connected (it checks `stopped`).
    this.endSession?.(new Error('stopped'));
    await this.loop;
    clearTimeout(this.statusTimer);
  }

  private async run() {
    while (!this.stopped) {
      let conn: ResolvedConnection | null = null;
      try {
        conn = await resolveConnection(this.o.config, this.o.resolveSecret, this.o.namedConnections);
        const closed = await this.session(conn);
        if (this.stopped) break;
        throw closed;
      } catch (e) {
        if (this.stopped) break;
        const message = conn ? describePgError(e, conn.redact) : e instanceof Error ? e.message : String(e);
        if (isSlotLostError(message)) {
          this.setState('slot_lost', `the replication slot ${this.o.slot} is gone or invalidated (${message}). Changes since the last confirmed position cannot be read any more: re-sync to create a new slot and backfill the tables.`);
          break;
        }
        this.status.attempt++;
        const delay = Math.min(this.o.maxBackoffMs ?? 30_000, 250 * 2 ** Math.min(this.status.attempt - 1, 10)) * (0.8 + Math.random() * 0.4);
        this.status.nextRetryAt = Date.now() + Math.round(delay);
        this.setState('reconnecting', reconnectMessage(message, this.status.attempt));
        this.o.log(`trigger ${this.o.flowId}/${this.o.nodeId}: ${message}; retry in ${Math.round(delay)} ms`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, delay);
          this.wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        this.wake = null;
      }
    }
  }

  /** One connected session; resolves with the error that ended it. */
  private async session(conn: ResolvedConnection): Promise<Error> {
    const control = new pg.Client(conn.config);
    await control.connect();
    control.on('error', () => undefined);
    let stream: ReplicationStream | null = null;
    let healthTimer: ReturnType<typeof setInterval> | undefined;
    let confirmTimer: ReturnType<typeof setInterval> | undefined;
    try {
      // A slot that is gone or invalidated never streams again: say so instead of retrying forever.
      const before = await slotHealth(control, this.o.slot);
      this.status.health = before;
      if (!before.exists) throw new Error(`replication slot "${this.o.slot}" does not exist`);
      if (before.walStatus === 'lost') throw new Error(`replication slot "${this.o.slot}" has been invalidated`);
      const tables = parseTableList(this.o.config.tables);
      const shaper = new ChangeShaper(this.o.config, await loadPrimaryKeys(control, tables), this.o.slotEpoch ?? 0);
      let endSession: (e: Error) => void = () => {};
      const ended = new Promise<Error>((resolve) => (endSession = resolve));
      this.endSession = endSession;
      const batcher = new DurableBatcher({
        write: (runs, alsoWrite) => this.o.enqueue(runs, alsoWrite),
        persistLsn: (lsn) => this.o.store.setConfirmedLsn(this.o.flowId, this.o.nodeId, lsnKey(lsn)),
        confirm: (lsn) => {
          if (lsn <= this.confirmed) return;
          this.confirmed = lsn;
          this.status.confirmedLsn = formatLsn(lsn);
          stream?.confirm(lsn);
        },
        pause: () => stream?.pause(),
        resume: () => stream?.resume(),
        onError: (e) => endSession(new Error(`could not store runs: ${e.message}`)),
        onCreated: (n) => {
          this.status.changes += n;
          this.emitSoon();
        },
        maxInFlight: this.o.maxInFlight ?? 20_000,
      });
      const changes = new ChangeStream(shaper, batcher, { chunkSize: this.o.chunkSize ?? 2_000, watermarkPrefix: this.prefix() });
      // The durable state, not what an earlier session had in memory: its last chunk may not have landed.
      // The backfill listens before the first message arrives: a change streamed before its first
      // chunk can still be invisible to that chunk's snapshot (see backfill.ts).
      const backfillState = this.o.config.backfill ? (this.o.store.get(this.o.flowId, this.o.nodeId)?.backfill ?? null) : null;
      const backfill = backfillState && backfillState.tables.some((t) => !t.done) ? this.createBackfill(control, shaper, changes, backfillState) : null;
      stream = await ReplicationStream.open(
        { client: conn.config, slot: this.o.slot, publication: this.o.publication, startLsn: this.confirmed, messages: this.o.config.backfill },
        {
          onMessage: (m) => changes.onMessage(m),
          onKeepalive: (walEnd, reply) => {
            changes.onKeepalive(walEnd);
            if (reply) stream?.confirm(this.confirmed);
          },
          onClose: (e) => endSession(e ?? new Error('the replication stream closed')),
        },
      );
      if (this.stopped) endSession(new Error('stopped'));
      this.current = { stream, control, backfill: null };
      this.status.attempt = 0;
      this.status.nextRetryAt = null;
      this.setState('streaming', null);
      confirmTimer = setInterval(() => stream?.confirm(this.confirmed), STATUS_INTERVAL_MS);
      const checkHealth = async () => {
        try {
          this.status.health = await slotHealth(control, this.o.slot);
          if (this.status.health.walStatus === 'lost') endSession(new Error(`replication slot "${this.o.slot}" has been invalidated`));
          this.emitSoon();
        } catch {
          /* the stream notices a dead server itself */
        }
      };
      void checkHealth();
      healthTimer = setInterval(() => void checkHealth(), this.o.healthIntervalMs ?? 5_000);
      if (backfill) {
        this.current.backfill = backfill;
        this.runBackfill(backfill, changes, endSession);
      }
      const reason = await ended;
      // Whatever was handed over may still be landing: let it finish (it is durable or failed), then leave.
      this.current.backfill?.stop();
      await stream.close();
      await batcher.drained();
      return reason;
    } finally {
      this.endSession = null;
      clearInterval(healthTimer);
      clearInterval(confirmTimer);
      this.current = null;
      await stream?.close();
      await control.end().catch(() => undefined);
    }
  }

  private createBackfill(control: pg.Client, shaper: ChangeShaper, changes: ChangeStream, state: BackfillState): Backfill {
    const backfill = new Backfill({
      state,
      prefix: this.prefix(),
      batchSize: this.o.config.backfillBatchSize,
      client: control,
      shaper,
      stream: changes,
      save: (s) => this.o.store.saveBackfill(this.o.flowId, this.o.nodeId, s),
      onProgress: (p) => {
        this.status.backfill = p;
        this.emitSoon();
      },
      ...(this.o.backfillIgnoresSnapshot ? { ignoreSnapshot: true } : {}),
    });
    changes.backfill = backfill;
    return backfill;
  }

  private runBackfill(backfill: Backfill, changes: ChangeStream, endSession: (e: Error) => void) {
    backfill.run().then(
      () => {
        changes.backfill = null;
      },
      (e: unknown) => {
        changes.backfill = null;
        if (!this.stopped && !/backfill stopped/.test(String(e))) endSession(new Error(`backfill failed: ${e instanceof Error ? e.message : String(e)}`));
      },
    );
  }

  private prefix() {
    return `millrace:${this.o.slot}`;
  }

  private setState(state: TriggerState, message: string | null) {
    this.status.state = state;
    this.status.message = message;
    this.o.store.setState(this.o.flowId, this.o.nodeId, state, message);
    clearTimeout(this.statusTimer);
    this.statusTimer = undefined;
    this.o.onStatus({ ...this.status });
  }

  /** Counters and health change often: tell listeners at most a few times a second. */
  private emitSoon() {
    if (this.statusTimer !== undefined) return;
    this.statusTimer = setTimeout(() => {
      this.statusTimer = undefined;
      this.o.onStatus({ ...this.status });
    }, 250);
    this.statusTimer.unref?.();
  }
}

/** The cause may end in its own punctuation ("…host and port?"): no "?." before the retry note. */
export function reconnectMessage(cause: string, attempt: number): string {
  return `connection lost: ${cause}${/[.?!]$/.test(cause) ? '' : '.'} Retrying (attempt ${attempt}).`;
}
