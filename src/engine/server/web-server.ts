/**
 * Web mode: serves the renderer bundle and the engine API (rpc over WebSocket) on 127.0.0.1.
 * Every WebSocket needs the token; browsers must come from our own Origin; every request must
 * carry our own Host (defeats DNS rebinding). Static files are public (they hold no data).
 */
import http from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { EngineApi } from '../../shared/api';
import { serveEngineApi } from '../../shared/rpc/server';
import { wsRpcPort, wsRpcPortWithoutErrorHandler } from './ws-port';
import type { Approvals } from '../approvals/approvals';
import { handleApprovalPage } from './approval-pages';
import { contentSecurityPolicy, isAllowedHost, isAllowedOrigin, newToken, tokenMatches } from './security';
import { MAX_WS_MESSAGE_BYTES } from '../../shared/limits';

export interface WebServerOptions {
  engine: EngineApi;
  /** Built renderer (vite outDir). */
  rendererDir: string;
  port?: number;
  token?: string;
  log?: (line: string) => void;
  /** Bytes queued per connection before its events are dropped for a resync (default MAX_OUTBOUND_BUFFER_BYTES). */
  maxOutboundBytes?: number;
  /**
   * Tests only: serve without the socket error handlers, to prove the malformed-frame test
   * catches their absence (the process must die). Never set outside that test.
   */
  withoutErrorHandlersForTests?: boolean;
  /** Serves decision links (`/approve/<token>`, src/engine/server/approval-pages.ts). */
  approvals?: Approvals;
}

export interface WebServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const token = options.token ?? newToken();
  const log = options.log ?? (() => {});
  const root = resolve(options.rendererDir);
  let port = 0;

  const server = http.createServer((req, res) => {
    void handleHttp(req, res).catch((e: unknown) => {
      log(`http error: ${String(e)}`);
      if (!res.headersSent) res.writeHead(500).end('internal error');
    });
  });

  async function handleHttp(req: http.IncomingMessage, res: http.ServerResponse) {
    if (!isAllowedHost(req.headers.host, port)) return void res.writeHead(421, { 'content-type': 'text/plain' }).end('wrong host');
    if (options.approvals && req.url?.startsWith('/approve/')) return handleApprovalPage(req, res, options.approvals, port);
    if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405).end();
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/healthz') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    // A browser cannot read why a WebSocket upgrade was refused; after a refusal the page asks
    // here, so a stale tab says "wrong token" at once instead of "cannot reach the engine".
    if (url.pathname === '/api/token-check') {
      const given = req.headers['x-millrace-token'];
      const ok = tokenMatches(typeof given === 'string' ? given : null, token);
      return void res.writeHead(ok ? 204 : 401, { 'cache-control': 'no-store' }).end();
    }
    let rel: string;
    try {
      rel = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname.slice(1));
    } catch {
      return void res.writeHead(400, { 'content-type': 'text/plain' }).end('malformed %-escape in the URL');
    }
    const file = normalize(join(root, rel));
    if (file !== root && !file.startsWith(root + sep)) return void res.writeHead(404).end();
    const info = await stat(file).catch(() => null);
    const target = info?.isFile() ? file : join(root, 'index.html');
    const body = await readFile(target).catch(() => null);
    if (!body) {
      return void res
        .writeHead(503, { 'content-type': 'text/plain; charset=utf-8' })
        .end('The Millrace UI is not built. Run `npm run build:renderer` (or `npm start`).');
    }
    res.writeHead(200, {
      'content-type': MIME[extname(target)] ?? 'application/octet-stream',
      'content-security-policy': contentSecurityPolicy(port),
      'x-content-type-options': 'nosniff',
      // The token travels in the page URL: never leak it through a Referer header.
      'referrer-policy': 'no-referrer',
      'cache-control': target.endsWith('index.html') ? 'no-store' : 'public, max-age=3600',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  // maxPayload: a frame header announcing more is refused (close 1009) before anything is buffered.
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_WS_MESSAGE_BYTES });
  const handlers = !options.withoutErrorHandlersForTests;
  if (handlers) {
    // Every emitter that can report a client's fault gets a listener: an unhandled 'error' ends the process.
    wss.on('error', (e) => log(`websocket server error: ${e.message}`));
    wss.on('wsClientError', (e, socket) => {
      log(`bad websocket handshake: ${e.message}`);
      socket.destroy();
    });
    server.on('clientError', (e: Error, socket) => {
      log(`bad http request: ${e.message}`);
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      else socket.destroy();
    });
  }
  server.on('upgrade', (req, socket, head) => {
    if (handlers) socket.on('error', (e) => log(`websocket connection error: ${e.message}`));
    const url = new URL(req.url ?? '/', 'http://localhost');
    const refuse = (status: number, why: string) => {
      log(`refused websocket: ${why}`);
      socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (url.pathname !== '/api/ws') return refuse(404, `path ${url.pathname}`);
    if (!isAllowedHost(req.headers.host, port)) return refuse(421, `host ${req.headers.host}`);
    if (!isAllowedOrigin(req.headers.origin, port)) return refuse(403, `origin ${req.headers.origin}`);
    if (!tokenMatches(url.searchParams.get('token'), token)) return refuse(401, 'missing or wrong token');
    wss.handleUpgrade(req, socket, head, (ws) => {
      // A bad frame closes this connection only (ws picks the close code); other clients go on.
      const port = handlers ? wsRpcPort(ws, (e) => log(`closed a websocket after a protocol error: ${e.message}`)) : wsRpcPortWithoutErrorHandler(ws);
      serveEngineApi(options.engine, port, {
        onInternalError: (e, m) => log(`${m} failed: ${e instanceof Error ? e.stack : String(e)}`),
        onClientProblem: (m) => log(m),
        ...(options.maxOutboundBytes === undefined ? {} : { maxOutboundBytes: options.maxOutboundBytes }),
      });
    });
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolveListen());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    async close() {
      for (const c of wss.clients) c.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
