/**
 * Renderer build. `base: './'` makes the same bundle load from file:// in Electron and over http
 * in web mode. In dev, /api is proxied to a running `millrace serve` (MILLRACE_ENGINE_URL).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const root = fileURLToPath(new URL('./src/renderer', import.meta.url));
const outDir = fileURLToPath(new URL('./out/renderer', import.meta.url));
const engine = process.env['MILLRACE_ENGINE_URL'] ?? 'http://127.0.0.1:4310';

export default defineConfig({
  root,
  base: './',
  plugins: [react()],
  build: {
    outDir,
    emptyOutDir: true,
    // No inline scripts or module-preload polyfill: the app runs under a strict CSP.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: true,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    // The engine admits only its own Host and Origin, so the dev proxy presents itself as the engine's page.
    proxy: { '/api': { target: engine, ws: true, changeOrigin: true, headers: { origin: engine } } },
  },
});
