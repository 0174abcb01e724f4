import { z } from 'zod';
import { defineNode } from '../shared/node-kit';
import { templateString } from '../shared/config-fields';
import { nodeScope, renderTemplateText } from '../shared/template';
import { NodeError } from '../shared/services';
import { secretRef } from './pg-connection.js';
import { keyField, keyHint, onTestRunField, onTestRunHint, precheckKey, sinkKey, skippedWrite, skipsTestRun, type SinkRecord } from './sink-common.js';
import { bodyText, deliver, type AttemptRecord } from './http-delivery.js';

/**
 * One Slack message per run through an incoming-webhook URL held as a secret. Slack's incoming
 * webhooks cannot dedupe, so the node's effect record (and its "may have been delivered before"
 * flag) is the audit; retries on 429 follow Retry-After.
 */
export const slackSink = defineNode({
  type: 'slack-sink',
  version: 1,
  title: 'Slack message',
  description: 'Post a message (text and optional blocks) to a Slack incoming webhook held as a secret.',
  category: 'sink',
  config: z.object({
    webhookUrl: secretRef.refine((v) => v !== '', 'required: secret:SLACK_WEBHOOK_URL').default('secret:SLACK_WEBHOOK_URL'),
    text: templateString({ required: true }).default('New result: {{ $json }}'),
    /** A JSON array of Block Kit blocks (templated), optional. */
    blocks: templateString().default(''),
    key: keyField(),
    onTestRun: onTestRunField(),
    maxAttempts: z.number().int().min(1).max(20).default(5),
    maxRetryAfterMs: z.number().int().min(0).max(3_600_000).default(60_000),
  }),
  inputs: { in: { type: 'any' } },
  outputs: { out: { type: 'object', label: 'sent' } },
  ui: {
    webhookUrl: { label: 'Incoming webhook URL', placeholder: 'secret:SLACK_WEBHOOK_URL', help: 'Kept in the secrets store; never in the flow.' },
    text: { widget: 'template', label: 'Text', rows: 3 },
    blocks: { widget: 'template', label: 'Blocks (JSON array, optional)', rows: 5 },
    key: keyHint,
    onTestRun: onTestRunHint,
    maxAttempts: { widget: 'number', label: 'Attempts' },
    maxRetryAfterMs: { widget: 'number', label: 'Longest Retry-After to honour (ms)' },
  },
  effectLint: () =>
    'posts to Slack, whose incoming webhooks cannot dedupe: a retry after a crash may post the message twice. If a duplicate is not acceptable, send through the Webhook sink to a receiver that dedupes on Idempotency-Key.',
  summary: (cfg) => `Slack ← ${cfg.text.slice(0, 40)}`,
  async execute(ctx, { in: input }, cfg) {
    const scope = nodeScope(ctx, input);
    const text = renderTemplateText(cfg.text, scope);
    let blocks: unknown[] | undefined;
    if (cfg.blocks.trim() !== '') {
      const rendered = renderTemplateText(cfg.blocks, scope);
      let parsed: unknown;
      try {
        parsed = JSON.parse(rendered);
      } catch (e) {
        throw new NodeError(`blocks are not valid JSON (${(e as Error).message})`, { field: 'blocks', permanent: true });
      }
      if (!Array.isArray(parsed)) throw new NodeError('blocks must be a JSON array', { field: 'blocks', permanent: true });
      blocks = parsed;
    }
    precheckKey(ctx, input, cfg.key);
    if (!ctx.services.secrets) throw new NodeError('this host has no secrets store', { permanent: true });
    const url = await ctx.services.secrets.resolveSecretRef(cfg.webhookUrl);
    if (!/^https?:\/\//i.test(url)) throw new NodeError(`${cfg.webhookUrl} does not hold an http(s) URL`, { field: 'webhookUrl', permanent: true });
    const body = JSON.stringify({ text, ...(blocks ? { blocks } : {}) });
    const label = `Slack (${cfg.webhookUrl})`;
    if (skipsTestRun(ctx, cfg)) return skippedWrite(ctx, `slack:${cfg.webhookUrl}`, { text, ...(blocks ? { blocks } : {}) });
    const out = await ctx.step.effect('post', async (info): Promise<SinkRecord & { status: number; response: string; attempts: AttemptRecord[] }> => {
      const key = sinkKey(ctx, input, cfg.key, info);
      const { response, attempts } = await deliver(ctx.services.http, {
        maxAttempts: cfg.maxAttempts,
        baseDelayMs: 500,
        maxDelayMs: 30_000,
        maxRetryAfterMs: cfg.maxRetryAfterMs,
        signal: ctx.signal,
        now: () => ctx.services.clock.now(),
        // The URL is a secret: messages name the reference, never the URL.
        label,
        request: async () => ({ method: 'POST', url, headers: { 'content-type': 'application/json' }, body, timeoutMs: 10_000 }),
      }).catch((e: unknown) => {
        throw e instanceof NodeError ? new NodeError(e.message.split(url).join(cfg.webhookUrl), e.details) : e;
      });
      return {
        idempotencyKey: key,
        target: `slack:${cfg.webhookUrl}`,
        answer: `${response.status} ${bodyText(response.body, 100)}`,
        applied: true,
        mayHaveRunBefore: info.mayHaveRunBefore,
        status: response.status,
        response: bodyText(response.body),
        attempts,
      };
    });
    return { out };
  },
  exportCode: (_cfg, { varName, inputs }) => `const ${varName}: unknown = ((_input: unknown) => { throw new Error('the Slack sink is not exported to code yet'); })(${inputs['in']});`,
});
