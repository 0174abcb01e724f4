#!/usr/bin/env node
// Runs the CLI straight from the TypeScript sources (tsx), so `npx millrace` works right after
// `npm ci` with no build step and never runs stale code.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/engine/cli.ts');
process.exitCode = await main(process.argv.slice(2));
