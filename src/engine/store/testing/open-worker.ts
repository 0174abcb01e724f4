/** Opens an engine on argv[2] in a fresh process and prints its RSS right after start-up, as JSON. */
import { createEngine } from '../../engine';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: open-worker DATA_DIR');
const engine = createEngine({ dataDir, seedDemo: false, log: () => {} });
const rss = process.memoryUsage().rss;
const counts = engine.runCounts();
await engine.close();
process.stdout.write(`${JSON.stringify({ rss, counts })}\n`);
