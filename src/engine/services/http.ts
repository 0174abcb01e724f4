/**
 * HttpService on node:http/https with keep-alive agents (several times cheaper per request than
 * global fetch, see ENVIRONMENT.md), a timeout covering the whole exchange and a response size cap.
 */
import http from 'node:http';
import https from 'node:https';
import type { HttpRequest, HttpResponse, HttpService } from '../../shared/services';
import { NodeError } from '../../shared/services';

export const MAX_RESPONSE_BYTES = 10 * 1024 * 1024;

export function createHttpService(): HttpService & { close(): void } {
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: 64 }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: 64 }),
  };
  return {
    request: (req) => send(req, agents),
    close() {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}

function send(req: HttpRequest, agents: { 'http:': http.Agent; 'https:': https.Agent }): Promise<HttpResponse> {
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    return Promise.reject(new NodeError(`"${req.url}" is not a valid URL`, { field: 'url' }));
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return Promise.reject(new NodeError(`unsupported protocol ${url.protocol}`, { field: 'url' }));
  }
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise<HttpResponse>((resolve, reject) => {
    const headers: Record<string, string> = { ...req.headers };
    if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
    const r = lib.request(url, { method: req.method, headers, agent: agents[url.protocol as 'http:' | 'https:'] }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_RESPONSE_BYTES) {
          r.destroy(new NodeError(`${req.method} ${req.url}: response larger than ${MAX_RESPONSE_BYTES / 1024 / 1024} MB`));
          return;
        }
        chunks.push(c);
      });
      res.on('end', () => {
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString('utf8');
        const responseHeaders: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) responseHeaders[k] = Array.isArray(v) ? v.join(', ') : v;
        resolve({ status: res.statusCode ?? 0, headers: responseHeaders, body: parseBody(text, responseHeaders['content-type']) });
      });
      res.on('error', fail);
    });
    const timer = setTimeout(
      () => r.destroy(new NodeError(`${req.method} ${req.url}: no complete response within ${req.timeoutMs} ms`)),
      req.timeoutMs,
    );
    function fail(e: Error) {
      clearTimeout(timer);
      reject(e instanceof NodeError ? e : new NodeError(`${req.method} ${req.url} failed: ${describe(e)}`));
    }
    r.on('error', fail);
    const onAbort = () => r.destroy(new NodeError(`${req.method} ${req.url}: cancelled`));
    req.signal?.addEventListener('abort', onAbort, { once: true });
    r.on('close', () => req.signal?.removeEventListener('abort', onAbort));
    if (req.body !== undefined) r.write(req.body);
    r.end();
  });
}

function parseBody(text: string, contentType: string | undefined): unknown {
  if (contentType && /[/+]json\b/i.test(contentType)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

function describe(e: Error & { code?: string }): string {
  switch (e.code) {
    case 'ECONNREFUSED':
      return 'connection refused (is the server running?)';
    case 'ENOTFOUND':
      return 'host not found';
    case 'ECONNRESET':
      return 'connection reset by the server';
    default:
      return e.message;
  }
}
