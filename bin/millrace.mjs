#!/usr/bin/env node
// Runs the CLI straight from the TypeScript sources (tsx), so `npx millrace` works right after
// `npm ci` with no build step and never runs stale code.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/engine/cli.ts');
try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  // A bug, not a user's mistake: one line, the stack only when asked for.
  const verbose = process.argv.includes('--verbose');
  console.error(`millrace: ${e instanceof Error ? e.message : String(e)}`);
  if (verbose && e instanceof Error) console.error(e.stack);
  process.exitCode = 1;
}
