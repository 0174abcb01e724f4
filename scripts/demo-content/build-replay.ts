/**
 * The replay fixture for the demo flow: one entry per pool ticket, keyed by the request the
 * flow's LLM node really renders for it (computed by src/engine/demo/support-triage-request.ts,
 * i.e. the node's own config parsing, template scope and schema building), answered with a reply
 * synthesized from the ticket's known triage, language, customer and subject.
 */
import { classifyReplayRequest } from '../../src/engine/demo/support-triage-request';
import type { ReplayFixture } from '../../src/engine/services/llm/providers/replay';
import { BANKS, type PoolTicket } from './build-pool';
import { hash } from './types';

export const REPLAY_DESCRIPTION =
  'Answers for the live demo flow "Demo: support ticket triage" (resources/demo/support-triage.flow.json), one per ticket in resources/demo/support-tickets.json. ' +
  'SYNTHESIZED for the demo by scripts/generate-demo-content.ts from each ticket\'s intended category, urgency and language (reply templates per language and category), ' +
  'NOT recorded from a live model; token counts are estimates (~4 characters per token, ~1 per CJK character). ' +
  'Keyed by the rendered request (model, system, prompt, parameters, schema): after changing the flow\'s LLM node, run `npm run demo:generate`.';

/** A rough token estimate: ~4 Latin characters per token, one per CJK character, two per other character. */
export function estimateTokens(text: string): number {
  let units = 0;
  for (const ch of text) {
    if (ch.charCodeAt(0) < 128) units += 0.25;
    else if (/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u.test(ch)) units += 1;
    else units += 0.5;
  }
  return Math.max(1, Math.ceil(units));
}

/** How the reply addresses the customer: the given name (letters only), or the family name + 様 in Japanese. */
function addressName(t: PoolTicket): string {
  const first = (t.customer.split(/\s+/)[0] ?? '').replace(/[^\p{L}-]/gu, '');
  if (t.language === 'ja') return first ? `${first}様` : 'お客様';
  return first;
}

const THANKS_FIRST = /^(Thanks|Thank you|Gracias|¡Gracias|Danke|Vielen Dank|Merci|Obrigad|[^。]*ありがとう)/u;

const capitalise = (s: string) => s.charAt(0).toLocaleUpperCase() + s.slice(1);

export function synthesizeReply(t: PoolTicket): string {
  const bank = BANKS[t.language].replies;
  const seed = hash(`${t.subject}\n${t.body}\n${t.customer}`);
  const name = addressName(t);
  const greeting = name ? bank.greeting.replace('{name}', name) : bank.greeting.replace(/,? ?\{name\}/, '');
  let middle: string;
  if (t.reply !== undefined) middle = t.reply;
  else {
    // The subject as the customer wrote it, minus invisible format characters (zero-width, bidi overrides).
    const subject = t.subject.replace(/\p{Cf}/gu, '').replace(/\s+/g, ' ').trim();
    const thanks = bank.thanks[seed % bank.thanks.length]!.replace('{subject}', subject).replace(/([?!.？！。])(["»“”」]?)\.$/u, '$1$2');
    const bodies = bank.body[t.triage.category][t.triage.urgency];
    const body = bodies[(seed >>> 8) % bodies.length]!;
    // A body that opens with its own thank-you would thank twice; it stands alone.
    middle = THANKS_FIRST.test(body) ? body : `${t.language === 'de' ? thanks : capitalise(thanks)}${t.language === 'ja' ? '' : ' '}${body}`;
  }
  return `${greeting}\n\n${middle}\n\n${bank.signoff}`;
}

export function buildReplayFixture(pool: PoolTicket[], flow?: unknown): ReplayFixture {
  const entries = pool.map((t, i) => {
    // id and created_at are in the row but not in the prompt: any values give the same request.
    const row = { id: i + 1, customer: t.customer, email: t.email, language: t.language, channel: t.channel, subject: t.subject, body: t.body, created_at: '2026-11-01T09:00:00.000Z' };
    const request = classifyReplayRequest(row, ...(flow === undefined ? [] : [flow]));
    const text = JSON.stringify({ category: t.triage.category, urgency: t.triage.urgency, reply: synthesizeReply(t) });
    const promptTokens = estimateTokens(request.system ?? '') + estimateTokens(request.prompt ?? '') + estimateTokens(JSON.stringify(request.schema)) + 12;
    return { request, response: { text, finishReason: 'stop', usage: { promptTokens, completionTokens: estimateTokens(text) } } };
  });
  return { version: 1, description: REPLAY_DESCRIPTION, entries };
}
