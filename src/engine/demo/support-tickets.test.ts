/**
 * The demo database content: the pool's variety (languages, urgent share, hostile tickets), the
 * traffic cycle, and the seed against a real throwaway PostgreSQL (tables created, rows exactly
 * as in the pool, idempotent, reset, hostile text stored byte for byte).
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from '../triggers/pg/postgres-for-tests';
import {
  DEFAULT_SEED_COUNT,
  DEMO_CATEGORIES,
  DEMO_LANGUAGES,
  countDemoTickets,
  insertTicket,
  loadLabelledTicketPool,
  loadTicketPool,
  nextTrafficTicket,
  resetDemoDatabase,
  seedAgeSeconds,
  seedDemoDatabase,
} from './support-tickets';

describe('the ticket pool', () => {
  const pool = loadLabelledTicketPool();
  const share = (pred: (t: (typeof pool)[number]) => boolean) => pool.filter(pred).length / pool.length;

  it('is a few hundred varied tickets: every language (English most), every category, 25–35 % urgent', () => {
    expect(pool.length).toBeGreaterThanOrEqual(250);
    expect(pool.length).toBeLessThanOrEqual(400);
    for (const lang of DEMO_LANGUAGES) expect(share((t) => t.language === lang), lang).toBeGreaterThan(0.05);
    for (const lang of DEMO_LANGUAGES.filter((l) => l !== 'en')) expect(share((t) => t.language === 'en')).toBeGreaterThan(share((t) => t.language === lang));
    for (const c of DEMO_CATEGORIES) expect(share((t) => t.triage.category === c), c).toBeGreaterThan(0.05);
    expect(share((t) => t.triage.urgency === 'urgent')).toBeGreaterThanOrEqual(0.25);
    expect(share((t) => t.triage.urgency === 'urgent')).toBeLessThanOrEqual(0.35);
    expect(new Set(pool.map((t) => t.channel))).toEqual(new Set(['email', 'chat', 'web']));
  });

  it('ranges from one line to several paragraphs, and no two tickets are identical', () => {
    const lengths = pool.map((t) => t.body.length);
    expect(Math.min(...lengths)).toBeLessThan(20);
    expect(Math.max(...lengths)).toBeGreaterThan(2000);
    expect(pool.filter((t) => t.body.split('\n\n').length >= 4).length).toBeGreaterThan(10);
    expect(pool.filter((t) => !t.body.includes('\n')).length).toBeGreaterThan(20);
    expect(new Set(pool.map((t) => `${t.subject}\n${t.body}`)).size).toBe(pool.length);
    expect(pool.filter((t) => t.tags.includes('near-duplicate')).length).toBeGreaterThanOrEqual(5);
  });

  it('has hostile text: injections, markup, SQL, emoji, long lines, RTL, zero-width, template syntax', () => {
    const all = pool.map((t) => `${t.customer}\n${t.subject}\n${t.body}`);
    const has = (re: RegExp) => all.filter((s) => re.test(s)).length;
    expect(pool.filter((t) => t.tags.includes('hostile')).length).toBeGreaterThanOrEqual(15);
    expect(has(/ignore (all )?previous instructions/i)).toBeGreaterThanOrEqual(1);
    expect(has(/<script>/)).toBeGreaterThanOrEqual(1);
    expect(has(/DROP TABLE|'1'='1/)).toBeGreaterThanOrEqual(2);
    expect(has(/\p{Extended_Pictographic}/u)).toBeGreaterThanOrEqual(1);
    expect(has(/[^\n]{2000}/)).toBeGreaterThanOrEqual(1);
    expect(has(/[\u0590-\u06FF]/)).toBeGreaterThanOrEqual(2);
    expect(has(/\u202E/)).toBeGreaterThanOrEqual(1);
    expect(has(/[\u200B-\u200D\uFEFF]/)).toBeGreaterThanOrEqual(1);
    expect(has(/\{\{.*\}\}/)).toBeGreaterThanOrEqual(1);
  });

  it('has no value starting with U+FEFF: the change stream drops a leading BOM, so its prompt would miss the recorded answer', () => {
    for (const t of loadTicketPool()) for (const v of Object.values(t)) expect(v.startsWith('\uFEFF'), JSON.stringify(t.subject)).toBe(false);
  });

  it('invents its people: every address is at example.com, .org or .net', () => {
    for (const t of pool) expect(t.email).toMatch(/^[a-z0-9._]+@([a-z]+\.)?example\.(com|org|net)$/);
  });

  it('traffic cycles the pool deterministically, starting after the seeded tickets', () => {
    const rows = loadTicketPool();
    expect(nextTrafficTicket(0)).toEqual(rows[DEFAULT_SEED_COUNT]);
    expect(nextTrafficTicket(rows.length)).toEqual(nextTrafficTicket(0));
    const firstCycle = Array.from({ length: rows.length }, (_, i) => nextTrafficTicket(i));
    expect(new Set(firstCycle.map((t) => JSON.stringify(t))).size).toBe(rows.length);
    expect(() => nextTrafficTicket(-1)).toThrow(RangeError);
    expect(() => nextTrafficTicket(1.5)).toThrow(RangeError);
  });

  it('spreads seeded created_at over the last 30 days, oldest first', () => {
    const ages = Array.from({ length: 200 }, (_, k) => seedAgeSeconds(k, 200));
    expect(ages[0]).toBeLessThanOrEqual(30 * 86_400);
    expect(ages[199]).toBeGreaterThan(0);
    for (let k = 1; k < ages.length; k++) expect(ages[k]).toBeLessThan(ages[k - 1]!);
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('seeding the demo database (real PostgreSQL)', () => {
  let server: TestPostgres;
  let client: pg.Client;
  beforeAll(async () => {
    server = await startTestPostgres();
    client = await server.client();
  }, 120_000);
  afterAll(async () => {
    await client?.end();
    await server?.stop();
  });

  const rowsInOrder = async () =>
    (await client.query('SELECT customer, email, language, channel, subject, body FROM public.support_tickets ORDER BY id')).rows as Record<string, string>[];

  it('creates both tables and inserts the first 200 pool tickets, byte for byte, spread over 30 days', async () => {
    expect(await seedDemoDatabase(client)).toEqual({ inserted: DEFAULT_SEED_COUNT });
    expect(await countDemoTickets(client)).toEqual({ total: DEFAULT_SEED_COUNT, triaged: 0 });
    expect(await rowsInOrder()).toEqual(loadTicketPool().slice(0, DEFAULT_SEED_COUNT));
    const span = await client.query<{ oldest_days: number; newest_days: number; ordered: boolean }>(`
      SELECT extract(epoch FROM now() - min(created_at)) / 86400 AS oldest_days,
             extract(epoch FROM now() - max(created_at)) / 86400 AS newest_days,
             bool_and(created_at > prev) AS ordered
      FROM (SELECT created_at, lag(created_at, 1, '-infinity') OVER (ORDER BY id) AS prev FROM public.support_tickets) s`);
    expect(Number(span.rows[0]!.oldest_days)).toBeGreaterThan(29);
    expect(Number(span.rows[0]!.oldest_days)).toBeLessThanOrEqual(30);
    expect(Number(span.rows[0]!.newest_days)).toBeLessThan(1);
    expect(span.rows[0]!.ordered).toBe(true);
    const cols = await client.query(`SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`);
    expect(cols.rows.map((r: { table_name: string; column_name: string }) => `${r.table_name}.${r.column_name}`)).toEqual([
      'support_tickets.id', 'support_tickets.customer', 'support_tickets.email', 'support_tickets.language', 'support_tickets.channel',
      'support_tickets.subject', 'support_tickets.body', 'support_tickets.created_at',
      'triaged_tickets.ticket_id', 'triaged_tickets.category', 'triaged_tickets.urgency', 'triaged_tickets.reply', 'triaged_tickets.triaged_at',
    ]);
  });

  it('a second seed (and two at once) inserts nothing: a table with rows is left alone', async () => {
    await seedDemoDatabase(client);
    expect(await seedDemoDatabase(client)).toEqual({ inserted: 0 });
    // Two seeds racing on an empty table: a third session holds the table until both are
    // waiting on it, so both would see it empty at the same moment without the seed's own lock.
    const [other, gate] = [await server.client(), await server.client()];
    try {
      await client.query('TRUNCATE public.support_tickets');
      await gate.query('BEGIN');
      await gate.query('LOCK TABLE public.support_tickets IN ACCESS EXCLUSIVE MODE');
      const racing = Promise.all([seedDemoDatabase(client, { count: 30 }), seedDemoDatabase(other, { count: 30 })]);
      await waitFor(async () => (await server.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock'`)).rows[0]?.n === 2);
      await gate.query('ROLLBACK');
      const both = await racing;
      expect(both.map((b) => b.inserted).sort()).toEqual([0, 30]);
      expect((await countDemoTickets(client)).total).toBe(30);
    } finally {
      await Promise.all([other.end(), gate.end()]);
    }
  });

  it('insertTicket stores hostile text exactly and returns the new id; reset drops everything and reseeds', async () => {
    const hostile = loadLabelledTicketPool().filter((t) => t.tags.includes('hostile'));
    const ids: string[] = [];
    for (const t of hostile) ids.push(await insertTicket(client, t));
    expect(ids.map(Number)).toEqual(ids.map((_, i) => Number(ids[0]) + i));
    const stored = await client.query('SELECT customer, email, language, channel, subject, body FROM public.support_tickets WHERE id = ANY($1::bigint[]) ORDER BY id', [ids]);
    expect(stored.rows).toEqual(hostile.map(({ customer, email, language, channel, subject, body }) => ({ customer, email, language, channel, subject, body })));
    await client.query(`INSERT INTO public.triaged_tickets (ticket_id, category, urgency, reply) VALUES ($1, 'bug', 'routine', 'x')`, [ids[0]]);

    expect(await resetDemoDatabase(client, { count: 50 })).toEqual({ inserted: 50 });
    expect(await countDemoTickets(client)).toEqual({ total: 50, triaged: 0 });
    expect((await client.query('SELECT min(id) AS min FROM public.support_tickets')).rows[0]).toEqual({ min: '1' });
    expect(await rowsInOrder()).toEqual(loadTicketPool().slice(0, 50));
  });

  it('bad input is refused before touching the database, and a failed reset leaves the old tables', async () => {
    await expect(seedDemoDatabase(client, { count: -1 })).rejects.toThrow(RangeError);
    await expect(insertTicket(client, { ...loadTicketPool()[0]!, language: 'xx' as 'en' })).rejects.toThrow(/language/);
    await expect(insertTicket(client, { ...loadTicketPool()[0]!, body: 'nul \u0000 byte' })).rejects.toThrow(/NUL/);
    // A reset that fails half-way (here: the tables are locked by another session until the statement times out) rolls back.
    const other = await server.client();
    try {
      await other.query('BEGIN');
      await other.query('LOCK TABLE public.support_tickets IN ACCESS EXCLUSIVE MODE');
      await client.query(`SET lock_timeout = '200ms'`);
      await expect(resetDemoDatabase(client)).rejects.toThrow(/lock timeout/);
      await other.query('ROLLBACK');
    } finally {
      await client.query('RESET lock_timeout');
      await other.end();
    }
    expect(await countDemoTickets(client)).toEqual({ total: 50, triaged: 0 });
  });
});
