import { defineConfig } from 'vitest/config';

/** Browser and Electron end-to-end specs: real server process, real Chromium, one file at a time. */
export default defineConfig({
  test: {
    include: ['e2e/**/*.spec.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    pool: 'forks',
  },
});
