/** Small helpers shared by the benchmarks. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Samples RSS every 100 ms; `peakMb()` is the highest seen. */
export function rssSampler() {
  let peak = process.memoryUsage().rss;
  const t = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  t.unref();
  return { peakMb: () => round(Math.max(peak, process.memoryUsage().rss) / 1024 / 1024), stop: () => clearInterval(t) };
}

/** Writes bench/results/<name>.json and prints the object as the last line of output. */
export function saveResults(name: string, results: object) {
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(results, null, 2)}\n`);
  console.log(JSON.stringify(results));
}
