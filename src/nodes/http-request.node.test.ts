import { describe, expect, it } from 'vitest';
import { httpRequest } from './http-request.node';
import { fakeContext, fakeHttp } from './testing';
import { NodeError } from '../shared/services';

const config = (over: Record<string, unknown> = {}) => httpRequest.config.parse({ url: 'https://api.example.com/orders', ...over });

describe('http-request@1', () => {
  it('sends one request through services.http inside step "request" and returns the response', async () => {
    const http = fakeHttp(() => ({ status: 201, headers: { 'content-type': 'application/json' }, body: { id: 9 } }));
    const ctx = fakeContext({ http });
    const out = await httpRequest.execute(ctx, { in: { id: 3 } }, config());
    expect(out.out).toEqual({ status: 201, headers: { 'content-type': 'application/json' }, body: { id: 9 } });
    expect(http.requests).toHaveLength(1);
    expect([...ctx.effects]).toEqual([['request', 1]]);
    expect(ctx.journal.get('request')).toEqual(out.out);
  });

  it('renders url, headers and body from the input', async () => {
    const http = fakeHttp();
    const cfg = config({
      method: 'PUT',
      url: 'https://api.example.com/orders/{{ id }}?c={{ customer.name }}',
      headers: [
        { name: 'X-Customer', value: '{{ customer.name }}' },
        { name: 'content-type', value: 'application/json' },
      ],
      body: '{"total": {{ total }}}',
      timeoutMs: 2500,
    });
    await httpRequest.execute(fakeContext({ http }), { in: { id: 7, total: 12.5, customer: { name: 'Ada' } } }, cfg);
    const req = http.requests[0]!;
    expect(req.method).toBe('PUT');
    expect(req.url).toBe('https://api.example.com/orders/7?c=Ada');
    expect(req.headers['x-customer']).toBe('Ada');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.body).toBe('{"total": 12.5}');
    expect(req.timeoutMs).toBe(2500);
  });

  it('sends the whole input as JSON with the default body', async () => {
    const http = fakeHttp();
    const input = { a: [1, 2], b: 'x' };
    await httpRequest.execute(fakeContext({ http }), { in: input }, config());
    expect(JSON.parse(http.requests[0]!.body!)).toEqual(input);
  });

  it('adds a deterministic idempotency-key header unless the flow sets one', async () => {
    const http = fakeHttp();
    await httpRequest.execute(fakeContext({ http, runId: 'run_1', nodeId: 'notify' }), { in: {} }, config());
    await httpRequest.execute(fakeContext({ http, runId: 'run_1', nodeId: 'notify' }), { in: {} }, config());
    await httpRequest.execute(fakeContext({ http, runId: 'run_2', nodeId: 'notify' }), { in: {} }, config());
    const keys = http.requests.map((r) => r.headers['idempotency-key']);
    expect(keys[0]).toBe(keys[1]);
    expect(keys[0]).toContain('run_1');
    expect(keys[0]).toContain('notify');
    expect(keys[2]).not.toBe(keys[0]);

    const own = config({ headers: [{ name: 'Idempotency-Key', value: 'order-{{ id }}' }] });
    await httpRequest.execute(fakeContext({ http }), { in: { id: 5 } }, own);
    expect(http.requests[3]!.headers['idempotency-key']).toBe('order-5');
  });

  it('run twice with the same journal: the request is sent once', async () => {
    const http = fakeHttp();
    const ctx = fakeContext({ http });
    const first = await httpRequest.execute(ctx, { in: { n: 1 } }, config());
    const second = await httpRequest.execute(ctx, { in: { n: 1 } }, config());
    expect(http.requests).toHaveLength(1);
    expect(ctx.effects.get('request')).toBe(1);
    expect(second).toEqual(first);
  });

  it('accepts and renders a JSON body with nested objects', async () => {
    const body = '{"order": {"id": {{ id }}, "customer": {"name": "{{ name }}"}}}';
    const parsed = httpRequest.config.safeParse({ url: 'https://x.example', body });
    expect(parsed.success).toBe(true);
    const http = fakeHttp();
    await httpRequest.execute(fakeContext({ http }), { in: { id: 7, name: 'Ada' } }, parsed.data!);
    expect(JSON.parse(http.requests[0]!.body!)).toEqual({ order: { id: 7, customer: { name: 'Ada' } } });
  });

  it('sends no body with GET', async () => {
    const http = fakeHttp();
    await httpRequest.execute(fakeContext({ http }), { in: { a: 1 } }, config({ method: 'GET', body: '{{ $json }}' }));
    expect(http.requests[0]!.method).toBe('GET');
    expect('body' in http.requests[0]!).toBe(false);
  });

  it('fails on 4xx/5xx with the status and the body in the message', async () => {
    const http = fakeHttp(() => ({ status: 503, headers: {}, body: 'upstream down' }));
    const error = await httpRequest.execute(fakeContext({ http }), { in: {} }, config()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NodeError);
    expect((error as Error).message).toContain('503');
    expect((error as Error).message).toContain('upstream down');
    expect((error as Error).message).toContain('https://api.example.com/orders');
  });

  it('fails on an error status whose response has no body', async () => {
    const http = fakeHttp(() => ({ status: 500, headers: {}, body: undefined }));
    const error = await httpRequest.execute(fakeContext({ http }), { in: {} }, config()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NodeError);
    expect((error as Error).message).toContain('500');
  });

  it('returns an error status as output when failOnHttpError is off', async () => {
    const http = fakeHttp(() => ({ status: 404, headers: {}, body: { error: 'nope' } }));
    const out = await httpRequest.execute(fakeContext({ http }), { in: {} }, config({ failOnHttpError: false }));
    expect(out.out).toMatchObject({ status: 404, body: { error: 'nope' } });
  });

  it('refuses a rendered URL that is not http(s), naming the url field, before any request', async () => {
    const http = fakeHttp();
    const error = await httpRequest
      .execute(fakeContext({ http }), { in: { target: 'file:///etc/passwd' } }, config({ url: '{{ target }}' }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NodeError);
    expect((error as NodeError).details?.field).toBe('url');
    expect(http.requests).toHaveLength(0);
  });

  it.each([
    [{ url: '' }, 'url'],
    [{ url: 'ftp://example.com' }, 'url'],
    [{ url: 'example.com/x' }, 'url'],
    [{ url: 'https://x/{{ broken' }, 'url'],
    [{ timeoutMs: 99 }, 'timeoutMs'],
    [{ timeoutMs: 300_001 }, 'timeoutMs'],
    [{ timeoutMs: 1000.5 }, 'timeoutMs'],
    [{ method: 'TRACE' }, 'method'],
    [{ headers: [{ name: 'bad header', value: 'x' }] }, 'headers'],
  ])('schema refuses %j (field %s)', (over, field) => {
    const result = httpRequest.config.safeParse({ url: 'https://ok.example', ...over });
    expect(result.success).toBe(false);
    expect(result.error!.issues.every((i) => i.path[0] === field)).toBe(true);
  });

  it('schema accepts a URL that starts with a template', () => {
    expect(httpRequest.config.safeParse({ url: '{{ baseUrl }}/orders' }).success).toBe(true);
  });
});
