/** The fake LLM server in a process of its own (so the engine's RSS and CPU are the engine's): prints its URL, serves until killed. */
import { startFakeLlm } from './fake-llm-server';

const llm = await startFakeLlm();
process.stdout.write(`${llm.url}\n`);
process.on('SIGTERM', () => void llm.close().then(() => process.exit(0)));
