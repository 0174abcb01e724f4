import { z } from 'zod';
import { defineNode } from '../shared/node-kit';
import { templateString } from '../shared/config-fields';
import { nodeScope, renderTemplateText } from '../shared/template';
import { NodeError } from '../shared/services';
import { signWebhook, webhookSecretBytes } from '../shared/standard-webhooks';
import { secretRef } from './pg-connection.js';
import { keyField, keyHint, onTestRunField, onTestRunHint, precheckKey, sinkKey, skippedWrite, skipsTestRun, type SinkRecord } from './sink-common.js';
import { bodyText, deliver, safeHeaderValue, type AttemptRecord } from './http-delivery.js';

const headerName = z.string().min(1, 'header name required').max(200).regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'not a valid header name');
const RESERVED = new Set(['idempotency-key', 'webhook-id', 'webhook-timestamp', 'webhook-signature', 'content-length', 'host']);

/**
 * POST/PUT one JSON body per run. The `Idempotency-Key` and `webhook-id` headers carry the
 * effect's stable key, so a delivery repeated after a crash or a retry is recognisable by the
 * receiver; the body is signed by the Standard Webhooks scheme when a signing secret is set.
 */
export const webhookSink = defineNode({
  type: 'webhook-sink',
  version: 1,
  title: 'Webhook',
  description: 'POST/PUT JSON to a URL with an Idempotency-Key, signed (Standard Webhooks), retried on 429/5xx/network errors.',
  category: 'sink',
  config: z.object({
    url: templateString({ required: true })
      .default('http://127.0.0.1:8080/hook')
      .refine((u) => /^https?:\/\//i.test(u) || u.startsWith('{{'), 'must start with http:// or https://'),
    method: z.enum(['POST', 'PUT']).default('POST'),
    headers: z
      .array(z.object({ name: headerName.refine((n) => !RESERVED.has(n.toLowerCase()), 'set by the node'), value: templateString() }))
      .max(50)
      .default([]),
    body: templateString().default('{{ $json }}'),
    signingSecret: secretRef.default(''),
    key: keyField(),
    onTestRun: onTestRunField(),
    maxAttempts: z.number().int().min(1).max(20).default(5),
    timeoutMs: z.number().int().min(100).max(300_000).default(10_000),
    maxRetryAfterMs: z.number().int().min(0).max(3_600_000).default(60_000),
  }),
  inputs: { in: { type: 'any' } },
  outputs: { out: { type: 'object', label: 'delivered' } },
  ui: {
    url: { widget: 'template', label: 'URL' },
    method: { widget: 'select', label: 'Method' },
    headers: { widget: 'key-value', label: 'Headers', help: 'Idempotency-Key and webhook-* headers are set by the node.' },
    body: { widget: 'template', label: 'Body (JSON)', rows: 5, help: '{{ $json }} is the whole input. Must render to valid JSON.' },
    signingSecret: { label: 'Signing secret', placeholder: 'secret:WEBHOOK_SECRET (whsec_…)', help: 'Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature.' },
    key: keyHint,
    onTestRun: onTestRunHint,
    maxAttempts: { widget: 'number', label: 'Attempts' },
    timeoutMs: { widget: 'number', label: 'Timeout per attempt (ms)' },
    maxRetryAfterMs: { widget: 'number', label: 'Longest Retry-After to honour (ms)' },
  },
  summary: (cfg) => `${cfg.method} ${cfg.url}`,
  async execute(ctx, { in: input }, cfg) {
    const scope = nodeScope(ctx, input);
    const url = renderTemplateText(cfg.url, scope);
    if (!/^https?:\/\//i.test(url)) throw new NodeError(`URL "${url}" must start with http:// or https://`, { field: 'url', permanent: true });
    const body = renderTemplateText(cfg.body, scope);
    try {
      JSON.parse(body);
    } catch (e) {
      throw new NodeError(`the body is not valid JSON (${(e as Error).message}); use {{ $json }} or a template that renders JSON`, { field: 'body', permanent: true });
    }
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    for (const h of cfg.headers) headers[h.name.toLowerCase()] = safeHeaderValue(h.name, renderTemplateText(h.value, scope));
    precheckKey(ctx, input, cfg.key);
    let secret: string | null = null;
    if (cfg.signingSecret !== '') {
      if (!ctx.services.secrets) throw new NodeError('this host has no secrets store', { permanent: true });
      secret = await ctx.services.secrets.resolveSecretRef(cfg.signingSecret);
      try {
        webhookSecretBytes(secret);
      } catch (e) {
        throw new NodeError(`${cfg.signingSecret}: ${(e as Error).message}`, { field: 'signingSecret', permanent: true });
      }
    }
    if (skipsTestRun(ctx, cfg)) return skippedWrite(ctx, `webhook:${cfg.method} ${url}`, { method: cfg.method, url, headers, body: JSON.parse(body) as unknown });
    const out = await ctx.step.effect('deliver', async (info): Promise<SinkRecord & { status: number; response: string; attempts: AttemptRecord[]; webhookId: string }> => {
      const key = sinkKey(ctx, input, cfg.key, info);
      // webhook-id must be header-safe; the key may hold anything the user mapped.
      const webhookId = safeHeaderValue('webhook-id', key);
      const { response, attempts } = await deliver(ctx.services.http, {
        maxAttempts: cfg.maxAttempts,
        baseDelayMs: 500,
        maxDelayMs: 30_000,
        maxRetryAfterMs: cfg.maxRetryAfterMs,
        signal: ctx.signal,
        now: () => ctx.services.clock.now(),
        label: `${cfg.method} ${url}`,
        async request() {
          const h: Record<string, string> = { ...headers, 'idempotency-key': webhookId };
          if (secret !== null) {
            const ts = Math.floor(ctx.services.clock.now() / 1000);
            Object.assign(h, { 'webhook-id': webhookId, 'webhook-timestamp': String(ts), 'webhook-signature': await signWebhook(secret, webhookId, ts, body) });
          }
          return { method: cfg.method, url, headers: h, body, timeoutMs: cfg.timeoutMs };
        },
      });
      return {
        idempotencyKey: key,
        target: `webhook:${cfg.method} ${url}`,
        answer: `${response.status} after ${attempts.length} attempt(s)`,
        applied: true,
        mayHaveRunBefore: info.mayHaveRunBefore,
        status: response.status,
        response: bodyText(response.body),
        attempts,
        webhookId,
      };
    });
    return { out };
  },
  exportCode: (cfg, { varName, inputs }) => `const ${varName}: unknown = ((_input: unknown) => { throw new Error(${JSON.stringify(`the webhook sink (${cfg.url}) is not exported to code yet`)}); })(${inputs['in']});`,
});
