/**
 * `millrace maintenance --compact`: gives the space retention freed back to the disk (full VACUUM)
 * and switches older databases to incremental auto-vacuum, so later prunes return space by
 * themselves. Refuses, in one line, while an engine has the folder open.
 * Also: `expectedRefusal`, the one-line form of refusals the CLI expects (no stack traces).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { homedir } from 'node:os';
import { parseArgs } from 'node:util';
import { DatabaseOpenError } from './store/database';
import { compactDatabase } from './data-folder/compact';
import { formatBytes } from '../shared/limits';

const USAGE = 'usage: millrace maintenance --compact [--data-dir DIR]   (stop the engine on that folder first)';

/** A refusal the user can act on, as one line; null for anything unexpected (which keeps its stack). */
export function expectedRefusal(e: unknown): string | null {
  return e instanceof DatabaseOpenError ? `millrace: ${e.message}` : null;
}

export async function maintenance(args: string[]): Promise<number> {
  let values: { compact?: boolean; 'data-dir'?: string };
  try {
    ({ values } = parseArgs({ args, options: { compact: { type: 'boolean' }, 'data-dir': { type: 'string' } } }));
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (!values.compact) {
    console.error(USAGE);
    return 2;
  }
  const dataDir = resolve(values['data-dir'] ?? process.env['MILLRACE_DATA_DIR'] ?? join(homedir(), '.millrace'));
  const file = join(dataDir, 'millrace.db');
  if (!existsSync(file)) {
    console.error(`millrace: no Millrace database in ${dataDir}; give the data folder with --data-dir`);
    return 1;
  }
  try {
    const r = compactDatabase(file);
    console.log(`Compacted ${dataDir}: database ${formatBytes(r.beforeBytes)} → ${formatBytes(r.afterBytes)}; retention now returns space by itself.`);
    return 0;
  } catch (e) {
    const line = expectedRefusal(e);
    if (!line) throw e;
    console.error(line);
    return 1;
  }
}
