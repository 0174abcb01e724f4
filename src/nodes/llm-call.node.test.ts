import { describe, expect, it } from 'vitest';
import { llmCall } from './llm-call.node';
import { defaultConfig } from '../shared/config-fields';
import { buildLlmRequest, connectionTestRequest, llmCallConfig, MISSING_KEY, outputSchema } from './llm-call.config';
import { fakeContext } from './testing';
import type { LlmCallOptions, LlmCallRecord, LlmRequest, LlmService } from '../shared/llm';
import { withJson } from '../shared/template';

function record(over: Partial<LlmCallRecord> = {}): LlmCallRecord {
  return {
    label: 'live',
    provider: 'openai-compatible',
    model: 'gpt-4o-mini',
    endpoint: 'https://api.openai.com/v1',
    targetIndex: 0,
    request: { system: '', prompt: '', params: {}, schema: null, jsonMode: null, instruction: null, stream: true },
    attempts: [],
    response: { text: 'Positive.', finishReason: 'stop', truncated: false, raw: {} },
    output: null,
    repair: { attempted: false, reason: null, firstReply: null },
    cache: { enabled: false, hit: false, key: null },
    usage: { promptTokens: 10, completionTokens: 2, totalTokens: 12 },
    cost: { usd: 0.0000027, basis: 'price-table' },
    latencyMs: 321,
    ttftMs: 80,
    startedAt: 0,
    ...over,
  };
}

/** A gateway stand-in: records requests, journals its one exchange through options.step, counts real calls. */
function fakeLlm(answer: (req: LlmRequest) => LlmCallRecord) {
  const requests: LlmRequest[] = [];
  const options: LlmCallOptions[] = [];
  let calls = 0;
  const service: LlmService = {
    async call(req, opts) {
      requests.push(req);
      options.push(opts);
      const step = opts.step ?? ((_n, fn) => fn());
      return step('llm:exchange-1', async () => {
        calls++;
        opts.onText?.('Posi');
        return answer(req);
      });
    },
  };
  return { service, requests, options, calls: () => calls };
}

/** A config with a key: a hosted API without one is a validation problem (tested below). */
const parse = (c: Record<string, unknown>) => llmCallConfig.parse({ apiKey: 'secret:OPENAI_API_KEY', ...c });

describe('llm-call config', () => {
  it('has working defaults, except the key a hosted API needs', () => {
    const missing = llmCallConfig.safeParse({});
    expect(missing.error?.issues).toEqual([expect.objectContaining({ path: ['apiKey'], message: MISSING_KEY })]);
    const fallback = llmCallConfig.safeParse({ apiKey: 'secret:K', fallbacks: [{ model: 'gpt-4o' }] });
    expect(fallback.error?.issues).toEqual([expect.objectContaining({ path: ['fallbacks', 0, 'apiKey'], message: MISSING_KEY })]);
    expect(llmCallConfig.safeParse({ baseUrl: 'http://127.0.0.1:11434/v1' }).success).toBe(true);
    // A new node still gets every default (and shows the missing key as its problem).
    expect(defaultConfig(llmCallConfig)).toMatchObject({ provider: 'openai-compatible', baseUrl: 'https://api.openai.com/v1', model: 'gpt-4o-mini', apiKey: '' });
    const cfg = llmCallConfig.parse({ apiKey: '', baseUrl: 'http://localhost:1234/v1' });
    expect(cfg).toMatchObject({ provider: 'openai-compatible', model: 'gpt-4o-mini', apiKey: '', output: 'text', stream: true, cache: false, maxAttempts: 3 });
  });

  it('refuses a pasted key and accepts only secret:NAME references', () => {
    const pasted = llmCallConfig.safeParse({ apiKey: 'sk-proj-abcdefghijklmnop' });
    expect(pasted.success).toBe(false);
    expect(pasted.error?.issues[0]?.message).toMatch(/store it as a secret .* and write secret:NAME/);
    expect(llmCallConfig.safeParse({ apiKey: 'my key' }).success).toBe(false);
    expect(llmCallConfig.safeParse({ apiKey: 'secret:OPENAI_API_KEY' }).success).toBe(true);
    expect(llmCallConfig.safeParse({ headers: [{ name: 'x-portkey-api-key', value: 'sk-abcdefghijklmnopq' }] }).success).toBe(false);
    expect(llmCallConfig.safeParse({ apiKey: 'secret:K', headers: [{ name: 'x-portkey-api-key', value: 'secret:PORTKEY' }] }).success).toBe(true);
  });

  it('builds a JSON Schema from the field list, or takes the raw one', () => {
    const fields = parse({ schemaFields: [{ name: 'sentiment', description: 'positive or negative' }, { name: 'score', type: 'number', required: false }] });
    expect(outputSchema(fields)).toEqual({
      type: 'object',
      properties: { sentiment: { type: 'string', description: 'positive or negative' }, score: { type: 'number' } },
      required: ['sentiment'],
      additionalProperties: false,
    });
    const raw = parse({ schemaFields: [{ name: 'ignored' }], schemaJson: '{"type":"object","properties":{"a":{"type":"integer"}}}' });
    expect(outputSchema(raw)).toEqual({ type: 'object', properties: { a: { type: 'integer' } } });
    expect(llmCallConfig.safeParse({ schemaJson: '[1,2]' }).error?.issues[0]?.path).toEqual(['schemaJson']);
    expect(llmCallConfig.safeParse({ schemaFields: [{ name: 'a' }, { name: 'a' }] }).error?.issues[0]?.message).toMatch(/listed twice/);
  });

  it('renders the prompt templates into the gateway request, fallbacks in order', () => {
    const cfg = parse({
      system: 'You rate {{ kind }}.',
      prompt: 'Rate: {{ review.text }}',
      topP: 0.9,
      stop: ['END'],
      output: 'json',
      schemaFields: [{ name: 'stars', type: 'integer' }],
      fallbacks: [{ provider: 'anthropic', baseUrl: 'https://api.anthropic.com', model: 'claude-3-5-haiku', apiKey: 'secret:ANTHROPIC' }],
    });
    const req = buildLlmRequest(cfg, withJson({ kind: 'reviews', review: { text: 'Great!' } }));
    expect(req.system).toBe('You rate reviews.');
    expect(req.prompt).toBe('Rate: Great!');
    expect(req.params).toEqual({ maxTokens: 512, temperature: 0.2, topP: 0.9, stop: ['END'] });
    expect(req.targets.map((t) => `${t.provider} ${t.model} ${t.apiKey}`)).toEqual(['openai-compatible gpt-4o-mini secret:OPENAI_API_KEY', 'anthropic claude-3-5-haiku secret:ANTHROPIC']);
    expect(req.output).toMatchObject({ kind: 'json', mode: 'schema', schema: { required: ['stars'] } });
    const test = connectionTestRequest(cfg);
    expect(test).toMatchObject({ params: { maxTokens: 1 }, targets: [{ model: 'gpt-4o-mini' }], reliability: { maxAttempts: 1 } });
  });
});

describe('llm-call node', () => {
  it('returns the text, the parsed data and the call record; streams progress', async () => {
    const llm = fakeLlm(() => record({ output: { sentiment: 'positive' }, response: { text: '{"sentiment":"positive"}', finishReason: 'stop', truncated: false, raw: {} } }));
    const ctx = fakeContext({ llm: llm.service });
    const cfg = parse({ prompt: 'Classify: {{ text }}', output: 'json' });
    const out = await llmCall.execute(ctx, { in: { text: 'I love it' } }, cfg);
    expect(out.text).toBe('{"sentiment":"positive"}');
    expect(out.data).toEqual({ sentiment: 'positive' });
    expect(out.call).toMatchObject({ model: 'gpt-4o-mini', usage: { totalTokens: 12 } });
    expect(llm.requests[0]!.prompt).toBe('Classify: I love it');
    expect(llm.options[0]!.flowId).toBe('flow_test');
    expect(llm.options[0]!.signal).toBe(ctx.signal);
    expect(ctx.progressed).toEqual(['Posi']);
    expect(ctx.logs[0]).toBe('gpt-4o-mini: 12 tokens, $0.0000027, 321 ms');
  });

  it('leaves the data port empty for text output (its branch is skipped)', async () => {
    const ctx = fakeContext({ llm: fakeLlm(() => record()).service });
    const out = await llmCall.execute(ctx, { in: {} }, parse({}));
    expect(out).not.toHaveProperty('data');
    expect(out.text).toBe('Positive.');
  });

  it('journals the exchange: running the node again (a resumed run) does not call the model again', async () => {
    const llm = fakeLlm(() => record());
    const ctx = fakeContext({ llm: llm.service });
    const cfg = parse({});
    const first = await llmCall.execute(ctx, { in: { a: 1 } }, cfg);
    const again = await llmCall.execute(ctx, { in: { a: 1 } }, cfg);
    expect(llm.calls()).toBe(1);
    expect(ctx.effects.get('llm:exchange-1')).toBe(1);
    expect(again).toEqual(first);
  });

  it('says clearly when the host has no gateway', async () => {
    await expect(llmCall.execute(fakeContext(), { in: {} }, parse({}))).rejects.toThrow('no LLM gateway configured');
  });

  it('shows the model, JSON output and fallbacks in its summary', () => {
    expect(llmCall.summary!(parse({ output: 'json', fallbacks: [{ model: 'x', baseUrl: 'http://127.0.0.1:8080' }] }))).toBe('gpt-4o-mini → JSON (+1 fallback)');
    expect(llmCall.summary!(parse({ provider: 'replay' }))).toBe('replay · gpt-4o-mini');
  });
});
