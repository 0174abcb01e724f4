/** Words for trigger states and sizes (pure, tested). */
import type { TriggerStatus } from '../../shared/triggers';

export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  if (n < 1024) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export type ChipTone = 'ok' | 'warning' | 'error' | 'idle';

/** The short text and colour of the chip on the node. */
export function triggerChip(status: TriggerStatus | undefined): { text: string; tone: ChipTone } {
  if (!status) return { text: 'inactive', tone: 'idle' };
  // Paused: its slot is kept and holds the changes made meanwhile (the backlog, when known).
  // Stopped with the slot dropped, or never activated: plain inactive, nothing to resume.
  if (status.state === 'inactive') {
    if (!status.paused) return { text: 'inactive', tone: 'idle' };
    const backlog = status.health?.lagBytes;
    return { text: backlog != null ? `paused · backlog ${formatBytes(backlog)}` : 'paused', tone: 'warning' };
  }
  switch (status.state) {
    case 'starting':
      return { text: 'starting…', tone: 'idle' };
    case 'streaming': {
      if (status.health?.warning) return { text: `lag ${formatBytes(status.health.lagBytes)} ⚠`, tone: 'warning' };
      const backfill = status.backfill?.state === 'running' ? ` · backfill ${backfillPercent(status)}%` : '';
      return { text: `live · lag ${formatBytes(status.health?.lagBytes ?? 0)}${backfill}`, tone: 'ok' };
    }
    case 'reconnecting':
      return { text: `reconnecting (${status.attempt})`, tone: 'warning' };
    case 'slot_lost':
      return { text: 'slot lost — re-sync', tone: 'error' };
    case 'error':
      return { text: 'error', tone: 'error' };
    default:
      status.state satisfies never;
      return { text: String(status.state), tone: 'idle' };
  }
}

export function backfillPercent(status: TriggerStatus): number {
  const b = status.backfill;
  if (!b) return 0;
  if (b.state === 'done') return 100;
  return b.rowsTotal > 0 ? Math.min(99, Math.floor((100 * b.rowsDone) / b.rowsTotal)) : 0;
}
