/**
 * Builds the demo ticket pool from the phrase banks: a seeded PRNG picks language, category,
 * urgency, scenario, length and channel, fills the placeholders, then the hand-written hostile
 * tickets and a few near-duplicates are mixed in and the whole pool is shuffled. Same seed, same
 * pool, byte for byte.
 */
import { de } from './bank-de';
import { en } from './bank-en';
import { es } from './bank-es';
import { fr } from './bank-fr';
import { ja } from './bank-ja';
import { pt } from './bank-pt';
import { HOSTILE, type HandTicket } from './hostile';
import { int, pick, prng, type Category, type Lang, type LanguageBank, type NamePart, type Random, type Urgency } from './types';

export const BANKS: Record<Lang, LanguageBank> = { en, es, de, fr, pt, ja };

/** One pool entry: the row's columns plus the triage it should get (used for the replay answers and tests). */
export interface PoolTicket {
  customer: string;
  email: string;
  language: Lang;
  channel: 'email' | 'chat' | 'web';
  subject: string;
  body: string;
  triage: { category: Category; urgency: Urgency };
  tags: string[];
  /** Hand-written reply body for hostile tickets; stripped before writing the pool. */
  reply?: string;
}

const LANGUAGE_WEIGHTS: [Lang, number][] = [['en', 45], ['es', 13], ['de', 13], ['fr', 11], ['pt', 9], ['ja', 9]];
const CATEGORY_WEIGHTS: [Category, number][] = [['billing', 22], ['bug', 25], ['account', 17], ['feature-request', 14], ['security', 10], ['other', 12]];
const URGENT_SHARE = 0.36;
const DOMAINS = ['example.com', 'example.org', 'example.net', 'mail.example.com', 'corp.example.net'];

function weighted<T>(r: Random, items: [T, number][]): T {
  const total = items.reduce((s, [, w]) => s + w, 0);
  let x = r() * total;
  for (const [item, w] of items) if ((x -= w) < 0) return item;
  return items[items.length - 1]![0];
}

const display = (p: NamePart) => (typeof p === 'string' ? p : p[0]);
const ascii = (p: NamePart) => (typeof p === 'string' ? p.replace(/ß/g, 'ss').normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^a-z]/g, '') : p[1]);

function person(r: Random, bank: LanguageBank): { customer: string; signature: string; email: string } {
  const g = pick(r, bank.given);
  const f = pick(r, bank.family);
  const customer = bank.familyFirst ? `${display(f)} ${display(g)}` : `${display(g)} ${display(f)}`;
  const local = pick(r, [`${ascii(g)}.${ascii(f)}`, `${ascii(g)[0]}${ascii(f)}`, `${ascii(g)}${int(r, 1, 99)}`, `${ascii(f)}.${ascii(g)}`]);
  // Japanese customers sign with their full name, others with the given name.
  return { customer, signature: bank.familyFirst ? customer : display(g), email: `${local}@${pick(r, DOMAINS)}` };
}

/** The placeholders of one ticket: the same number wherever it appears in its subject and body. */
function filler(r: Random, bank: LanguageBank): (text: string) => string {
  const n = int(r, 3, 40);
  const values: Record<string, string> = {
    amount: bank.money(int(r, 19, 2400)),
    invoice: `INV-2026-${String(int(r, 1, 9999)).padStart(4, '0')}`,
    n: String(n),
    // More seats than active users ("{seats} seats but only {n} active users").
    seats: String(n + int(r, 4, 30)),
  };
  return (text) => text.replace(/\{(amount|invoice|n|seats)\}/g, (_, k: string) => values[k]!);
}

type Shape = 'line' | 'short' | 'medium' | 'long';

function generated(r: Random): PoolTicket {
  const language = weighted(r, LANGUAGE_WEIGHTS);
  const bank = BANKS[language];
  const category = weighted(r, CATEGORY_WEIGHTS);
  const options = bank.scenarios[category];
  const urgency: Urgency = options.urgent.length > 0 && (options.routine.length === 0 || r() < URGENT_SHARE) ? 'urgent' : 'routine';
  const [subjectTemplate, core] = pick(r, urgency === 'urgent' ? options.urgent : options.routine);
  const who = person(r, bank);
  const fill = filler(r, bank);
  const shape = weighted<Shape>(r, [['line', 20], ['short', 45], ['medium', 25], ['long', 10]]);
  const sep = language === 'ja' ? '' : ' ';
  // "What I tried" sentences fit a problem, not a question or an idea.
  const broken = category === 'bug' || category === 'account' || (category !== 'feature-request' && category !== 'other' && urgency === 'urgent');
  const contexts = bank.context.filter((c) => broken || !c.startsWith('!')).map((c) => c.replace(/^!/, ''));
  const closer = () => pick(r, bank.closers).replace('{given}', who.signature);
  let body: string;
  if (shape === 'line') body = core;
  else if (shape === 'short') body = `${pick(r, bank.greetings)}\n\n${core}${urgency === 'urgent' && r() < 0.5 ? sep + pick(r, bank.urgentPush) : ''}\n\n${closer()}`;
  else if (shape === 'medium') body = `${pick(r, bank.greetings)}\n\n${core}${sep}${pick(r, contexts)}${urgency === 'urgent' ? sep + pick(r, bank.urgentPush) : ''}\n\n${closer()}`;
  else {
    const context = [...new Set([pick(r, contexts), pick(r, contexts), pick(r, contexts)])];
    const tail = urgency === 'urgent' ? `\n\n${pick(r, bank.urgentPush)}` : '';
    body = `${pick(r, bank.greetings)}\n\n${core}\n\n${context.join(sep)}${tail}\n\n${closer()}`;
  }
  const channel = shape === 'line' ? pick(r, ['chat', 'chat', 'web'] as const) : pick(r, ['email', 'email', 'web', 'chat'] as const);
  return {
    customer: who.customer,
    email: who.email,
    language,
    channel,
    subject: fill(subjectTemplate),
    body: fill(body),
    triage: { category, urgency },
    tags: [`shape:${shape}`],
  };
}

const FOLLOW_UP: Record<Lang, string> = { en: 'Any update on this?', es: '¿Alguna novedad?', de: 'Gibt es schon Neuigkeiten?', fr: 'Des nouvelles ?', pt: 'Alguma novidade?', ja: '進捗はいかがでしょうか。' };

/** The same ticket sent again, slightly changed (a follow-up, a fixed typo, a phone signature). */
function nearDuplicate(r: Random, t: PoolTicket): PoolTicket {
  const kind = pick(r, ['re', 'update', 'signature', 'trim'] as const);
  const subject = kind === 're' ? `Re: ${t.subject}` : t.subject;
  const body =
    kind === 'update' ? `${t.body}\n\n${FOLLOW_UP[t.language]}`
    : kind === 'signature' ? `${t.body}\n\n--\nSent from my iPhone`
    : kind === 'trim' ? `${t.body.trimEnd()} `
    : t.body;
  return { ...t, subject, body, tags: [...t.tags, 'near-duplicate'] };
}

function fromHand(h: HandTicket): PoolTicket {
  const { category, urgency, tags, reply, ...row } = h;
  return { ...row, triage: { category, urgency }, tags, ...(reply !== undefined ? { reply } : {}) };
}

export const POOL_SIZE = 300;
export const POOL_SEED = 20261128;
const NEAR_DUPLICATES = 8;

export function buildPool(seed = POOL_SEED): PoolTicket[] {
  const r = prng(seed);
  const count = POOL_SIZE - HOSTILE.length - NEAR_DUPLICATES;
  const tickets: PoolTicket[] = [];
  const seen = new Set<string>();
  while (tickets.length < count) {
    const t = generated(r);
    const key = `${t.subject}\n${t.body}`;
    if (seen.has(key)) continue; // exact duplicates are not realistic variety
    seen.add(key);
    tickets.push(t);
  }
  const originals = new Set<number>();
  while (originals.size < NEAR_DUPLICATES) originals.add(Math.floor(r() * count));
  for (const i of originals) tickets.push(nearDuplicate(r, tickets[i]!));
  tickets.push(...HOSTILE.map(fromHand));
  // Fisher–Yates with the same PRNG: hostile tickets and duplicates land anywhere in the pool.
  for (let i = tickets.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [tickets[i], tickets[j]] = [tickets[j]!, tickets[i]!];
  }
  return tickets;
}
