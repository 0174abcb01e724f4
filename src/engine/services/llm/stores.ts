/**
 * Where the gateway keeps its cache and its spending: SQLite in the engine (migration 2), memory
 * in unit tests. Writes go through the group-commit writer's `post` — neither needs to be durable
 * before the call returns (a lost cache entry is a miss; a lost spend row undercounts one call
 * after a crash), and batching keeps them off the per-call latency.
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
}

export const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

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
  let puts = 0;
  return {
    get(key, now) {
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
      const text = JSON.stringify(answer);
      writer.post(() => {
        put.run(key, text, now, expiresAt);
        // Expired entries go in passing, a few hundred writes apart: no timer, no long delete.
        if (++puts % 500 === 0) prune.run(now);
      });
    },
  };
}

export function sqliteLedger(db: Db, writer: GroupCommitWriter): UsageLedger {
  const read = db.prepare(`SELECT cost_usd FROM llm_usage WHERE flow_id = ? AND day = ?`).pluck();
  const add = db.prepare(
    `INSERT INTO llm_usage (flow_id, day, calls, prompt_tokens, completion_tokens, cost_usd, unpriced_calls)
     VALUES (@flowId, @day, 1, @prompt, @completion, @cost, @unpriced)
     ON CONFLICT (flow_id, day) DO UPDATE SET calls = calls + 1, prompt_tokens = prompt_tokens + @prompt,
       completion_tokens = completion_tokens + @completion, cost_usd = cost_usd + @cost, unpriced_calls = unpriced_calls + @unpriced`,
  );
  // Today's spend per flow, in memory after the first read: the budget check is on every call.
  const cache = new Map<string, number>();
  const spent = (flowId: string, day: string): number => {
    const key = `${flowId}\u0000${day}`;
    let v = cache.get(key);
    if (v === undefined) {
      const stored = z.number().safeParse(read.get(flowId, day));
      v = stored.success ? stored.data : 0;
      if (cache.size > 10_000) cache.clear();
      cache.set(key, v);
    }
    return v;
  };
  return {
    spent,
    add(flowId, day, entry) {
      cache.set(`${flowId}\u0000${day}`, spent(flowId, day) + (entry.costUsd ?? 0));
      const row = { flowId, day, prompt: entry.promptTokens ?? 0, completion: entry.completionTokens ?? 0, cost: entry.costUsd ?? 0, unpriced: entry.costUsd === null ? 1 : 0 };
      writer.post(() => add.run(row));
    },
  };
}
