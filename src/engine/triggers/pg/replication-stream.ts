/**
 * One logical replication connection (pgoutput), on pg's Client and pg-logical-replication's
 * pgoutput plugin (START_REPLICATION and message parsing).
 *
 * Why not the library's LogicalReplicationService: its auto-acknowledge and its standby timer
 * report the last *received* position (plus one), which would confirm changes that are not yet
 * durable in our journal; and its flow control queues messages while heartbeats bypass the
 * queue, so "idle at LSN X" cannot be told apart from "X received but not processed". Here every
 * message is handed over synchronously in wire order, the caller decides what to confirm, and
 * backpressure pauses the socket (`pause()`), so nothing is buffered without bound.
 */
import pg from 'pg';
import { z } from 'zod';
import { PgoutputPlugin, type Pgoutput, type ReplicationClientConfig } from 'pg-logical-replication';
import { formatLsn, type Lsn } from './lsn';
import './keep-bom';

export interface ReplicationHandlers {
  /** A pgoutput message, in wire order; `walStart` is the position the server gave it. */
  onMessage(message: Pgoutput.Message, walStart: Lsn): void;
  /** A keepalive: the server has sent everything up to `walEnd`. */
  onKeepalive(walEnd: Lsn, replyRequested: boolean): void;
  /** The connection ended; `error` is null after `close()`. Called once. */
  onClose(error: Error | null): void;
}

export interface ReplicationOptions {
  client: pg.ClientConfig;
  slot: string;
  publication: string;
  /** Where to resume; Postgres starts from max(this, the slot's confirmed position). */
  startLsn: Lsn;
  /** Receive logical messages (backfill watermarks). Postgres 14+. */
  messages: boolean;
}

const CopyDataSchema = z.object({ chunk: z.instanceof(Buffer) });

/** Microseconds since 2000-01-01, the clock of the replication protocol. */
const PG_EPOCH_MS = 946_684_800_000;

export class ReplicationStream {
  private closed = false;
  private closing = false;

  private constructor(
    private readonly client: pg.Client,
    private readonly handlers: ReplicationHandlers,
  ) {}

  static async open(options: ReplicationOptions, handlers: ReplicationHandlers): Promise<ReplicationStream> {
    const config: ReplicationClientConfig = { ...options.client, replication: 'database' };
    const client = new pg.Client(config);
    // A connection refused or a bad password fails here, before any handler is armed.
    await client.connect();
    const stream = new ReplicationStream(client, handlers);
    const plugin = new PgoutputPlugin({ protoVersion: 1, publicationNames: [options.publication], messages: options.messages });
    client.on('error', (e) => stream.finish(e));
    client.on('end', () => stream.finish(new Error('the replication connection was closed by the server')));
    client.connection.on('copyData', (raw: unknown) => {
      const parsed = CopyDataSchema.safeParse(raw);
      if (!parsed.success) return;
      try {
        stream.receive(parsed.data.chunk, plugin);
      } catch (e) {
        stream.finish(e instanceof Error ? e : new Error(String(e)));
      }
    });
    const started = new Promise<void>((resolve) => client.connection.once('replicationStart', () => resolve()));
    const replication = plugin.start(client, options.slot, formatLsn(options.startLsn));
    // START_REPLICATION only settles when streaming ends; an early failure (no slot, slot in use) rejects it.
    replication.then(
      () => stream.finish(new Error('the server ended replication')),
      (e: unknown) => stream.finish(e instanceof Error ? e : new Error(String(e))),
    );
    await Promise.race([started, replication.then(() => undefined)]).catch((e: unknown) => {
      void client.end().catch(() => undefined);
      throw e;
    });
    if (stream.closed) throw new Error('replication stopped before it started');
    return stream;
  }

  /** Stop reading from the socket (backpressure): Postgres waits, nothing piles up here. */
  pause(): void {
    this.client.connection.stream.pause();
  }

  resume(): void {
    if (!this.closed) this.client.connection.stream.resume();
  }

  /**
   * Standby status update: everything before `flushed` is durable on our side, so the slot may
   * release that WAL. Postgres treats the value as "next position to send" — the end LSN of the
   * last durable commit is exactly right (no +1).
   */
  confirm(flushed: Lsn, replyRequested = false): void {
    if (this.closed) return;
    const body = Buffer.alloc(34);
    body.write('r', 0, 'latin1');
    body.writeBigUInt64BE(flushed, 1); // written
    body.writeBigUInt64BE(flushed, 9); // flushed
    body.writeBigUInt64BE(flushed, 17); // applied
    body.writeBigUInt64BE(BigInt(Date.now() - PG_EPOCH_MS) * 1000n, 25);
    body.writeUInt8(replyRequested ? 1 : 0, 33);
    const frame = Buffer.alloc(5 + body.length);
    frame.write('d', 0, 'latin1');
    frame.writeInt32BE(4 + body.length, 1);
    body.copy(frame, 5);
    this.client.connection.stream.write(frame);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closing = true;
    this.finish(null);
    await this.client.end().catch(() => undefined);
  }

  private receive(buffer: Buffer, plugin: PgoutputPlugin) {
    if (this.closed) return;
    const kind = buffer[0];
    if (kind === 0x77 /* w: XLogData */) {
      const walStart = buffer.readBigUInt64BE(1);
      this.handlers.onMessage(plugin.parse(buffer.subarray(25)), walStart);
    } else if (kind === 0x6b /* k: primary keepalive */) {
      this.handlers.onKeepalive(buffer.readBigUInt64BE(1), buffer.readUInt8(17) === 1);
    }
  }

  private finish(error: Error | null) {
    if (this.closed) return;
    this.closed = true;
    if (!this.closing) void this.client.end().catch(() => undefined);
    this.handlers.onClose(this.closing ? null : error);
  }
}
