/** Request checks for the local web server: token, Origin and Host (DNS-rebinding) checks. Pure and unit-tested. */
import { timingSafeEqual, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { ensurePrivateDir } from '../data-folder/file-modes';
import { join } from 'node:path';

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * The web token lives in the data folder (mode 0600), so a tab left open reconnects after the
 * server restarts. Delete the file to revoke every open tab.
 */
export function loadOrCreateToken(dataDir: string): string {
  const file = join(dataDir, 'web-token');
  if (existsSync(file)) {
    const token = readFileSync(file, 'utf8').trim();
    if (/^[A-Za-z0-9_-]{32,}$/.test(token)) return token;
  }
  ensurePrivateDir(dataDir);
  const token = newToken();
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return token;
}

export function tokenMatches(given: string | null | undefined, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The only hosts a page served by us can have. A rebinding attack arrives with a foreign Host. */
export function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
}

export function isAllowedHost(host: string | undefined, port: number): boolean {
  return host !== undefined && allowedHosts(port).has(host.toLowerCase());
}

/**
 * Browsers always send Origin on WebSocket handshakes: it must be our own page. Non-browser clients
 * (CLI, tests) send none and are admitted on the token alone.
 */
export function isAllowedOrigin(origin: string | undefined, port: number): boolean {
  if (origin === undefined) return true;
  try {
    const u = new URL(origin);
    return u.protocol === 'http:' && allowedHosts(port).has(u.host.toLowerCase());
  } catch {
    return false;
  }
}

export function contentSecurityPolicy(port: number): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    // React Flow positions nodes with inline styles.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
