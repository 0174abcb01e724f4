/**
 * Headless/web mode secret values: one JSON file in the data folder, mode 0600, replaced
 * atomically (write a 0600 temp file, then rename) so a crash never leaves half a file or a
 * moment where the values are readable by others.
 */
import { chmodSync, existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import type { SecretBackend } from './secret-store';

const fileSchema = z.object({ version: z.literal(1), secrets: z.record(z.string(), z.string()) });

export function createFileSecretBackend(file: string, log: (line: string) => void = () => {}): SecretBackend {
  let cache: Record<string, string> | null = null;

  const load = (): Record<string, string> => {
    if (cache) return cache;
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
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify({ version: 1, secrets }, null, 2)}\n`, { mode: 0o600 });
    chmodSync(temp, 0o600); // the umask cannot widen it, but an existing temp file keeps its old mode
    renameSync(temp, file);
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
