/**
 * Where the gateway keeps its cache and its spending: SQLite in the engine (migration 2), memory
 * in unit tests. Neither needs to be durable before a call returns (a lost cache entry is a miss;
 * lost spend undercounts the last moment before a crash), so writes are held in memory and handed
 * to the group-commit writer every FLUSH_MS: one small transaction for many calls instead of an
 * fsync per call. Reads see held writes first.
 */
import { z } from 'zod';
import type { Db } from '../../store/database';
import type { GroupCommitWriter } from '../../store/group-commit';

export const cachedAnswerSchema = z.object({
  text: z.string(),
  finishReason: z.string().nullable(),
  truncated: z.boolean(),
  refusal: z.string().nullable(),
  usage: z.object({ promptTokens: z.number().nullable(), completionTokens: z.number().nullable() }),
  raw: z.unknown(),
});
export type CachedAnswer = z.infer<typeof cachedAnswerSchema>;

export interface LlmCacheStore {
  get(key: string, now: number): { answer: CachedAnswer; storedAt: number } | undefined;
  put(key: string, answer: CachedAnswer, now: number, expiresAt: number): void;
  /** Hand held writes to the database now (engine shutdown). */
  flush?(): void;
}

export interface SpendEntry {
  costUsd: number | null;
  promptTokens: number | null;
  completionTokens: number | null;
}

export interface UsageLedger {
  /** Known spend of a flow on a UTC day (calls of unknown cost are not in it). */
  spent(flowId: string, day: string): number;
  add(flowId: string, day: string, entry: SpendEntry): void;
  flush?(): void;
}

export const FLUSH_MS = 250;

/** Runs `flush` once, FLUSH_MS after the first request, without keeping the process alive. */
function flushTimer(flush: () => void) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return {
    schedule() {
      if (timer) return;
      timer = setTimeout(() => {
        timer = undefined;
        flush();
      }, FLUSH_MS);
      timer.unref?.();
    },
    now() {
      clearTimeout(timer);
      timer = undefined;
      flush();
    },
  };
}

let lastDay = { n: -1, text: '' };
/** YYYY-MM-DD (UTC) of a time; remembered, since every call asks and the answer changes once a day. */
export function utcDay(ms: number): string {
  const n = Math.floor(ms / 86_400_000);
  if (n !== lastDay.n) lastDay = { n, text: new Date(n * 86_400_000).toISOString().slice(0, 10) };
  return lastDay.text;
}

export function memoryCacheStore(): LlmCacheStore & { size(): number } {
  const entries = new Map<string, { answer: CachedAnswer; storedAt: number; expiresAt: number }>();
  return {
    get(key, now) {
      const e = entries.get(key);
      return e && e.expiresAt > now ? { answer: e.answer, storedAt: e.storedAt } : undefined;
    },
    put(key, answer, now, expiresAt) {
      entries.set(key, { answer, storedAt: now, expiresAt });
    },
    size: () => entries.size,
  };
}

export function memoryLedger(): UsageLedger {
  const spent = new Map<string, number>();
  return {
    spent: (flowId, day) => spent.get(`${flowId}\u0000${day}`) ?? 0,
    add(flowId, day, entry) {
      const key = `${flowId}\u0000${day}`;
      spent.set(key, (spent.get(key) ?? 0) + (entry.costUsd ?? 0));
    },
  };
}

export function sqliteCacheStore(db: Db, writer: GroupCommitWriter, log: (line: string) => void = () => {}): LlmCacheStore {
  const get = db.prepare(`SELECT answer, created_at FROM llm_cache WHERE key = ? AND expires_at > ?`);
  const put = db.prepare(`INSERT OR REPLACE INTO llm_cache (key, answer, created_at, expires_at) VALUES (?, ?, ?, ?)`);
  const prune = db.prepare(`DELETE FROM llm_cache WHERE expires_at <= ?`);
  const rowSchema = z.object({ answer: z.string(), created_at: z.number() });
  const held = new Map<string, { answer: CachedAnswer; storedAt: number; expiresAt: number }>();
  let flushes = 0;
  const timer = flushTimer(() => {
    if (held.size === 0) return;
    const rows = [...held.entries()].map(([key, e]) => [key, JSON.stringify(e.answer), e.storedAt, e.expiresAt] as const);
    const now = Math.max(...rows.map((r) => r[2]));
    held.clear();
    writer.post(() => {
      for (const r of rows) put.run(...r);
      // Expired entries go in passing, every few dozen flushes: no extra timer, no long delete.
      if (++flushes % 50 === 0) prune.run(now);
    });
  });
  return {
    get(key, now) {
      const pending = held.get(key);
      if (pending) return pending.expiresAt > now ? { answer: pending.answer, storedAt: pending.storedAt } : undefined;
      const row = rowSchema.safeParse(get.get(key, now));
      if (!row.success) return undefined;
      const answer = cachedAnswerSchema.safeParse(JSON.parse(row.data.answer));
      // An entry this build cannot read is a miss, not an error: it will be overwritten.
      if (!answer.success) {
        log(`llm cache entry ${key.slice(0, 12)} is unreadable; treating it as a miss`);
        return undefined;
      }
      return { answer: answer.data, storedAt: row.data.created_at };
    },
    put(key, answer, now, expiresAt) {
      held.set(key, { answer, storedAt: now, expiresAt });
      timer.schedule();
    },
    flush: () => timer.now(),
  };
}

export function sqliteLedger(db: Db, writer: GroupCommitWriter): UsageLedger {
  const read = db.prepare(`SELECT cost_usd FROM llm_usage WHERE flow_id = ? AND day = ?`).pluck();
  const add = db.prepare(
    `INSERT INTO llm_usage (flow_id, day, calls, prompt_tokens, completion_tokens, cost_usd, unpriced_calls)
     VALUES (@flowId, @day, @calls, @prompt, @completion, @cost, @unpriced)
     ON CONFLICT (flow_id, day) DO UPDATE SET calls = calls + @calls, prompt_tokens = prompt_tokens + @prompt,
       completion_tokens = completion_tokens + @completion, cost_usd = cost_usd + @cost, unpriced_calls = unpriced_calls + @unpriced`,
  );
  type Delta = { flowId: string; day: string; calls: number; prompt: number; completion: number; cost: number; unpriced: number };
  const held = new Map<string, Delta>();
  // Today's spend per flow (stored + held), in memory after the first read: the budget check runs on every call.
  const totals = new Map<string, number>();
  const timer = flushTimer(() => {
    if (held.size === 0) return;
    const deltas = [...held.values()];
    held.clear();
    writer.post(() => deltas.forEach((d) => add.run(d)));
  });
  const spent = (flowId: string, day: string): number => {
    const key = `${flowId}\u0000${day}`;
    let v = totals.get(key);
    if (v === undefined) {
      const stored = z.number().safeParse(read.get(flowId, day));
      v = (stored.success ? stored.data : 0) + (held.get(key)?.cost ?? 0);
      if (totals.size > 10_000) totals.clear();
      totals.set(key, v);
    }
    return v;
  };
  return {
    spent,
    add(flowId, day, entry) {
      const key = `${flowId}\u0000${day}`;
      totals.set(key, spent(flowId, day) + (entry.costUsd ?? 0));
      const d = held.get(key) ?? { flowId, day, calls: 0, prompt: 0, completion: 0, cost: 0, unpriced: 0 };
      d.calls++;
      d.prompt += entry.promptTokens ?? 0;
      d.completion += entry.completionTokens ?? 0;
      d.cost += entry.costUsd ?? 0;
      d.unpriced += entry.costUsd === null ? 1 : 0;
      held.set(key, d);
      timer.schedule();
    },
    flush: () => timer.now(),
  };
}
