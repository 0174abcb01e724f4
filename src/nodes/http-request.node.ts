import { z } from 'zod';
import { defineNode } from '../shared/node-kit';
import { templateString } from '../shared/config-fields';
import { renderTemplateText, withJson } from '../shared/template';
import { NodeError } from '../shared/services';

const headerName = z.string().min(1, 'header name required').max(200).regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'not a valid header name');

/** Real HTTP with templated method, URL, headers and body. Runs as one journaled step. */
export const httpRequest = defineNode({
  type: 'http-request',
  version: 1,
  title: 'HTTP request',
  description: 'Call an HTTP API. URL, headers and body can use {{ path }} templates.',
  category: 'action',
  config: z.object({
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('POST'),
    url: templateString({ required: true })
      .default('http://127.0.0.1:8080/hook')
      .refine((u) => /^https?:\/\//i.test(u) || u.startsWith('{{'), 'must start with http:// or https://'),
    headers: z.array(z.object({ name: headerName, value: templateString() })).max(50).default([{ name: 'content-type', value: 'application/json' }]),
    body: templateString().default('{{ $json }}'),
    timeoutMs: z.number().int().min(100, 'at least 100 ms').max(300_000, 'at most 5 minutes').default(10_000),
    failOnHttpError: z.boolean().default(true),
  }),
  inputs: { in: { type: 'any' } },
  outputs: { out: { type: 'object', label: 'response' } },
  ui: {
    method: { widget: 'select', label: 'Method' },
    url: { widget: 'template', label: 'URL', placeholder: 'https://api.example.com/items/{{ id }}' },
    headers: { widget: 'key-value', label: 'Headers' },
    body: { widget: 'template', label: 'Body', rows: 5, help: '{{ $json }} is the whole input as JSON. Ignored for GET.' },
    timeoutMs: { widget: 'number', label: 'Timeout (ms)' },
    failOnHttpError: { widget: 'switch', label: 'Fail on 4xx/5xx' },
  },
  summary: (cfg) => `${cfg.method} ${cfg.url}`,
  async execute(ctx, { in: input }, cfg) {
    const scope = withJson(input);
    const url = renderTemplateText(cfg.url, scope);
    if (!/^https?:\/\//i.test(url)) throw new NodeError(`URL "${url}" must start with http:// or https://`, { field: 'url' });
    const headers: Record<string, string> = {};
    for (const h of cfg.headers) headers[h.name.toLowerCase()] = renderTemplateText(h.value, scope);
    headers['idempotency-key'] ??= ctx.step.idempotencyKey('request');
    const body = cfg.method === 'GET' ? undefined : renderTemplateText(cfg.body, scope);
    const response = await ctx.step.run('request', () =>
      ctx.services.http.request({ method: cfg.method, url, headers, ...(body !== undefined ? { body } : {}), timeoutMs: cfg.timeoutMs, signal: ctx.signal }),
    );
    if (cfg.failOnHttpError && response.status >= 400) {
      // JSON.stringify(undefined) is undefined: a bodiless error response must still fail with its status.
      const detail = (typeof response.body === 'string' ? response.body : (JSON.stringify(response.body) ?? '')).slice(0, 300);
      throw new NodeError(`${cfg.method} ${url} answered ${response.status}: ${detail}`);
    }
    return { out: response };
  },
});

