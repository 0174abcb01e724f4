/**
 * Child process for the LLM crash test: opens an engine on CRASH_DATA_DIR, starts (or, after a
 * kill, finds again through its dedupe key) one run of a flow whose LLM node asks for JSON from
 * LLM_BASE_URL, waits for it, and prints {"status": …} on stdout. The test SIGKILLs it mid-call.
 */
import { createEngine } from '../../../engine';
import type { Flow } from '../../../../shared/flow/schema';

const dataDir = process.env['CRASH_DATA_DIR']!;
const baseUrl = process.env['LLM_BASE_URL']!;

const flow: Flow = {
  schemaVersion: 1,
  id: 'llm-crash',
  name: 'LLM crash test',
  nodes: [
    { id: 't', type: 'manual-trigger@1', name: 'Start', position: { x: 0, y: 0 }, config: { payload: '{"text": "crash me"}' } },
    {
      id: 'llm',
      type: 'llm-call@1',
      name: 'Classify',
      position: { x: 200, y: 0 },
      config: {
        baseUrl,
        model: 'gpt-4o-mini',
        prompt: 'Classify: {{ text }}',
        output: 'json',
        schemaFields: [{ name: 'sentiment', type: 'string' }],
        stream: false,
        attemptTimeoutMs: 60_000,
      },
    },
  ],
  edges: [{ id: 'e1', source: 't', sourcePort: 'out', target: 'llm', targetPort: 'in' }],
};

async function main() {
  const engine = createEngine({ dataDir, seedDemo: false, env: {} });
  await engine.saveFlow({ flow });
  const { runId } = await engine.startRun({ flowId: flow.id, dedupeKey: 'the-one-run' });
  process.stdout.write(`${JSON.stringify({ started: runId })}\n`);
  const trace = await engine.waitForRun(runId);
  process.stdout.write(`${JSON.stringify({ status: trace.run.status, error: trace.run.error })}\n`);
  await engine.close();
}

void main().catch((e: unknown) => {
  process.stderr.write(`llm crash worker failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
