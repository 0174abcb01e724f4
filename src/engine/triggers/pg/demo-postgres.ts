/**
 * `millrace demo-postgres`: a throwaway PostgreSQL with wal_level=logical and a demo `orders`
 * table, to point a Postgres change trigger at. Prints the settings for the node; stops and
 * removes everything on Ctrl+C (or SIGTERM).
 */
import { startTestPostgres } from './postgres-for-tests';

export async function runDemoPostgres(print: (line: string) => void = console.log): Promise<number> {
  const pg = await startTestPostgres();
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  try {
    await pg.query(`CREATE TABLE orders (id serial PRIMARY KEY, customer text NOT NULL, amount numeric(10,2) NOT NULL, status text NOT NULL DEFAULT 'open', created_at timestamptz NOT NULL DEFAULT now())`);
    await pg.query(`INSERT INTO orders (customer, amount) VALUES ('Ada', 42), ('Grace', 1200), ('Linus', 7.5)`);
    print(`Demo Postgres is running (PostgreSQL, wal_level=logical), data in ${pg.dataDir}`);
    print(`Postgres change node: host ${pg.host}, port ${pg.port}, database ${pg.database}, user ${pg.user}, no password, tables public.orders`);
    print(`Make changes with: psql "${pg.connectionString()}" -c "INSERT INTO orders (customer, amount) VALUES ('Alan', 99)"`);
    print('Stop with Ctrl+C (the cluster and its files are removed).');
    // Signal handlers do not keep Node alive: without a timer the process would exit right here.
    const keepAlive = setInterval(() => undefined, 1 << 30);
    await stopped;
    clearInterval(keepAlive);
    return 0;
  } finally {
    await pg.stop();
  }
}
