/**
 * LLM call: renders the prompt templates against the input, sends them through the gateway
 * (ctx.services.llm: retries, fallbacks, cache, budget, structured output) and returns the reply,
 * the parsed JSON and the full call record. Each provider exchange is a journaled step, so a
 * resumed run never asks the model again for an answer it already has.
 */
import { defineNode } from '../shared/node-kit';
import { nodeScope } from '../shared/template';
import { NodeError } from '../shared/services';
import { formatCost, isOfflineProvider } from '../shared/llm';
import { buildLlmRequest, llmCallConfig, outputSchema } from './llm-call.config.js';

export const llmCall = defineNode({
  type: 'llm-call',
  version: 1,
  title: 'LLM call',
  description: 'Ask a model (OpenAI-compatible, Anthropic, or replay) with {{ path }} prompt templates; optional JSON output checked against a schema.',
  category: 'ai',
  config: llmCallConfig,
  inputs: { in: { type: 'any' } },
  outputs: {
    text: { type: 'string', label: 'text' },
    data: { type: 'object', label: 'data (JSON)' },
    call: { type: 'object', label: 'call record' },
  },
  ui: {
    provider: { widget: 'select', label: 'Provider', help: '"replay" answers from recorded responses (offline demos, tests).' },
    baseUrl: { label: 'Base URL', placeholder: 'https://api.openai.com/v1 · http://localhost:11434/v1' },
    model: { label: 'Model', placeholder: 'gpt-4o-mini' },
    apiKey: { label: 'API key', placeholder: 'secret:OPENAI_API_KEY', help: 'A stored secret, as secret:NAME. Empty for local servers.' },
    headers: { widget: 'key-value', label: 'Extra headers', help: 'Values may be secret:NAME.' },
    system: { widget: 'template', label: 'System prompt', rows: 3 },
    prompt: { widget: 'template', label: 'Prompt', rows: 6, help: '{{ $json }} is the whole input as JSON.' },
    temperature: { label: 'Temperature' },
    maxTokens: { label: 'Max tokens' },
    topP: { label: 'Top p' },
    seed: { label: 'Seed' },
    stop: { label: 'Stop sequences' },
    output: { widget: 'select', label: 'Output', help: 'json: the reply is parsed and checked against the schema (one repair attempt).' },
    jsonMode: { widget: 'select', label: 'JSON mode', help: 'schema: the provider enforces the schema; json-object or prompt-only for servers without it.' },
    schemaFields: { label: 'Output fields' },
    schemaJson: { widget: 'json', label: 'Raw JSON Schema', rows: 8, help: 'When set, used instead of the field list.' },
    allowTruncated: { widget: 'switch', label: 'Keep text cut off at max tokens' },
    stream: { widget: 'switch', label: 'Stream (text appears live on the node)' },
    cache: { widget: 'switch', label: 'Cache identical requests' },
    cacheTtlSeconds: { label: 'Cache TTL (s)' },
    fallbacks: { label: 'Fallbacks (in order)' },
    maxAttempts: { label: 'Attempts per target' },
    initialBackoffMs: { label: 'First backoff (ms)' },
    maxBackoffMs: { label: 'Longest backoff (ms)' },
    maxRetryAfterMs: { label: 'Longest Retry-After to wait (ms)' },
    attemptTimeoutMs: { label: 'Attempt timeout (ms)' },
    stallTimeoutMs: { label: 'Stream stall timeout (ms)' },
    deadlineMs: { label: 'Deadline for the whole call (ms)' },
  },
  // The structured-output schema types the `data` port: completion and validation know its fields.
  outputShapes: (cfg) => ({
    text: { type: 'string' },
    ...(cfg.output === 'json' ? { data: outputSchema(cfg) ?? { type: 'object' } } : {}),
    call: { type: 'object' },
  }),
  summary: (cfg) => `${isOfflineProvider(cfg.provider) ? `${cfg.provider} · ` : ''}${cfg.model}${cfg.output === 'json' ? ' → JSON' : ''}${cfg.fallbacks.length ? ` (+${cfg.fallbacks.length} fallback)` : ''}`,
  async execute(ctx, { in: input }, cfg) {
    const llm = ctx.services.llm;
    if (!llm) throw new NodeError('this Millrace host has no LLM gateway configured', { permanent: true });
    const request = buildLlmRequest(cfg, nodeScope(ctx, input));
    const call = await llm.call(request, {
      flowId: ctx.flowId,
      signal: ctx.signal,
      onText: (text) => ctx.progress?.(text),
      step: (name, fn) => ctx.step.run(name, fn),
    });
    const tokens = call.usage.totalTokens === null ? 'tokens unknown' : `${call.usage.totalTokens} tokens`;
    ctx.log(`${call.label !== 'live' ? `${call.label} ` : ''}${call.model}: ${tokens}, ${formatCost(call.cost)}, ${Math.round(call.latencyMs)} ms${call.cache.hit ? ' (cache hit)' : ''}`);
    return { text: call.response.text, ...(cfg.output === 'json' ? { data: call.output } : {}), call };
  },
});
