/**
 * A web-mode engine in its own process, for tests that must watch it survive (or die) and measure
 * its memory: prints one JSON line `{ port, token }` when listening. Environment:
 * SERVE_DATA_DIR (required), SERVE_NO_ERROR_HANDLERS=1 (the broken variant),
 * SERVE_MAX_OUTBOUND_BYTES (a number, or "Infinity" for the unbounded variant).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEngine } from '../../engine';
import { startWebServer } from '../web-server';

const dataDir = process.env['SERVE_DATA_DIR'];
if (!dataDir) throw new Error('SERVE_DATA_DIR is required');
const renderer = join(dataDir, '..', 'renderer');
mkdirSync(renderer, { recursive: true });
writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Millrace</title>');
const maxOutbound = process.env['SERVE_MAX_OUTBOUND_BYTES'];
const engine = createEngine({ dataDir, log: (l) => process.stderr.write(`[engine] ${l}\n`) });
const server = await startWebServer({
  engine,
  rendererDir: renderer,
  log: (l) => process.stderr.write(`[server] ${l}\n`),
  ...(process.env['SERVE_NO_ERROR_HANDLERS'] === '1' ? { withoutErrorHandlersForTests: true } : {}),
  ...(maxOutbound ? { maxOutboundBytes: Number(maxOutbound) } : {}),
});
process.stdout.write(`${JSON.stringify({ port: server.port, token: server.token })}\n`);
const stop = async () => {
  await server.close();
  await engine.close();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
