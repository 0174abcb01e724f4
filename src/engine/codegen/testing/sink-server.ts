/**
 * A sink for the DBOS test that can be checked with SQL: each POST becomes a row in `sink_rows`,
 * keyed by its Idempotency-Key (a delivery repeated after a crash adds nothing). It answers only
 * after a delay, so a worker killed meanwhile leaves an effect done but not recorded.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';

export interface SinkServer {
  url: string;
  /** Idempotency keys of requests received but not answered yet. */
  inFlight(): string[];
  /** Deliveries per idempotency key. */
  deliveries: Map<string, number>;
  errors: string[];
  close(): Promise<void>;
}

export async function startSinkServer(connectionString: string, options: { delayMs: number; dedupe?: boolean }): Promise<SinkServer> {
  const pool = new pg.Pool({ connectionString, max: 8 });
  await pool.query(`CREATE TABLE IF NOT EXISTS sink_rows (n serial PRIMARY KEY, idem_key text NOT NULL, order_id int NOT NULL, summary text NOT NULL)`);
  if (options.dedupe !== false) await pool.query(`CREATE UNIQUE INDEX IF NOT EXISTS sink_rows_key ON sink_rows (idem_key)`);
  const deliveries = new Map<string, number>();
  const errors: string[] = [];
  const inFlight = new Set<string>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const key = String(req.headers['idempotency-key'] ?? '');
      inFlight.add(key);
      void (async () => {
        try {
          deliveries.set(key, (deliveries.get(key) ?? 0) + 1);
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { prompt: string; summary: string };
          const orderId = Number(/order (\d+)/.exec(body.prompt)?.[1]);
          await pool.query(`INSERT INTO sink_rows (idem_key, order_id, summary) VALUES ($1, $2, $3) ${options.dedupe !== false ? 'ON CONFLICT (idem_key) DO NOTHING' : ''}`, [key, orderId, body.summary]);
          await new Promise((r) => setTimeout(r, options.delayMs));
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"stored":true}');
        } catch (e) {
          errors.push(String(e));
          res.writeHead(500).end(String(e));
        } finally {
          inFlight.delete(key);
        }
      })();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/rows`,
    inFlight: () => [...inFlight],
    deliveries,
    errors,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await pool.end();
    },
  };
}
