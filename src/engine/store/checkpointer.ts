/**
 * Checkpoints off the hot path. SQLite's automatic checkpoint runs inside a COMMIT on the main
 * thread, with two synchronous fsyncs, whenever the WAL passes 1,000 pages: a stall in the middle
 * of a busy moment. The database is opened with `wal_autocheckpoint = 0` and this class
 * checkpoints instead when the journal has been idle for a moment, or when the WAL passes a bound
 * (so it cannot grow without limit under steady load). A checkpoint never overlaps a WAL fsync
 * (it waits for the writer to be idle), so the durability frontier's view of the WAL stays exact.
 */
import { realpathSync } from 'node:fs';
import type { Db } from './database';
import type { GroupCommitWriter } from './group-commit';

export interface CheckpointerOptions {
  /** Force a checkpoint once the WAL is this large, busy or not. Default 32 MiB. */
  maxWalBytes?: number;
  /** Checkpoint after the journal has seen no commit for this long. Default 1 s. */
  idleMs?: number;
  /** Right before / after each checkpoint (the WAL is synced before, the database file after): the power-loss test records them. */
  onCheckpointing?: () => void;
  onCheckpointed?: () => void;
  log?: (line: string) => void;
}

/**
 * The WAL file as SQLite names it: beside the database file's real path. When the database path
 * is a symlink, SQLite resolves it and puts the WAL beside the target, not beside the link.
 */
export function walPathOf(db: Db): string | undefined {
  if (db.memory || db.name === '') return undefined;
  return `${realpathSync(db.name)}-wal`;
}

export class Checkpointer {
  private readonly timer: ReturnType<typeof setInterval> | undefined;
  private readonly walPath: string | undefined;
  private lastCommitted = -1;
  private quietSince = Date.now();
  private checkpointedAt = 0;
  private running = false;
  private stopped = false;
  readonly stats = { checkpoints: 0, forced: 0, totalMs: 0, maxMs: 0 };

  constructor(
    private readonly db: Db,
    private readonly writer: GroupCommitWriter,
    private readonly o: CheckpointerOptions = {},
  ) {
    this.walPath = walPathOf(db);
    if (!this.walPath) return;
    const idleMs = o.idleMs ?? 1000;
    this.timer = setInterval(() => void this.tick(idleMs), Math.max(20, Math.min(250, idleMs / 2)));
    this.timer.unref?.();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  /** Through the writer's own descriptor: opening and closing another one could drop this process's POSIX locks. */
  private walBytes(): number {
    return this.writer.walBytes();
  }

  private async tick(idleMs: number) {
    if (this.running || this.stopped || this.writer.failed) return;
    const committed = this.writer.committedSeq;
    const now = Date.now();
    if (committed !== this.lastCommitted) {
      this.lastCommitted = committed;
      this.quietSince = now;
    }
    const dirty = committed !== this.checkpointedAt;
    const idle = dirty && now - this.quietSince >= idleMs;
    const forced = this.walBytes() > (this.o.maxWalBytes ?? 32 * 1024 * 1024);
    if (!idle && !forced) return;
    this.running = true;
    try {
      await this.writer.idle();
      if (this.stopped || this.writer.failed) return;
      // Everything committed must be durable in the WAL before SQLite copies it into the database
      // file (SQLite syncs the WAL itself at NORMAL too; this keeps the frontier exact).
      await this.writer.sync();
      await this.writer.idle();
      if (this.stopped || this.writer.failed) return;
      const started = performance.now();
      this.o.onCheckpointing?.();
      this.db.pragma('wal_checkpoint(TRUNCATE)');
      const ms = performance.now() - started;
      this.checkpointedAt = this.writer.committedSeq;
      this.stats.checkpoints++;
      if (forced) this.stats.forced++;
      this.stats.totalMs += ms;
      this.stats.maxMs = Math.max(this.stats.maxMs, ms);
      this.o.onCheckpointed?.();
    } catch (e) {
      this.o.log?.(`checkpoint failed (retried later): ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      this.running = false;
    }
  }
}
