/**
 * A fake LLM provider on 127.0.0.1 for tests and benchmarks: answers OpenAI chat completions
 * (`POST …/chat/completions`) and Anthropic messages (`POST …/messages`), plain or as SSE streams
 * (whatever the request asks for), in the wire formats the real SDKs parse.
 *
 * Scriptable per request: `enqueue(...)` queues behaviours, each request takes the next one; an
 * empty queue answers normally with `defaultText`. A connect timeout cannot be produced on loopback
 * (the kernel accepts at once), so `hang` (no first byte) and `drop` (connection reset) stand in.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type FakeBehaviour =
  /** A normal answer; `finishReason: 'length'` is a truncated one. */
  | { kind: 'reply'; text?: string; finishReason?: 'stop' | 'length'; usage?: { input: number; output: number }; delayMs?: number; chunkDelayMs?: number; chunks?: number }
  /** An error status (429, 500, 503, 529, 401…), with an optional Retry-After (seconds) or retry-after-ms. */
  | { kind: 'status'; status: number; retryAfter?: string; retryAfterMs?: number; message?: string }
  /** Accepts the request and never answers. */
  | { kind: 'hang' }
  /** Closes the connection without answering. */
  | { kind: 'drop' }
  /** Streams `afterChunks` chunks of `text`, then cuts the connection. */
  | { kind: 'cut'; text: string; afterChunks: number }
  /** Streams `afterChunks` chunks of `text`, then sends nothing more and keeps the connection open. */
  | { kind: 'stall'; text: string; afterChunks: number }
  /** 200 with a body that is not JSON. */
  | { kind: 'garbage' }
  /** The model refuses (OpenAI `message.refusal`, Anthropic `stop_reason: "refusal"`). */
  | { kind: 'refusal'; text?: string }
  /** A reply whose content is `bytes` long. */
  | { kind: 'huge'; bytes: number }
  /** An error whose body quotes the credentials it received, like a careless proxy (for leak tests). */
  | { kind: 'echo-auth'; status?: number };

export interface FakeRequest {
  api: 'openai' | 'anthropic';
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
  at: number;
}

export interface FakeLlmProvider {
  /** e.g. http://127.0.0.1:PORT/v1 — the OpenAI base URL. Anthropic's SDK takes `origin`. */
  readonly baseUrl: string;
  readonly origin: string;
  readonly requests: FakeRequest[];
  defaultText: string;
  enqueue(...behaviours: FakeBehaviour[]): void;
  /** Requests that have reached the server, hanging ones included. */
  count(): number;
  reset(): void;
  close(): Promise<void>;
}

export async function startFakeLlmProvider(options: { defaultText?: string } = {}): Promise<FakeLlmProvider> {
  const queue: FakeBehaviour[] = [];
  const requests: FakeRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let served = 0;

  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: Record<string, unknown> = {};
      try {
        const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
        if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) body = Object.fromEntries(Object.entries(parsed));
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":{"message":"request body is not JSON"}}');
        return;
      }
      const api = req.url?.endsWith('/messages') ? 'anthropic' : req.url?.endsWith('/chat/completions') ? 'openai' : null;
      if (req.method !== 'POST' || api === null) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
        return;
      }
      served++;
      requests.push({ api, path: req.url ?? '', headers: req.headers, body, at: Date.now() });
      const behaviour = queue.shift() ?? { kind: 'reply' };
      respond(api, body, behaviour, req, res);
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.keepAliveTimeout = 30_000;

  const fake: FakeLlmProvider = {
    baseUrl: '',
    origin: '',
    requests,
    defaultText: options.defaultText ?? 'Hello from the fake provider.',
    enqueue: (...b) => void queue.push(...b),
    count: () => served,
    reset() {
      queue.length = 0;
      requests.length = 0;
      served = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };

  function respond(api: 'openai' | 'anthropic', body: Record<string, unknown>, b: FakeBehaviour, req: http.IncomingMessage, res: http.ServerResponse) {
    const model = typeof body['model'] === 'string' ? body['model'] : 'fake-model';
    const stream = body['stream'] === true;
    switch (b.kind) {
      case 'reply': {
        const text = b.text ?? fake.defaultText;
        const usage = b.usage ?? { input: 12, output: Math.max(1, Math.ceil(text.length / 4)) };
        const send = () =>
          stream
            ? streamText(api, res, model, text, { finish: b.finishReason ?? 'stop', usage, chunks: b.chunks ?? 3, chunkDelayMs: b.chunkDelayMs ?? 0 })
            : sendJson(res, 200, complete(api, model, text, b.finishReason ?? 'stop', usage));
        if (b.delayMs) later(b.delayMs, send);
        else send();
        return;
      }
      case 'status': {
        const headers: Record<string, string> = {};
        if (b.retryAfter !== undefined) headers['retry-after'] = b.retryAfter;
        if (b.retryAfterMs !== undefined) headers['retry-after-ms'] = String(b.retryAfterMs);
        return sendJson(res, b.status, errorBody(api, b.status, b.message ?? `fake error ${b.status}`), headers);
      }
      case 'hang':
        return;
      case 'drop':
        return req.socket.destroy();
      case 'cut':
      case 'stall': {
        const parts = split(b.text, Math.max(b.afterChunks + 1, 2));
        streamText(api, res, model, b.text, { finish: 'stop', usage: { input: 12, output: 5 }, chunks: parts.length, chunkDelayMs: 0, stopAfter: b.afterChunks, cut: b.kind === 'cut' });
        return;
      }
      case 'garbage':
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"id": "x", "choices": [ this is not json');
        return;
      case 'refusal':
        if (stream) return streamRefusal(api, res, model, b.text ?? 'I cannot help with that.');
        return sendJson(res, 200, refusal(api, model, b.text ?? 'I cannot help with that.'));
      case 'huge':
        return sendJson(res, 200, complete(api, model, 'x'.repeat(b.bytes), 'stop', { input: 12, output: Math.ceil(b.bytes / 4) }));
      case 'echo-auth': {
        const credentials = `${req.headers['authorization'] ?? ''} ${req.headers['x-api-key'] ?? ''}`.trim();
        return sendJson(res, b.status ?? 401, errorBody(api, b.status ?? 401, `invalid credentials: ${credentials}`));
      }
    }
  }

  function streamText(
    api: 'openai' | 'anthropic',
    res: http.ServerResponse,
    model: string,
    text: string,
    o: { finish: 'stop' | 'length'; usage: { input: number; output: number }; chunks: number; chunkDelayMs: number; stopAfter?: number; cut?: boolean },
  ) {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const parts = split(text, o.chunks);
    const events: string[] = [];
    if (api === 'openai') {
      const chunk = (delta: object, finish: string | null) =>
        sse(null, { id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 0, model, choices: [{ index: 0, delta, finish_reason: finish }] });
      parts.forEach((p, i) => events.push(chunk(i === 0 ? { role: 'assistant', content: p } : { content: p }, null)));
      events.push(chunk({}, o.finish));
      events.push(sse(null, { id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 0, model, choices: [], usage: openaiUsage(o.usage) }));
      events.push('data: [DONE]\n\n');
    } else {
      events.push(sse('message_start', { type: 'message_start', message: { id: 'msg_fake', type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: o.usage.input, output_tokens: 1 } } }));
      events.push(sse('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }));
      for (const p of parts) events.push(sse('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: p } }));
      events.push(sse('content_block_stop', { type: 'content_block_stop', index: 0 }));
      events.push(sse('message_delta', { type: 'message_delta', delta: { stop_reason: o.finish === 'length' ? 'max_tokens' : 'end_turn', stop_sequence: null }, usage: { output_tokens: o.usage.output } }));
      events.push(sse('message_stop', { type: 'message_stop' }));
    }
    // Anthropic streams open with two framing events before the first text chunk.
    const firstText = api === 'openai' ? 0 : 2;
    const limit = o.stopAfter === undefined ? events.length : firstText + o.stopAfter;
    let i = 0;
    const next = () => {
      if (res.destroyed) return;
      if (i >= limit) {
        // The cut comes a moment after the data, as on a real network: the client has seen the chunks.
        if (o.cut) later(20, () => res.socket?.destroy());
        else if (o.stopAfter === undefined) res.end();
        return; // a stall: keep the connection open, send nothing
      }
      res.write(events[i++]);
      if (o.chunkDelayMs > 0) later(o.chunkDelayMs, next);
      else next();
    };
    next();
  }

  function streamRefusal(api: 'openai' | 'anthropic', res: http.ServerResponse, model: string, text: string) {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    if (api === 'openai') {
      res.write(sse(null, { id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 0, model, choices: [{ index: 0, delta: { role: 'assistant', refusal: text }, finish_reason: null }] }));
      res.write(sse(null, { id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 0, model, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }));
      res.end('data: [DONE]\n\n');
      return;
    }
    res.write(sse('message_start', { type: 'message_start', message: { id: 'msg_fake', type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 12, output_tokens: 1 } } }));
    res.write(sse('message_delta', { type: 'message_delta', delta: { stop_reason: 'refusal', stop_sequence: null }, usage: { output_tokens: 1 } }));
    res.end(sse('message_stop', { type: 'message_stop' }));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(fake, { baseUrl: `http://127.0.0.1:${port}/v1`, origin: `http://127.0.0.1:${port}` });
}

function split(text: string, n: number): string[] {
  if (text.length === 0) return [''];
  const size = Math.max(1, Math.ceil(text.length / n));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

const sse = (event: string | null, data: object) => `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`;

function sendJson(res: http.ServerResponse, status: number, body: object, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

const openaiUsage = (u: { input: number; output: number }) => ({ prompt_tokens: u.input, completion_tokens: u.output, total_tokens: u.input + u.output });

function complete(api: 'openai' | 'anthropic', model: string, text: string, finish: 'stop' | 'length', usage: { input: number; output: number }): object {
  if (api === 'openai') {
    return {
      id: 'chatcmpl-fake',
      object: 'chat.completion',
      created: 0,
      model,
      choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null }, finish_reason: finish }],
      usage: openaiUsage(usage),
    };
  }
  return {
    id: 'msg_fake',
    type: 'message',
    role: 'assistant',
    model,
    content: [{ type: 'text', text }],
    stop_reason: finish === 'length' ? 'max_tokens' : 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: usage.input, output_tokens: usage.output },
  };
}

function refusal(api: 'openai' | 'anthropic', model: string, text: string): object {
  if (api === 'openai') {
    return {
      id: 'chatcmpl-fake',
      object: 'chat.completion',
      created: 0,
      model,
      choices: [{ index: 0, message: { role: 'assistant', content: null, refusal: text }, finish_reason: 'stop' }],
      usage: openaiUsage({ input: 12, output: 3 }),
    };
  }
  return { id: 'msg_fake', type: 'message', role: 'assistant', model, content: [], stop_reason: 'refusal', stop_sequence: null, usage: { input_tokens: 12, output_tokens: 1 } };
}

function errorBody(api: 'openai' | 'anthropic', status: number, message: string): object {
  if (api === 'openai') return { error: { message, type: status === 429 ? 'rate_limit_exceeded' : 'server_error', code: null } };
  const type = status === 529 ? 'overloaded_error' : status === 429 ? 'rate_limit_error' : status === 401 ? 'authentication_error' : 'api_error';
  return { type: 'error', error: { type, message } };
}
