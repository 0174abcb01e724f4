/**
 * Size and depth limits for everything a client can send (listed in the README, "Limits").
 * Checked without recursion, before a payload reaches the engine: a 100,000-deep array must get
 * a clear error naming the limit, never "Maximum call stack size exceeded".
 */

/** Largest WebSocket message the server accepts (ws `maxPayload`): refused from the frame header, before it is buffered. */
export const MAX_WS_MESSAGE_BYTES = 16 * 1024 * 1024;
/** Deepest nesting of objects/arrays in any message, run input, signal payload or flow document. */
export const MAX_JSON_DEPTH = 1000;
/** Largest run input (startRun, rerun) or signal payload, as JSON. */
export const MAX_INPUT_BYTES = 8 * 1024 * 1024;
/** Largest flow document (saveFlow, validateFlow, importFlow), as JSON. */
export const MAX_FLOW_DOCUMENT_BYTES = 4 * 1024 * 1024;
/** A demo pack (flow + recorded changes, LLM answers and decisions): the desktop's "Open demo pack" sends its text. */
export const MAX_DEMO_PACK_BYTES = 12 * 1024 * 1024;
/**
 * Bytes the server queues for one connection before it stops sending that client events: a
 * client that stops reading gets one `resync` message when it catches up, instead of the server
 * buffering every event of every run in memory.
 */
export const MAX_OUTBOUND_BUFFER_BYTES = 8 * 1024 * 1024;
/**
 * Bytes queued for one connection past which it is disconnected (close 1008): only answers to its
 * own calls are still queued then, so this is a client that keeps asking and never reads.
 */
export const MAX_UNREAD_BYTES = 128 * 1024 * 1024;

export type JsonLimitProblem = { kind: 'depth'; limit: number } | { kind: 'size'; limit: number };

/**
 * Walks a parsed value iteratively (explicit stack) and stops at the first limit crossed.
 * Size is the length of its JSON text, counted approximately (strings by UTF-16 length plus quotes,
 * numbers by their printed length); exact enough to name a limit, and never builds the text.
 */
export function checkJsonLimits(value: unknown, limits: { maxDepth?: number; maxBytes?: number }): JsonLimitProblem | null {
  const maxDepth = limits.maxDepth ?? MAX_JSON_DEPTH;
  const maxBytes = limits.maxBytes ?? Number.POSITIVE_INFINITY;
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  let bytes = 0;
  while (stack.length > 0) {
    const { value: v, depth } = stack.pop()!;
    if (typeof v === 'string') bytes += v.length + 2;
    else if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') bytes += String(v).length;
    else if (v === null || v === undefined) bytes += 4;
    else if (typeof v === 'object') {
      if (depth + 1 > maxDepth) return { kind: 'depth', limit: maxDepth };
      bytes += 2;
      if (Array.isArray(v)) {
        for (const item of v) {
          bytes += 1;
          stack.push({ value: item, depth: depth + 1 });
        }
      } else {
        for (const [key, item] of Object.entries(v as Record<string, unknown>)) {
          bytes += key.length + 4;
          stack.push({ value: item, depth: depth + 1 });
        }
      }
    }
    if (bytes > maxBytes) return { kind: 'size', limit: maxBytes };
  }
  return null;
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 * 1024) return `${(n / (1024 * 1024 * 1024)).toFixed(1)} GiB`;
  if (n >= 1024 * 1024) return `${Number.isInteger(n / (1024 * 1024)) ? n / (1024 * 1024) : (n / (1024 * 1024)).toFixed(1)} MiB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KiB`;
  return `${n} bytes`;
}

/** "the run input nests deeper than 1,000 levels (limit)" / "… is larger than 8 MiB (limit)". */
export function describeLimitProblem(what: string, problem: JsonLimitProblem): string {
  return problem.kind === 'depth'
    ? `${what} nests deeper than the limit of ${problem.limit.toLocaleString('en-US')} levels`
    : `${what} is larger than the limit of ${formatBytes(problem.limit)} (as JSON)`;
}
