/**
 * What the JSON viewer shows of a run value: binary payloads (base64 blobs, data: URLs, serialised
 * Buffers) as their size, and the text cut at a limit with the full size known, so a value of
 * several MB never freezes the UI. Copy and download take the whole value.
 */
import { formatBytes } from './value-preview';

/** Shown before "Show all". */
export const COLLAPSED_CHARS = 20_000;
/** "Show all" stops here; beyond it, download the value. */
export const EXPANDED_CHARS = 1_000_000;

const BASE64 = /^[A-Za-z0-9+/\r\n]+={0,2}$/;
const DATA_URL = /^data:([\w.+-]+\/[\w.+-]+)?(;[\w=.-]+)*;base64,/;

/** Bytes a base64 text stands for. */
function base64Bytes(text: string): number {
  const clean = text.replace(/[\r\n]/g, '');
  const pad = clean.endsWith('==') ? 2 : clean.endsWith('=') ? 1 : 0;
  return Math.floor((clean.length * 3) / 4) - pad;
}

/** `[binary, 1.2 MB]` for a value that is binary data, else null. Short strings are never binary. */
export function binaryLabel(value: unknown): string | null {
  if (typeof value === 'string' && value.length >= 512) {
    const m = DATA_URL.exec(value);
    if (m) return `[binary ${m[1] ?? 'data'}, ${formatBytes(base64Bytes(value.slice(m[0].length)))}]`;
    // Long runs of base64 with no spaces: a file or image, not prose.
    if (BASE64.test(value.slice(0, 4096)) && BASE64.test(value)) return `[binary, ${formatBytes(base64Bytes(value))}]`;
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const v = value as Record<string, unknown>;
    if (v['type'] === 'Buffer' && Array.isArray(v['data']) && Object.keys(v).length === 2) return `[binary, ${formatBytes(v['data'].length)}]`;
  }
  return null;
}

export interface JsonDisplay {
  /** The text to show (binary values replaced by their size, cut at `maxChars`). */
  text: string;
  /** Characters of the display text not shown. */
  hiddenChars: number;
  /** How many values were shown as binary. */
  binaries: number;
}

export function jsonDisplay(value: unknown, maxChars: number): JsonDisplay {
  let binaries = 0;
  let full: string;
  try {
    full =
      JSON.stringify(
        value,
        (_key, v: unknown) => {
          const label = binaryLabel(v);
          if (label === null) return v;
          binaries++;
          return label;
        },
        2,
      ) ?? String(value);
  } catch {
    full = String(value);
  }
  const text = full.length > maxChars ? full.slice(0, maxChars) : full;
  return { text, hiddenChars: full.length - text.length, binaries };
}

/** The whole value as JSON (binary included), for copy and download. */
export function fullJson(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}
