/**
 * The real parts of the demo workspace: the demo database under the data folder and the support
 * tickets content. Kept apart from demo-workspace.ts (behaviour) so tests can wire their own.
 */
import { join } from 'node:path';
import type { EngineOptions } from '../engine-options';
import { DemoPostgres } from './demo-postgres';
import { demoContent } from './support-tickets';

/** Where the demo database lives in a data folder. */
export const demoDatabaseDir = (dataDir: string) => join(dataDir, 'demo-postgres');

export function demoWiring(dataDir: string, log: (line: string) => void = () => {}): NonNullable<EngineOptions['demo']> {
  return {
    database: new DemoPostgres({ dir: demoDatabaseDir(dataDir), log }),
    content: demoContent,
  };
}
