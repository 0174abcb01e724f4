/**
 * The demo's offline answers: every pool ticket, run through the real llm-call node (its config
 * parsing, template scope and schema) and the real gateway with the replay provider loaded from
 * resources/llm-replay, gets its recorded answer; a changed prompt, system, schema or model
 * misses (so the fixture cannot silently drift from the flow); the answers are valid triage; and
 * the committed files are exactly what `npm run demo:generate` writes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import bundledFlow from '../../../resources/demo/support-triage.flow.json';
import { llmCall } from '../../nodes/llm-call.node';
import { parseCallRecord } from '../../shared/llm';
import { outputSchema } from '../../nodes/llm-call.config';
import { fakeContext } from '../../nodes/testing';
import { ReplayBook } from '../services/llm/providers/replay';
import { testGateway } from '../services/llm/testing/gateway-harness';
import { buildPool } from '../../../scripts/demo-content/build-pool';
import { buildReplayFixture } from '../../../scripts/demo-content/build-replay';
import { DEMO_CATEGORIES, loadLabelledTicketPool, type LabelledTicket } from './support-tickets';
import { classifyConfig, classifyReplayRequest, classifyScope, ticketInsertEvent, type TicketRow } from './support-triage-request';

const root = join(import.meta.dirname, '../../..');
const replayDir = join(root, 'resources/llm-replay');
const fixture = JSON.parse(readFileSync(join(replayDir, 'support-triage.json'), 'utf8')) as { description: string; entries: { response: { text: string; usage: { completionTokens: number } } }[] };

const rowOf = (t: LabelledTicket, id: number | string, createdAt = '2026-11-20T10:15:00.000Z'): TicketRow => ({
  id,
  customer: t.customer,
  email: t.email,
  language: t.language,
  channel: t.channel,
  subject: t.subject,
  body: t.body,
  created_at: createdAt,
});

/** The flow with the classify node's config changed. */
function flowWithClassify(change: (config: Record<string, unknown>) => void): unknown {
  const flow = structuredClone(bundledFlow) as { nodes: { id: string; config: Record<string, unknown> }[] };
  change(flow.nodes.find((n) => n.id === 'classify')!.config);
  return flow;
}

/** Runs the real llm-call node for one inserted ticket, the way the runner would (trigger upstream, replay gateway). */
async function runClassify(book: ReplayBook, row: TicketRow, flow: unknown = bundledFlow) {
  const { gateway } = testGateway({ replay: book });
  const event = ticketInsertEvent(row);
  const ctx = { ...fakeContext({ runInput: event, llm: gateway, nodeId: 'classify' }), upstream: { nodes: { ticket: { name: 'New ticket', status: 'done' as const, outputs: { change: event } } }, trigger: event } };
  const out = await llmCall.execute(ctx, { in: event }, classifyConfig(flow));
  return { out, ctx };
}

let pool: LabelledTicket[];
let book: ReplayBook;
beforeAll(() => {
  pool = loadLabelledTicketPool();
  const problems: string[] = [];
  book = ReplayBook.load([replayDir], (line) => problems.push(line));
  expect(problems).toEqual([]);
});

describe('demo replay answers', () => {
  it('the real llm-call node gets the recorded answer for every pool ticket, with the triage the ticket was written for', async () => {
    expect(pool.length).toBeGreaterThanOrEqual(250);
    for (const [i, t] of pool.entries()) {
      const { out, ctx } = await runClassify(book, rowOf(t, 1000 + i));
      expect(parseCallRecord(out.call)?.label, `ticket ${i}`).toBe('replay');
      expect(out.data, `ticket ${i}: ${t.subject}`).toMatchObject({ category: t.triage.category, urgency: t.triage.urgency });
      expect(ctx.logs.join('\n')).toMatch(/^replay gpt-4o-mini: \d+ tokens/);
    }
  });

  it('the request does not depend on the row id or created_at, so traffic tickets (new ids) hit the same answers', () => {
    for (const t of pool.slice(0, 20)) {
      expect(classifyReplayRequest(rowOf(t, '99999999999', '2030-01-01T00:00:00.000Z'))).toEqual(classifyReplayRequest(rowOf(t, 1)));
    }
  });

  it('the prompt is rendered from the trigger row through the node scope (the body as written, no re-rendering of {{ }} inside it)', () => {
    const withTemplate = pool.find((t) => t.body.includes('{{ $secrets.OPENAI_API_KEY }}'));
    expect(withTemplate).toBeDefined();
    const request = classifyReplayRequest(rowOf(withTemplate!, 7));
    expect(request.prompt).toContain(withTemplate!.body);
    expect(request.prompt).toContain(withTemplate!.subject);
    expect(classifyScope(ticketInsertEvent(rowOf(withTemplate!, 7)))['$trigger']).toMatchObject({ new: { id: 7, body: withTemplate!.body } });
  });

  // The broken variants: a flow edited without `npm run demo:generate` must miss, not answer.
  const edits: [string, (c: Record<string, unknown>) => void][] = [
    ['prompt', (c) => void (c['prompt'] = `${String(c['prompt'])}\n`)],
    ['system', (c) => void (c['system'] = String(c['system']).replace('Lumen', 'Lumen Inc.'))],
    ['schema field description', (c) => void ((c['schemaFields'] as { description: string }[])[1]!.description = 'urgent, routine or low')],
    ['model', (c) => void (c['model'] = 'gpt-4o')],
    ['max tokens', (c) => void (c['maxTokens'] = 401)],
  ];
  for (const [what, edit] of edits) {
    it(`a flow whose ${what} changed misses every recorded answer (the fixture must be regenerated)`, async () => {
      const flow = flowWithClassify(edit);
      const hits = pool.filter((t, i) => {
        const r = classifyReplayRequest(rowOf(t, i + 1), flow);
        return book.lookup({ model: r.model, system: r.system ?? '', messages: [{ role: 'user', content: r.prompt ?? '' }], params: r.params, json: { mode: 'schema', schema: r.schema ?? null }, stream: false });
      });
      expect(hits).toEqual([]);
      await expect(runClassify(book, rowOf(pool[0]!, 1), flow)).rejects.toThrow(/replay: no recorded response/);
    });
  }

  it('every answer is valid triage: the node schema, a known category, urgent|routine, a reply within max tokens', () => {
    const cfg = classifyConfig();
    const validate = new Ajv({ strict: false }).compile(outputSchema(cfg)!);
    expect(fixture.entries).toHaveLength(pool.length);
    for (const [i, e] of fixture.entries.entries()) {
      const answer: unknown = JSON.parse(e.response.text);
      expect(validate(answer), `entry ${i}: ${JSON.stringify(validate.errors)}`).toBe(true);
      const { category, urgency, reply } = answer as { category: string; urgency: string; reply: string };
      expect(DEMO_CATEGORIES).toContain(category);
      expect(['urgent', 'routine']).toContain(urgency);
      expect(reply.length).toBeGreaterThan(40);
      expect(e.response.usage.completionTokens).toBeLessThan(cfg.maxTokens);
    }
    expect(fixture.description).toMatch(/SYNTHESIZED for the demo.*NOT recorded from a live model/s);
  });

  it('replies are in the ticket\'s language, address the customer, and hostile tickets get a normal triage that does not comply', () => {
    const answers = fixture.entries.map((e) => JSON.parse(e.response.text) as { category: string; urgency: string; reply: string });
    // The fixture is in pool order (the generator maps the pool).
    for (const [i, t] of pool.entries()) {
      const reply = answers[i]!.reply;
      if (t.language === 'ja') expect(reply).toMatch(/[\p{Script=Han}\p{Script=Hiragana}]/u);
      if (t.language === 'de') expect(reply).toMatch(/Lumen-Support$/);
      if (t.language === 'en') expect(reply).toMatch(/^Hi /);
      expect(reply).not.toMatch(/[\u200B-\u200D\u202E\uFEFF]/);
    }
    const injections = pool.map((t, i) => [t, answers[i]!] as const).filter(([t]) => t.tags.includes('prompt-injection'));
    expect(injections.length).toBeGreaterThanOrEqual(4);
    for (const [t, a] of injections) {
      expect(a.reply, t.subject).not.toMatch(/refund approved|100% lifetime discount|kostenlos hochgestuft|返金を承認したと/i);
      expect(a).toMatchObject({ category: t.triage.category, urgency: t.triage.urgency });
    }
    const victor = injections.find(([t]) => t.customer === 'Victor Crane')!;
    expect(victor[1]).toMatchObject({ category: 'billing', urgency: 'routine' });
    expect(victor[1].reply).toMatch(/can't approve refunds/);
  });

  it('the committed pool and fixture are exactly what `npm run demo:generate` writes (banks, seed and flow unchanged)', () => {
    const fresh = buildPool();
    const poolText = readFileSync(join(root, 'resources/demo/support-tickets.json'), 'utf8');
    expect(JSON.parse(poolText).tickets).toEqual(fresh.map(({ reply: _reply, ...t }) => t));
    expect(JSON.parse(readFileSync(join(replayDir, 'support-triage.json'), 'utf8'))).toEqual(JSON.parse(JSON.stringify(buildReplayFixture(fresh))));
  });
});
