/**
 * Log sequence numbers ("16/B374D848") as bigints, so positions compare and subtract exactly.
 */
export type Lsn = bigint;

export const ZERO_LSN: Lsn = 0n;

export function parseLsn(text: string): Lsn {
  const m = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text);
  if (!m) throw new Error(`not an LSN: "${text}"`);
  return (BigInt(`0x${m[1]}`) << 32n) | BigInt(`0x${m[2]}`);
}

export function formatLsn(lsn: Lsn): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}

/** Fixed-width hex: sorts as text in the same order as the LSNs (dedupe keys, SQLite columns). */
export function lsnKey(lsn: Lsn): string {
  return lsn.toString(16).toUpperCase().padStart(16, '0');
}
