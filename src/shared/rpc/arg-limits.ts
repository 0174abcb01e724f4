/**
 * Per-method size limits on call arguments (README, "Limits"), checked on the parsed message
 * before zod or the engine copy it. The WebSocket's own message limit (MAX_WS_MESSAGE_BYTES)
 * already bounds what the server holds; these name the field and the limit in the error.
 */
import type { EngineMethod } from '../api';
import { MAX_DEMO_PACK_BYTES, MAX_FLOW_DOCUMENT_BYTES, MAX_INPUT_BYTES, checkJsonLimits, describeLimitProblem, formatBytes } from '../limits';

type Field = { key: string; what: string; maxBytes: number };

const LIMITED: Partial<Record<EngineMethod, Field[]>> = {
  startRun: [{ key: 'input', what: 'the run input', maxBytes: MAX_INPUT_BYTES }],
  rerun: [{ key: 'input', what: 'the run input', maxBytes: MAX_INPUT_BYTES }],
  signalRun: [{ key: 'payload', what: 'the signal payload', maxBytes: MAX_INPUT_BYTES }],
  saveFlow: [{ key: 'flow', what: 'the flow document', maxBytes: MAX_FLOW_DOCUMENT_BYTES }],
  validateFlow: [{ key: 'flow', what: 'the flow document', maxBytes: MAX_FLOW_DOCUMENT_BYTES }],
  importFlow: [{ key: 'text', what: 'the flow file', maxBytes: MAX_FLOW_DOCUMENT_BYTES }],
  testLlm: [{ key: 'config', what: 'the node config', maxBytes: MAX_FLOW_DOCUMENT_BYTES }],
  openDemoPack: [{ key: 'text', what: 'the demo pack', maxBytes: MAX_DEMO_PACK_BYTES }],
};

/** A message naming the field and its limit, or null when the argument is within every limit. */
export function checkArgLimits(method: EngineMethod, arg: unknown): string | null {
  const fields = LIMITED[method];
  if (!fields || typeof arg !== 'object' || arg === null) return null;
  for (const field of fields) {
    const value = (arg as Record<string, unknown>)[field.key];
    if (value === undefined) continue;
    if (typeof value === 'string') {
      // Strings (a flow file's text) count by length: the text is the document.
      if (value.length > field.maxBytes) return `${field.what} is larger than the limit of ${formatBytes(field.maxBytes)}`;
      continue;
    }
    const problem = checkJsonLimits(value, { maxBytes: field.maxBytes });
    if (problem) return describeLimitProblem(field.what, problem);
  }
  return null;
}
