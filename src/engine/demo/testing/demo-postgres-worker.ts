/**
 * A stand-in for the app in the demo database's crash tests: starts the demo database in the
 * folder given as argv[2], prints its connection facts as one JSON line, then either waits to be
 * killed (mode 'wait') or exits through process.exit with stopOnExit registered (mode 'exit').
 */
import { DemoPostgres, stopOnExit } from '../demo-postgres';

const [dir, mode = 'wait'] = process.argv.slice(2);
if (!dir) throw new Error('usage: demo-postgres-worker <dir> [wait|exit]');
const demo = new DemoPostgres({ dir, log: (l) => process.stderr.write(`${l}\n`) });
const running = await demo.start();
process.stdout.write(`${JSON.stringify(running)}\n`);
if (mode === 'exit') {
  stopOnExit(demo);
  process.exit(0);
}
setInterval(() => undefined, 1 << 30);
