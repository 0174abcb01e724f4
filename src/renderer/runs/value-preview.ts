/** Short, text-only previews of run values for edges and node labels (never HTML). */
import { stringify } from './JsonView';
import { binaryLabel, jsonDisplay } from './json-display';

export const PREVIEW_CHARS = 40;
export const HOVER_CHARS = 4000;

/** What passed along an edge: the source node's value on that port, from its shown output. */
export function portValue(output: unknown, port: string, portCount: number): unknown {
  if (portCount <= 1) return output;
  return typeof output === 'object' && output !== null && !Array.isArray(output) ? Reflect.get(output, port) : undefined;
}

export function preview(value: unknown, max = PREVIEW_CHARS): string {
  // Binary payloads read as their size here too (a base64 image is not a preview).
  const text = typeof value === 'string' ? (binaryLabel(value) ?? JSON.stringify(value)) : jsonDisplay(value, Math.max(max * 50, 4_000)).text.replace(/\s+/g, ' ');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Byte size of a value's JSON, for "1.2 MB" labels. */
export function jsonSize(value: unknown): number {
  return new TextEncoder().encode(stringify(value)).length;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} kB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
