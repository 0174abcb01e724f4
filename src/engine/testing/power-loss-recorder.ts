/**
 * Simulated power loss. A SIGKILL keeps the page cache, so a process that forgot to fsync still
 * finds its data after a restart; a power cut does not. This recorder keeps a *shadow* copy of the
 * data folder holding exactly the bytes the engine has made durable:
 *
 * - at each completed fsync of the WAL, the WAL bytes that existed when that fsync *started* are
 *   copied to the shadow WAL (a later append is not covered by it);
 * - at each checkpoint (SQLite syncs the WAL before and the database file after), the whole WAL,
 *   then the database file, are copied; the shadow WAL is then emptied like the real one.
 *
 * Copies happen before the engine hears that the fsync succeeded, so nothing is acknowledged that
 * the shadow does not hold. After a SIGKILL the shadow *is* the disk after a power cut: restart on
 * a copy of it and audit. The broken variants the test must catch are made here too: an fsync that
 * does nothing (and so makes nothing durable).
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { realDurabilityFs, type DurabilityFs } from '../store/group-commit';

const HEADER_BYTES = 32;

export interface PowerLossRecorderOptions {
  dataDir: string;
  shadowDir: string;
  /** Broken on purpose: fsync returns success without syncing (nothing reaches the shadow). */
  fsyncDoesNothing?: boolean;
}

export class PowerLossRecorder {
  private readonly walPath: string;
  private readonly dbPath: string;
  private readonly shadowWal: string;
  private readonly shadowDb: string;
  /** Header of the WAL generation the shadow WAL holds, and how many bytes of it. */
  private shadowHeader: Buffer | null = null;
  private shadowLength = 0;
  readonly fs: DurabilityFs;

  constructor(private readonly o: PowerLossRecorderOptions) {
    this.dbPath = join(o.dataDir, 'millrace.db');
    this.walPath = `${this.dbPath}-wal`;
    this.shadowDb = join(o.shadowDir, 'millrace.db');
    this.shadowWal = `${this.shadowDb}-wal`;
    fs.mkdirSync(o.shadowDir, { recursive: true });
    this.fs = {
      ...realDurabilityFs,
      fsync: (fd, cb) => this.fsync(fd, cb),
    };
  }

  /**
   * Call right after the engine opened the data folder (it fsyncs the database and the WAL as it
   * opens, with migrations and all): from here on the shadow follows every fsync.
   */
  captureOpened(): void {
    fs.copyFileSync(this.dbPath, this.shadowDb);
    if (fs.existsSync(this.walPath)) fs.copyFileSync(this.walPath, this.shadowWal);
    else fs.writeFileSync(this.shadowWal, '');
    this.shadowLength = fs.statSync(this.shadowWal).size;
    this.shadowHeader = this.shadowLength >= HEADER_BYTES ? readAt(this.shadowWal, 0, HEADER_BYTES) : null;
  }

  private fsync(fd: number, cb: (err: NodeJS.ErrnoException | null) => void) {
    if (this.o.fsyncDoesNothing) return void setImmediate(() => cb(null));
    const length = fs.fstatSync(fd).size;
    const header = length >= HEADER_BYTES ? readFd(fd, 0, HEADER_BYTES) : null;
    realDurabilityFs.fsync(fd, (err) => {
      if (!err && header) this.copyWal(fd, header, length);
      cb(err);
    });
  }

  /** The WAL bytes [0, length) of the generation `header` are durable now. */
  private copyWal(fd: number, header: Buffer, length: number) {
    const now = fs.fstatSync(fd).size >= HEADER_BYTES ? readFd(fd, 0, HEADER_BYTES) : null;
    // A WAL restart during the fsync rewrote the start of the file: what the fsync covered is
    // already in the database file (a restart follows a full checkpoint), so there is nothing to copy.
    if (!now || !now.equals(header)) return;
    if (!this.shadowHeader || !this.shadowHeader.equals(header)) {
      fs.truncateSync(this.shadowWal, 0);
      this.shadowLength = 0;
      this.shadowHeader = header;
    }
    if (length <= this.shadowLength) return;
    const bytes = readFd(fd, this.shadowLength, length - this.shadowLength);
    fs.appendFileSync(this.shadowWal, bytes);
    this.shadowLength = length;
  }

  /** Before SQLite checkpoints: it syncs the WAL first, so all of it is durable. */
  beforeCheckpoint(): void {
    if (this.o.fsyncDoesNothing) return;
    const size = fs.statSync(this.walPath).size;
    if (size < HEADER_BYTES) return;
    const fd = fs.openSync(this.walPath, 'r');
    try {
      this.copyWal(fd, readFd(fd, 0, HEADER_BYTES), size);
    } finally {
      fs.closeSync(fd);
    }
  }

  /** After a checkpoint: the database file is synced and the WAL was truncated. */
  afterCheckpoint(): void {
    const tmp = `${this.shadowDb}.tmp`;
    fs.copyFileSync(this.dbPath, tmp);
    fs.renameSync(tmp, this.shadowDb);
    fs.truncateSync(this.shadowWal, 0);
    this.shadowLength = 0;
    this.shadowHeader = null;
  }
}

/** Makes `targetDir` the disk after a power cut: the shadow's database and WAL, nothing else. */
export function materializePowerLoss(shadowDir: string, targetDir: string): void {
  fs.mkdirSync(targetDir, { recursive: true });
  for (const f of ['millrace.db', 'millrace.db-wal']) {
    const from = join(shadowDir, f);
    if (fs.existsSync(from)) fs.copyFileSync(from, join(targetDir, f));
  }
}

function readFd(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  let read = 0;
  while (read < length) {
    const n = fs.readSync(fd, buf, read, length - read, position + read);
    if (n === 0) break;
    read += n;
  }
  return buf.subarray(0, read);
}

function readAt(file: string, position: number, length: number): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    return readFd(fd, position, length);
  } finally {
    fs.closeSync(fd);
  }
}
