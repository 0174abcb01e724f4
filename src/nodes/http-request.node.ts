import { z } from 'zod';
import { defineNode } from '../shared/node-kit';
import { templateString } from '../shared/config-fields';
import { nodeScope, renderFieldText } from '../shared/template';
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
    body: {
      widget: 'template',
      label: 'Body',
      rows: 5,
      help: 'JSON when the content-type header says json: {{ x }} then inserts a JSON value (strings quoted, objects serialised) and the body must be valid JSON. {{ $json }} is the whole input. Ignored for GET.',
      templateMode: (cfg) => bodyMode(cfg['headers']),
    },
    timeoutMs: { widget: 'number', label: 'Timeout (ms)' },
    failOnHttpError: { widget: 'switch', label: 'Fail on 4xx/5xx' },
  },
  summary: (cfg) => `${cfg.method} ${cfg.url}`,
  effectLint: (cfg) =>
    ['POST', 'PATCH'].includes(cfg.method) && cfg.headers.some((h) => h.name.toLowerCase() === 'idempotency-key' && h.value.trim() === '')
      ? `sends a ${cfg.method} with an empty Idempotency-Key header, so the server cannot recognise a repeat after a crash or retry. Remove that header (the node then sends a stable key) or use the Webhook sink.`
      : null,
  async execute(ctx, { in: input }, cfg) {
    const scope = nodeScope(ctx, input);
    const url = renderFieldText(cfg.url, scope, 'url');
    if (!/^https?:\/\//i.test(url)) throw new NodeError(`URL "${url}" must start with http:// or https://`, { field: 'url' });
    const headers: Record<string, string> = {};
    for (const h of cfg.headers) headers[h.name.toLowerCase()] = renderFieldText(h.value, scope, 'headers');
    headers['idempotency-key'] ??= ctx.step.idempotencyKey('request');
    const body = cfg.method === 'GET' ? undefined : renderFieldText(cfg.body, scope, 'body', bodyMode(cfg.headers));
    if (body !== undefined && bodyMode(cfg.headers) === 'json' && body.trim() !== '') {
      try {
        JSON.parse(body);
      } catch (e) {
        throw new NodeError(`body: not valid JSON after filling in the references (${(e as Error).message}): ${body.slice(0, 200)}`, { field: 'body', permanent: true });
      }
    }
    const send = async () => {
      const response = await ctx.services.http.request({ method: cfg.method, url, headers, ...(body !== undefined ? { body } : {}), timeoutMs: cfg.timeoutMs, signal: ctx.signal });
      // Thrown inside the step, so an error answer is never journaled as the step's result: a retry
      // sends the request again (same Idempotency-Key) instead of replaying the 503.
      if (cfg.failOnHttpError && response.status >= 400) {
        // JSON.stringify(undefined) is undefined: a bodiless error response must still fail with its status.
        const detail = (typeof response.body === 'string' ? response.body : (JSON.stringify(response.body) ?? '')).slice(0, 300);
        throw new NodeError(`${cfg.method} ${url} answered ${response.status}: ${detail}`, { permanent: !RETRYABLE_STATUS(response.status) });
      }
      return response;
    };
    // A GET changes nothing: memoise it. Anything else is an effect: durable "started" marker first,
    // the same Idempotency-Key if it has to be sent again after a crash.
    const response = cfg.method === 'GET' ? await ctx.step.run('request', send) : await ctx.step.effect('request', send);
    return { out: response };
  },
});


/** 408, 425, 429 and 5xx may succeed when sent again; any other 4xx will not (a retry cannot fix the request). */
const RETRYABLE_STATUS = (status: number) => status >= 500 || status === 408 || status === 425 || status === 429;

/** The body is JSON (and `{{ }}` inserts JSON values) when the content-type header says so. */
export function bodyMode(headers: unknown): 'json' | 'text' {
  if (!Array.isArray(headers)) return 'text';
  const ct = headers.find((h: unknown) => typeof h === 'object' && h !== null && String((h as { name?: unknown }).name).toLowerCase() === 'content-type') as
    | { value?: unknown }
    | undefined;
  return typeof ct?.value === 'string' && /json/i.test(ct.value) ? 'json' : 'text';
}
