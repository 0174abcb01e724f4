/**
 * The fake LLM provider in its own process for bench:llm, so the server's work does not share
 * the event loop (or core) with the client being measured. Prints its base URL, runs until killed.
 */
import { startFakeLlmProvider } from '../src/engine/services/llm/testing/fake-llm-provider';

const fake = await startFakeLlmProvider({ defaultText: '{"sentiment":"positive","priority":"high"}' });
process.stdout.write(`${JSON.stringify({ baseUrl: fake.baseUrl })}\n`);
process.on('SIGTERM', () => void fake.close().then(() => process.exit(0)));
