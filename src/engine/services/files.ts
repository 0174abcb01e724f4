/**
 * FileService confined to one output directory (the Write file sink's writer).
 *
 * Confinement is checked at write time, every time, component by component: each folder on the
 * way is lstat'ed (a symlink is refused, a missing folder is created one level at a time and
 * checked again), the file is opened with O_NOFOLLOW, and on Linux the opened descriptor's real
 * path (/proc/self/fd) must still lie under the output folder. Nothing is cached between writes,
 * so a subfolder swapped for a symlink after a first write is caught. Node has no openat(), so a
 * swap racing inside one append between the check and the open is only caught by the
 * descriptor check afterwards (the record is then not written; an empty file may remain there).
 *
 * Durability: the file is fsynced after every append, and its folder (and every folder created on
 * the way) when it was created, before the append resolves — the step result that says "written"
 * is recorded only after that. A torn last line (a crash or a full disk mid-write) is cut off
 * before the next append; a failed write is truncated back to the previous length.
 */
import { constants } from 'node:fs';
import { lstat, mkdir, open, realpath, type FileHandle } from 'node:fs/promises';
import { isAbsolute, join, resolve, sep } from 'node:path';
import type { FileService, KeyedAppend, KeyedAppendResult } from '../../shared/services';
import { NodeError } from '../../shared/services';

export interface FileServiceOptions {
  /** Test seam: how bytes reach the file (inject a failing write to simulate a full disk). */
  write?: (fh: FileHandle, data: Buffer) => Promise<void>;
}

/** Why one path (as given by a flow) is not acceptable, or null. */
export function relativePathProblem(path: string): string | null {
  if (path.trim() === '') return 'the path is empty';
  if (isAbsolute(path) || /^[\\/]/.test(path) || /^[A-Za-z]:/.test(path)) return 'use a path relative to the output folder';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(path)) return 'control characters (newlines, tabs…) are not allowed in file names';
  if (/[\\/]$/.test(path)) return 'the path ends with a folder separator; name a file';
  const parts = path.split(/[\\/]/);
  if (parts.includes('..')) return '".." is not allowed';
  if (parts.some((p) => p === '' || p === '.')) return 'empty or "." path components are not allowed';
  return null;
}

const defaultWrite = async (fh: FileHandle, data: Buffer) => {
  let off = 0;
  while (off < data.length) off += (await fh.write(data, off, data.length - off)).bytesWritten;
};

/**
 * Resolves `rel` under `root`, checking every component now (lstat: no symlinks, folders only),
 * creating missing folders one level at a time (0700). The last component may not be a symlink or
 * anything but a regular file. Shared by the file and SQLite sinks.
 */
export async function confinedPath(root: string, rel: string): Promise<{ target: string; realRoot: string; createdDirs: string[]; existed: boolean }> {
  const problem = relativePathProblem(rel);
  if (problem) throw new NodeError(`file "${rel}": ${problem}`, { field: 'path' });
  await mkdir(root, { recursive: true, mode: 0o700 });
  const realRoot = await realpath(root);
  const parts = rel.split(/[\\/]/);
  const name = parts.pop()!;
  let dir = realRoot;
  const createdDirs: string[] = [];
  for (const part of parts) {
    const p = join(dir, part);
    let st = await lstat(p).catch(() => null);
    if (!st) {
      await mkdir(p, { mode: 0o700 }).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'EEXIST') throw e;
      });
      createdDirs.push(p);
      st = await lstat(p);
    }
    if (st.isSymbolicLink() || !st.isDirectory()) throw outside(rel);
    dir = p;
  }
  const target = join(dir, name);
  const before = await lstat(target).catch(() => null);
  if (before && (before.isSymbolicLink() || !before.isFile())) throw outside(rel);
  return { target, realRoot, createdDirs, existed: before !== null };
}

const outside = (p: string) => new NodeError(`"${p}" points outside the output folder`, { field: 'path' });

interface LineBatch {
  rel: string;
  lines: string[];
  waiters: { resolve: (path: string) => void; reject: (e: unknown) => void }[];
}

export function createFileService(outputDir: string, options: FileServiceOptions = {}): FileService & { close(): Promise<void> } {
  const root = resolve(outputDir);
  const write = options.write ?? defaultWrite;
  // Appends to one file are serialised: the keyed check and the torn-line repair read the file's end.
  const queues = new Map<string, Promise<unknown>>();
  // Keys already in a file, valid while the file's inode and size are what we left them at.
  const keyIndex = new Map<string, { ino: number; size: number; keys: Set<string> }>();

  const batches = new Map<string, LineBatch>();

  const serial = <T>(target: string, fn: () => Promise<T>): Promise<T> => {
    const prev = queues.get(target) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const settled = next.catch(() => {});
    queues.set(target, settled);
    void settled.then(() => queues.get(target) === settled && queues.delete(target));
    return next;
  };

  /** Opens `rel` for appending after checking every component; returns the handle and what was created. */
  async function openConfined(rel: string): Promise<{ fh: FileHandle; target: string; createdDirs: string[]; createdFile: boolean }> {
    const { target, realRoot, createdDirs, existed } = await confinedPath(root, rel);
    const fh = await open(target, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o600).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ELOOP') throw outside(rel);
      throw e;
    });
    if (process.platform === 'linux') {
      const real = await realpath(`/proc/self/fd/${fh.fd}`).catch(() => null);
      if (real === null || !(real === target && real.startsWith(realRoot + sep))) {
        await fh.close();
        throw outside(rel);
      }
    }
    return { fh, target, createdDirs, createdFile: !existed };
  }

  async function syncDir(path: string) {
    const d = await open(path, constants.O_RDONLY | constants.O_DIRECTORY);
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  }

  /** Cuts a torn last line (no trailing newline) off; returns the file's size after. */
  async function repairTail(target: string, size: number): Promise<number> {
    if (size === 0) return 0;
    const rd = await open(target, 'r');
    try {
      const last = Buffer.alloc(1);
      await rd.read(last, 0, 1, size - 1);
      if (last[0] === 0x0a) return size;
      let end = size;
      const chunk = Buffer.alloc(64 * 1024);
      while (end > 0) {
        const start = Math.max(0, end - chunk.length);
        const { bytesRead } = await rd.read(chunk, 0, end - start, start);
        const nl = chunk.subarray(0, bytesRead).lastIndexOf(0x0a);
        if (nl >= 0) return start + nl + 1;
        end = start;
      }
      return 0;
    } finally {
      await rd.close();
    }
  }

  async function readKeys(target: string, format: KeyedAppend['format']): Promise<Set<string>> {
    const keys = new Set<string>();
    const rd = await open(target, 'r');
    try {
      let rest = '';
      for await (const chunk of rd.createReadStream({ encoding: 'utf8' })) {
        const lines = (rest + (chunk as string)).split('\n');
        rest = lines.pop()!;
        for (const l of lines) {
          const k = keyOfLine(l, format);
          if (k !== null) keys.add(k);
        }
      }
    } finally {
      await rd.close().catch(() => {});
    }
    return keys;
  }

  /** The append itself: repair, optional key check, write (truncate back on failure), fsync. */
  async function append(rel: string, body: (target: string, size: number, fresh: boolean) => Promise<{ data: string; skip: boolean }>) {
    const { fh, target, createdDirs, createdFile } = await openConfined(rel);
    try {
      const st = await fh.stat();
      let size = st.size;
      const repaired = await repairTail(target, size);
      if (repaired !== size) {
        await fh.truncate(repaired);
        size = repaired;
      }
      const { data, skip } = await body(target, size, size === 0);
      if (!skip) {
        const bytes = Buffer.from(data, 'utf8');
        try {
          await write(fh, bytes);
        } catch (e) {
          // Never leave a fragment for the next record to be glued onto (ENOSPC, EIO…).
          await fh.truncate(size).catch(() => {});
          await fh.sync().catch(() => {});
          const code = (e as NodeJS.ErrnoException).code;
          throw new NodeError(code === 'ENOSPC' ? `disk full while writing "${rel}"; nothing was written` : `writing "${rel}" failed: ${(e as Error).message}`);
        }
        size += bytes.length;
      }
      await fh.sync();
      if (createdFile) await syncDir(join(target, '..'));
      for (const d of createdDirs) await syncDir(join(d, '..'));
      return { target, ino: st.ino, size };
    } finally {
      await fh.close();
    }
  }

  return {
    async close() {
      await Promise.allSettled([...queues.values()]);
    },
    // Group append: requests for a file that arrive while an append to it is running join one
    // batch — one write and one fsync for all of them (like the journal's group commit), so
    // concurrent runs writing one file share the fsync instead of queueing one each.
    appendLines(relativePath, lines) {
      const target = resolve(root, relativePath);
      const open = batches.get(target);
      if (open) {
        open.lines.push(...lines);
        return new Promise<string>((resolve, reject) => open.waiters.push({ resolve, reject }));
      }
      const batch: LineBatch = { rel: relativePath, lines: [...lines], waiters: [] };
      batches.set(target, batch);
      const done = new Promise<string>((resolve, reject) => batch.waiters.push({ resolve, reject }));
      void serial(target, async () => {
        batches.delete(target); // from here on, new requests form the next batch
        try {
          const r = await append(batch.rel, async () => ({ data: batch.lines.map((l) => `${l}\n`).join(''), skip: false }));
          keyIndex.delete(r.target);
          batch.waiters.forEach((w) => w.resolve(r.target));
        } catch (e) {
          batch.waiters.forEach((w) => w.reject(e));
        }
      });
      return done;
    },
    async appendKeyed(relativePath, rec): Promise<KeyedAppendResult> {
      if (rec.line.includes('\n')) throw new NodeError('a record may not contain a newline', { field: 'line' });
      if (keyOfLine(rec.line, rec.format) !== rec.key) throw new Error(`appendKeyed: the line does not start with its key "${rec.key}"`);
      const target = resolve(root, relativePath);
      return serial(target, async () => {
        let appended = false;
        let data = '';
        const r = await append(relativePath, async (t, size, fresh) => {
          const cached = keyIndex.get(t);
          const st = await lstat(t);
          const keys = cached && cached.ino === st.ino && cached.size === size ? cached.keys : await readKeys(t, rec.format);
          keyIndex.set(t, { ino: st.ino, size, keys });
          if (keys.has(rec.key)) return { data: '', skip: true };
          appended = true;
          data = `${fresh && rec.header ? `${rec.header}\n` : ''}${rec.line}\n`;
          return { data, skip: false };
        });
        const entry = keyIndex.get(r.target);
        if (entry) {
          if (appended) entry.keys.add(rec.key);
          entry.size = r.size;
          entry.ino = r.ino;
        }
        return { path: r.target, appended, bytes: Buffer.byteLength(data) };
      });
    },
  };
}

/** The key a keyed line starts with: JSONL `{"_key":"…",…}`, CSV first field. */
export function keyOfLine(line: string, format: KeyedAppend['format']): string | null {
  if (format === 'jsonl') {
    const m = /^\{"_key":("(?:[^"\\]|\\.)*")/.exec(line);
    if (!m) return null;
    try {
      return JSON.parse(m[1]!) as string;
    } catch {
      return null;
    }
  }
  if (line.startsWith('"')) {
    const m = /^"((?:[^"]|"")*)"(?:,|$)/.exec(line);
    return m ? m[1]!.replace(/""/g, '"') : null;
  }
  const comma = line.indexOf(',');
  return comma < 0 ? line : line.slice(0, comma);
}
