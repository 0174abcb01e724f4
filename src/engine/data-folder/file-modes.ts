/**
 * The data folder holds run data, secrets and the web token: folders 0700, files 0600, whatever
 * the umask. Applied where each file is created (database, WAL/SHM, token, secrets, llm-replay,
 * the output folder at creation); the folder itself is tightened when the engine opens it.
 */
import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Creates the folder (and missing parents) 0700; tightens it if it exists with wider bits. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  tighten(dir, PRIVATE_DIR_MODE);
}

/** Sets an existing file to 0600 when it is wider (no-op when it does not exist). */
export function tightenFile(file: string): void {
  tighten(file, PRIVATE_FILE_MODE);
}

function tighten(path: string, mode: number) {
  if (!existsSync(path)) return;
  const current = statSync(path).mode & 0o777;
  if ((current & ~mode) !== 0) chmodSync(path, mode);
}

/** Creates a folder 0700 if it is missing; leaves an existing one as its owner set it (e.g. an output folder they chose). */
export function createPrivateDir(dir: string): void {
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}
