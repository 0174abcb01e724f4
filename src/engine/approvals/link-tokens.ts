/**
 * Decision-link tokens. A token is HMAC-SHA256(link key, request id): unguessable, derivable again
 * for the inbox's "copy link", and never stored — the database keeps only its sha256, so a copied
 * database file decides nothing. The key lives in the data folder with mode 0600, apart from the
 * database. Each request id is new, so a re-run's request has a new token and the old one is void.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export class LinkTokens {
  private constructor(private readonly key: Buffer) {}

  static inDataDir(dataDir: string): LinkTokens {
    const file = join(dataDir, 'approval-link-key');
    if (existsSync(file)) {
      const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64url');
      if (key.length === 32) return new LinkTokens(key);
    }
    mkdirSync(dataDir, { recursive: true });
    const key = randomBytes(32);
    writeFileSync(file, `${key.toString('base64url')}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
    return new LinkTokens(key);
  }

  static forTests(key = randomBytes(32)): LinkTokens {
    return new LinkTokens(key);
  }

  tokenFor(requestId: string): string {
    return createHmac('sha256', this.key).update(`approval-link:${requestId}`).digest('base64url');
  }

  /** What the database stores and looks tokens up by. */
  static hash(token: string): string {
    return createHash('sha256').update(token).digest('hex');
  }

  /** A string that cannot be a token is refused before any lookup (its hash is computed anyway, for even timing). */
  static wellFormed(token: string): boolean {
    return TOKEN_SHAPE.test(token);
  }

  /** Constant-time check that `token` is the one issued for `requestId`. */
  matches(token: string, requestId: string): boolean {
    const a = Buffer.from(token);
    const b = Buffer.from(this.tokenFor(requestId));
    return a.length === b.length && timingSafeEqual(a, b);
  }

  /** CSRF token for the link page's form, bound to the browser's cookie and to the link. */
  csrfFor(cookie: string, token: string): string {
    return createHmac('sha256', this.key).update(`approval-csrf:${cookie}:${LinkTokens.hash(token)}`).digest('base64url');
  }

  csrfMatches(given: string, cookie: string, token: string): boolean {
    const a = Buffer.from(given);
    const b = Buffer.from(this.csrfFor(cookie, token));
    return a.length === b.length && timingSafeEqual(a, b);
  }
}
