/**
 * Desktop secrets: values encrypted with Electron's safeStorage (Keychain on macOS, DPAPI on
 * Windows, the desktop keyring on Linux) and kept, encrypted, in one 0600 file in the user data
 * folder. Implements the engine's SecretBackend, so the same SecretStore serves both modes.
 *
 * On Linux without a keyring Electron falls back to a fixed password ("basic_text"): the file is
 * then only obfuscated. We say so once, loudly, instead of pretending.
 */
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { safeStorage } from 'electron';
import { z } from 'zod';
import type { SecretBackend } from '../engine/secrets';

const fileSchema = z.object({ version: z.literal(1), encrypted: z.record(z.string(), z.string()) });

export const PLAIN_TEXT_WARNING =
  'Linux: no keyring (GNOME Keyring, KWallet) was found, so Electron stores secrets with a fixed built-in password — they are obfuscated, not encrypted. Install and unlock a keyring, or keep keys in MILLRACE_SECRET_* environment variables.';

export interface SafeStorageBackendOptions {
  file: string;
  log: (line: string) => void;
  platform?: NodeJS.Platform;
}

export function createSafeStorageSecretBackend(o: SafeStorageBackendOptions): SecretBackend & { plainTextFallback(): boolean } {
  const platform = o.platform ?? process.platform;
  let warned = false;

  const plainTextFallback = () => platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text';

  // Electron 41 (the newest whose tooling runs on Node 20) has only the synchronous safeStorage
  // calls; they are quick (one keyring round trip) and run in main, never in the renderer.
  const ready = () => {
    if (!safeStorage.isEncryptionAvailable()) {
      throw new Error('secure storage is not available yet (the app is not ready, or the keyring is locked); try again in a moment');
    }
    if (!warned && plainTextFallback()) {
      warned = true;
      o.log(PLAIN_TEXT_WARNING);
    }
  };

  const read = (): Record<string, string> => {
    if (!existsSync(o.file)) return {};
    const parsed = fileSchema.safeParse(JSON.parse(readFileSync(o.file, 'utf8')));
    if (!parsed.success) throw new Error(`the secrets file ${o.file} has an unexpected shape; fix or delete it`);
    return parsed.data.encrypted;
  };

  const write = (encrypted: Record<string, string>) => {
    const temp = `${o.file}.tmp`;
    writeFileSync(temp, `${JSON.stringify({ version: 1, encrypted }, null, 2)}\n`, { mode: 0o600 });
    chmodSync(temp, 0o600);
    renameSync(temp, o.file);
  };

  return {
    kind: 'desktop',
    plainTextFallback,
    async list() {
      return Object.keys(read());
    },
    async get(name) {
      const stored = read()[name];
      if (stored === undefined) return undefined;
      ready();
      return safeStorage.decryptString(Buffer.from(stored, 'base64'));
    },
    async set(name, value) {
      ready();
      const encrypted = safeStorage.encryptString(value);
      write({ ...read(), [name]: encrypted.toString('base64') });
    },
    async delete(name) {
      const current = read();
      if (!(name in current)) return false;
      const { [name]: _, ...rest } = current;
      write(rest);
      return true;
    },
  };
}
