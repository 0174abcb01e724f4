/**
 * Assembles pgoutput messages into transactions and hands shaped changes to the durable batcher:
 * one item per commit (with the commit's end LSN, the position to confirm), or a chunk without a
 * position for very large transactions (memory stays bounded; a replay re-creates the chunk and
 * dedupe drops it). Logical messages with our prefix are backfill watermarks.
 */
import type { Pgoutput } from 'pg-logical-replication';
import type { ChangeShaper, RelationShape, ShapedChange } from './change-shaper';
import type { DurableBatcher } from './durable-batcher';
import { parseLsn, type Lsn } from './lsn';

export interface WatermarkListener {
  /** Is this table being backfilled? Then live changes to it must be reported. */
  tracking(schema: string, table: string): boolean;
  /** The row keys a live change touched (old and new key) and its transaction id. */
  onLiveChange(rowKeys: string[], xid: number): void;
  onWatermark(kind: 'low' | 'high', id: string): void;
}

interface OpenTxn {
  commitLsn: string;
  commitTime: string;
  xid: number;
  position: number;
  changes: ShapedChange[];
}

const decoder = new TextDecoder();

export class ChangeStream {
  private txn: OpenTxn | null = null;
  private lastSubmitted: Lsn = 0n;
  backfill: WatermarkListener | null = null;

  constructor(
    private readonly shaper: ChangeShaper,
    private readonly batcher: DurableBatcher,
    private readonly options: { chunkSize: number; watermarkPrefix: string; onRelation?: (shape: RelationShape) => void },
  ) {}

  onMessage(m: Pgoutput.Message): void {
    switch (m.tag) {
      case 'begin':
        this.txn = {
          commitLsn: m.commitLsn ?? '0/0',
          // Microseconds since the Unix epoch (the library already shifted the Postgres epoch).
          commitTime: new Date(Number(BigInt(m.commitTime.toString()) / 1000n)).toISOString(),
          xid: m.xid,
          position: 0,
          changes: [],
        };
        return;
      case 'relation': {
        // Not inside `onRelation?.(…)`: optional calls skip evaluating their arguments.
        const shape = this.shaper.relation(m);
        this.options.onRelation?.(shape);
        return;
      }
      case 'insert':
      case 'update':
      case 'delete': {
        const txn = this.txn;
        if (!txn) throw new Error(`a ${m.tag} arrived outside a transaction`);
        const position = txn.position++;
        if (this.backfill?.tracking(m.relation.schema, m.relation.name)) this.reportLiveKeys(m, txn.xid);
        const shaped = this.shaper.change(m, txn, position);
        if (shaped) txn.changes.push(shaped);
        if (txn.changes.length >= this.options.chunkSize) {
          this.batcher.submit({ runs: txn.changes, lsn: null });
          txn.changes = [];
        }
        return;
      }
      case 'message':
        if (m.prefix === this.options.watermarkPrefix) {
          const [kind, id] = decoder.decode(m.content).split(':');
          if ((kind === 'low' || kind === 'high') && id) this.backfill?.onWatermark(kind, id);
        }
        return;
      case 'commit': {
        const txn = this.txn;
        this.txn = null;
        const end = m.commitEndLsn ? parseLsn(m.commitEndLsn) : null;
        if (end !== null && end > this.lastSubmitted) this.lastSubmitted = end;
        this.batcher.submit({ runs: txn?.changes ?? [], lsn: end });
        return;
      }
      case 'truncate':
      case 'type':
      case 'origin':
        return;
      default:
        m satisfies never;
    }
  }

  /** Idle (no open transaction): everything up to `walEnd` was received and handed over. */
  onKeepalive(walEnd: Lsn): void {
    if (this.txn !== null || walEnd <= this.lastSubmitted) return;
    this.lastSubmitted = walEnd;
    this.batcher.submit({ runs: [], lsn: walEnd });
  }

  /** Hand over rows (backfill chunks) at the current point of the stream. */
  submitRows(runs: ShapedChange[], alsoWrite: () => void, onDurable: () => void): void {
    this.batcher.submit({ runs, lsn: null, alsoWrite, onDurable });
  }

  private reportLiveKeys(m: Pgoutput.MessageInsert | Pgoutput.MessageUpdate | Pgoutput.MessageDelete, xid: number) {
    const shape = this.shaper.shapeOf(m.relation);
    const keys: string[] = [];
    if (m.tag !== 'delete') keys.push(this.shaper.rowKey(shape, m.new));
    const before = m.tag === 'insert' ? null : (m.key ?? m.old);
    if (before) keys.push(this.shaper.rowKey(shape, before));
    this.backfill?.onLiveChange(keys, xid);
  }
}
