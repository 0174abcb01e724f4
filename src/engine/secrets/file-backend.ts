/**
 * Headless/web mode secret values: one JSON file in the data folder, mode 0600, replaced
 * atomically (a 0600 temp file, fsynced, renamed over, folder fsynced) so a crash or a full disk
 * never leaves half a file, a stray temp file, or a moment where the values are readable by others.
 */
import { chmodSync, closeSync, existsSync, fsyncSync, openSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { EngineError } from '../../shared/api';
import type { SecretBackend } from './secret-store';

const fileSchema = z.object({ version: z.literal(1), secrets: z.record(z.string(), z.string()) });

export function createFileSecretBackend(file: string, log: (line: string) => void = () => {}): SecretBackend {
  let cache: Record<string, string> | null = null;

  const load = (): Record<string, string> => {
    if (cache) return cache;
    removeStaleTemps(file);
    if (!existsSync(file)) return (cache = {});
    const mode = statSync(file).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      // Someone loosened the permissions: tighten them rather than keep serving readable keys.
      chmodSync(file, 0o600);
      log(`secrets file ${file} was readable by other users (mode ${mode.toString(8)}); set it back to 600`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      throw new Error(`the secrets file ${file} is not valid JSON; fix or delete it`);
    }
    const result = fileSchema.safeParse(parsed);
    if (!result.success) throw new Error(`the secrets file ${file} has an unexpected shape; fix or delete it`);
    return (cache = { ...result.data.secrets });
  };

  const save = (secrets: Record<string, string>) => {
    writeFileAtomically(file, `${JSON.stringify({ version: 1, secrets }, null, 2)}\n`);
    cache = secrets;
  };

  return {
    kind: 'file',
    async list() {
      return Object.keys(load());
    },
    async get(name) {
      return load()[name];
    },
    async set(name, value) {
      save({ ...load(), [name]: value });
    },
    async delete(name) {
      const current = load();
      if (!(name in current)) return false;
      const { [name]: _, ...rest } = current;
      save(rest);
      return true;
    },
  };
}

/** Replaces `file` with `text` or leaves it as it was: on any failure the temp file is removed and the error says what to do. */
export function writeFileAtomically(file: string, text: string): void {
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  let fd: number | undefined;
  try {
    fd = openSync(temp, 'wx', 0o600);
    const data = Buffer.from(text, 'utf8');
    for (let off = 0; off < data.length; ) off += writeSync(fd, data, off);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, file);
    fsyncDir(dirname(file));
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temp, { force: true });
    throw new EngineError('internal', `could not save ${file}: ${describeWriteError(e)}; the stored secrets are unchanged`);
  }
}

function describeWriteError(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return 'the disk is full — free some space and try again';
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return 'the data folder is not writable';
  return e instanceof Error ? e.message : String(e);
}

/** The rename is durable only once the folder entry is on disk. Not every file system allows it: best effort. */
function fsyncDir(dir: string) {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    /* a folder that cannot be fsynced (some network file systems): the rename still happened */
  }
}

/** Temp files a crash (or an older build on a full disk) left next to the secrets file: they may hold values, so they go. */
function removeStaleTemps(file: string) {
  const prefix = `${basename(file)}.`;
  let names: string[];
  try {
    names = readdirSync(dirname(file));
  } catch {
    return;
  }
  for (const name of names) if (name.startsWith(prefix) && name.endsWith('.tmp')) rmSync(join(dirname(file), name), { force: true });
}
