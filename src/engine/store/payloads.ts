/**
 * A payload is stored once. Run data is JSON text in several columns (the run's input, each node's
 * input and outputs, step results), and the same large value travels through all of them: a
 * 200 KB row is the run's input, the trigger's output, the next node's input and often its output.
 * Every value of PAYLOAD_MIN_BYTES or more is stored once in `payloads` under the SHA-256 of its
 * text, and the columns hold a reference in its place: `{"\u0000payload":"<sha256>"}`.
 *
 * Encoding works bottom-up: a large string or a large sub-object is replaced first, so a row that
 * a Set fields node copies with one more field still shares its large values with the original.
 * Values under the threshold stay inline, so SQL over small fields (`json_extract`, the run search,
 * the trigger columns of migration 6) reads them as before.
 *
 * References are counted per run in `payload_refs` (run-owned): pruning a run releases its
 * references and deletes the payloads nobody else refers to, in the same transaction.
 *
 * User data cannot forge a reference: keys that start with U+0000 are escaped with one more U+0000
 * on the way in and unescaped on the way out, so the reference key only ever comes from here.
 */
import { createHash } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import type { Db } from './database';

/** Values (strings, arrays, objects) whose JSON text is at least this long are stored once. */
export const PAYLOAD_MIN_BYTES = 4096;

const REF_KEY = '\u0000payload';
const NUL = '\u0000';

export interface Payload {
  hash: string;
  body: string;
}

export interface EncodedJson {
  /** The JSON text for the column: small values inline, large ones as references. */
  text: string;
  /** Every payload `text` refers to, directly or through another payload (write them all with it). */
  payloads: Payload[];
}

/** JSON text of `value` with large values replaced by payload references (see the module comment). */
export function encodeJson(value: unknown): EncodedJson {
  const text = JSON.stringify(value ?? null);
  // The common case costs one stringify and one scan: nothing large, no key to escape.
  if (text.length < PAYLOAD_MIN_BYTES && !text.includes('\\u0000')) return { text, payloads: [] };
  const payloads = new Map<string, Payload>();
  const encoded = encodeValue(JSON.parse(text) as unknown, payloads, true);
  return { text: encoded, payloads: [...payloads.values()] };
}

/** Encodes a plain JSON value; returns its JSON text (a reference when it is large and not the root object). */
function encodeValue(v: unknown, payloads: Map<string, Payload>, root: boolean): string {
  let text: string;
  if (v === null || typeof v !== 'object') {
    text = JSON.stringify(v);
    if (typeof v !== 'string') return text;
  } else if (Array.isArray(v)) {
    text = `[${v.map((x) => encodeValue(x, payloads, false)).join(',')}]`;
  } else {
    const parts: string[] = [];
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      parts.push(`${JSON.stringify(k.startsWith(NUL) ? NUL + k : k)}:${encodeValue(x, payloads, false)}`);
    }
    text = `{${parts.join(',')}}`;
    // A root object stays an object (columns read its small top-level fields with SQL); its large
    // fields are already references.
    if (root) return text;
  }
  if (text.length < PAYLOAD_MIN_BYTES) return text;
  const hash = createHash('sha256').update(text).digest('hex');
  if (!payloads.has(hash)) payloads.set(hash, { hash, body: text });
  return `{${JSON.stringify(REF_KEY)}:"${hash}"}`;
}

/** Parses column text written by `encodeJson`, loading referenced payloads with `load`. */
export function decodeJson(text: string, load: (hash: string) => string | undefined): unknown {
  const value = JSON.parse(text) as unknown;
  // Text with neither references nor escaped keys is plain JSON.
  return text.includes('\\u0000') ? decodeValue(value, load) : value;
}

function decodeValue(v: unknown, load: (hash: string) => string | undefined): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => decodeValue(x, load));
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1 && keys[0] === REF_KEY && typeof o[REF_KEY] === 'string') {
    const hash = o[REF_KEY];
    const body = load(hash);
    if (body === undefined) throw new Error(`stored payload ${hash.slice(0, 12)}… is missing from the database`);
    return decodeJson(body, load);
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k.startsWith(NUL) ? k.slice(1) : k] = decodeValue(o[k], load);
  return out;
}

/** The payload table of one database: writes inside the caller's transaction, reads, release on prune. */
export class PayloadStore {
  constructor(private readonly db: Db) {}

  // Prepared on first use: a read-only connection (the CLI's ledger reader) never prepares a write.
  private readonly cache = new Map<string, Statement>();
  private stmt(sql: string): Statement {
    let st = this.cache.get(sql);
    if (!st) {
      st = this.db.prepare(sql);
      this.cache.set(sql, st);
    }
    return st;
  }
  private get s() {
    return {
      put: this.stmt(`INSERT OR IGNORE INTO payloads (hash, body, bytes) VALUES (?, ?, ?)`),
      ref: this.stmt(`INSERT OR IGNORE INTO payload_refs (hash, run_id) VALUES (?, ?)`),
      get: this.stmt(`SELECT body FROM payloads WHERE hash = ?`),
      refsOf: this.stmt(`SELECT hash FROM payload_refs WHERE run_id = ?`),
      dropRefs: this.stmt(`DELETE FROM payload_refs WHERE run_id = ?`),
      dropIfUnused: this.stmt(`DELETE FROM payloads WHERE hash = ? AND NOT EXISTS (SELECT 1 FROM payload_refs WHERE hash = ?)`),
      copyRefs: this.stmt(`INSERT OR IGNORE INTO payload_refs (hash, run_id) SELECT hash, ? FROM payload_refs WHERE run_id = ?`),
    };
  }

  /**
   * Stores `payloads` for `runId`. Call inside the transaction that writes the text referring to
   * them: every write carries all its payloads (INSERT OR IGNORE), so a payload released by a
   * concurrent prune is simply written again.
   */
  write(runId: string, payloads: readonly Payload[]): void {
    for (const p of payloads) {
      this.s.put.run(p.hash, p.body, p.body.length);
      this.s.ref.run(p.hash, runId);
    }
  }

  /** A re-run reuses nodes of another run: it refers to that run's payloads too (same transaction as the copies). */
  shareRefs(toRunId: string, fromRunId: string): void {
    this.s.copyRefs.run(toRunId, fromRunId);
  }

  decode(text: string): unknown {
    return decodeJson(text, (hash) => (this.s.get.get(hash) as { body: string } | undefined)?.body);
  }

  decodeOrNull(text: string | null): unknown {
    return text === null ? null : this.decode(text);
  }

  /** Releases the runs' references and deletes payloads no other run refers to (caller's transaction). */
  release(runIds: readonly string[]): number {
    const candidates = new Set<string>();
    for (const id of runIds) {
      for (const r of this.s.refsOf.all(id) as { hash: string }[]) candidates.add(r.hash);
      this.s.dropRefs.run(id);
    }
    let deleted = 0;
    for (const h of candidates) deleted += this.s.dropIfUnused.run(h, h).changes;
    return deleted;
  }
}

const stores = new WeakMap<Db, PayloadStore>();

/** The payload store of a database (statements prepared once per connection). */
export function payloadsOf(db: Db): PayloadStore {
  // One store per connection: its statements are prepared once.
  let s = stores.get(db);
  if (!s) {
    s = new PayloadStore(db);
    stores.set(db, s);
  }
  return s;
}
