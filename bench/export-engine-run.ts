/** bench:export baseline: the flow document run N times on the engine, in its own process like the exported program. */
import { readFileSync } from 'node:fs';
import { runFlowRepeated } from '../src/engine/library/run-flow';

const [file, count, concurrency] = process.argv.slice(2);
const r = await runFlowRepeated(JSON.parse(readFileSync(file!, 'utf8')), Number(count), { ephemeral: true, concurrency: Number(concurrency), input: { customer: 'Ada', amount: 1250 } });
console.log(JSON.stringify(r));
