/**
 * A deterministic HTTP server on 127.0.0.1 for the export tests: echoes what it received (never
 * the idempotency key, which holds the run id), answers `/flaky` only after 5 s the first time per
 * idempotency key (a node timeout then retries it: an unfinished step is sent again), and
 * answers `/status/N` with status N. No Date header, so two runs see byte-equal responses.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EchoServer {
  origin: string;
  requests: { method: string; path: string; idempotencyKey: string | null }[];
  close(): Promise<void>;
}

export async function startEchoServer(): Promise<EchoServer> {
  const seen = new Map<string, number>();
  const requests: EchoServer['requests'] = [];
  const server = http.createServer((req, res) => {
    res.sendDate = false;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      const key = typeof req.headers['idempotency-key'] === 'string' ? req.headers['idempotency-key'] : null;
      requests.push({ method: req.method ?? '', path, idempotencyKey: key });
      const status = /^\/status\/(\d{3})$/.exec(path);
      if (status) {
        res.writeHead(Number(status[1]), { 'content-type': 'text/plain' }).end(`status ${status[1]}`);
        return;
      }
      if (path === '/flaky') {
        const n = (seen.get(key ?? '') ?? 0) + 1;
        seen.set(key ?? '', n);
        if (n === 1) {
          const late = setTimeout(() => reply(), 5_000);
          res.on('close', () => clearTimeout(late));
          return;
        }
      }
      reply();
    });
    const reply = () => {
      if (res.writableEnded || res.destroyed) return;
      const path = req.url ?? '/';
      const text = Buffer.concat(chunks).toString('utf8');
      let received: unknown = text === '' ? null : text;
      try {
        received = text === '' ? null : JSON.parse(text);
      } catch {
        // not JSON: echoed as text
      }
      const tier = req.headers['x-tier'];
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ method: req.method, path, received, tier: tier ?? null }));
    };
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
