/** Short numbers for the canvas: "1.2k tok", "640 ms", "3.4 s". */
export function formatTokens(n: number | null): string {
  if (n === null) return 'tokens ?';
  return n >= 10_000 ? `${Math.round(n / 1000)}k tok` : n >= 1000 ? `${(n / 1000).toFixed(1)}k tok` : `${n} tok`;
}

export function formatMs(ms: number | null): string {
  if (ms === null) return '—';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

/** The end of a long streamed text: the canvas shows what is being written now. */
export function tail(text: string, max: number): string {
  return text.length > max ? `…${text.slice(text.length - max)}` : text;
}
