/**
 * Shapes shared by the demo content generator (scripts/generate-demo-content.ts): the phrase
 * banks each language file fills in, and a tiny seeded PRNG so the pool is the same on every run.
 */
export const CATEGORIES = ['billing', 'bug', 'account', 'feature-request', 'security', 'other'] as const;
export type Category = (typeof CATEGORIES)[number];
export const LANGUAGES = ['en', 'es', 'de', 'fr', 'pt', 'ja'] as const;
export type Lang = (typeof LANGUAGES)[number];
export type Urgency = 'urgent' | 'routine';

/** [subject, body]; placeholders {amount}, {invoice}, {n}, {seats} are filled per ticket. */
export type Scenario = readonly [subject: string, body: string];

/** A name part as written, and its ASCII form for the e-mail address (romaji for Japanese). */
export type NamePart = string | readonly [display: string, ascii: string];

export interface LanguageBank {
  language: Lang;
  given: NamePart[];
  family: NamePart[];
  /** Japanese names are written family name first. */
  familyFirst?: boolean;
  /** How a sum of money is written, from a whole number of the local currency. */
  money(value: number): string;
  /** Opening lines of a ticket ("Hi Lumen team,"). */
  greetings: string[];
  /** Closing lines; "{given}" is the customer's given name. */
  closers: string[];
  /** Sentences for longer tickets: who the customer is, what they tried ("!" first: only for something broken). */
  context: string[];
  /** What an urgent ticket adds ("Please call me back today."). */
  urgentPush: string[];
  scenarios: Record<Category, { urgent: Scenario[]; routine: Scenario[] }>;
  replies: ReplyBank;
}

export interface ReplyBank {
  /** "{name}" is how the customer is addressed (given name; family name + 様 in Japanese). */
  greeting: string;
  /** "{subject}" is the ticket's subject. */
  thanks: string[];
  body: Record<Category, { urgent: string[]; routine: string[] }>;
  signoff: string;
}

/** Thousands grouping written out (not toLocaleString, whose output depends on the ICU data Node was built with). */
export const group = (v: number, sep: string) => String(Math.trunc(v)).replace(/\B(?=(\d{3})+(?!\d))/g, sep);

/** mulberry32: tiny and deterministic; repeatability is the point, not statistical quality. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Random = () => number;
export const pick = <T>(r: Random, items: readonly T[]): T => {
  if (items.length === 0) throw new Error('pick from an empty list');
  return items[Math.floor(r() * items.length)]!;
};
export const int = (r: Random, min: number, max: number) => min + Math.floor(r() * (max - min + 1));

/** A string hash (FNV-1a) to choose reply variants from the ticket itself, not from the PRNG's position. */
export function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
