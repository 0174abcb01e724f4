/**
 * The demo bar's state: the last demo status the engine reported, the traffic rate the user
 * chose, and the errors to show (status poll, refused traffic, reset, packs). Plain data; the
 * engine calls live in demo-actions.ts.
 */
import { create } from 'zustand';
import { DEMO_FLOW_ID, TRAFFIC_MAX_RATE, TRAFFIC_MIN_RATE, type DemoStatus } from '../../shared/demo';

export const DEFAULT_TRAFFIC_RATE = 5;

export interface DemoState {
  status: DemoStatus | null;
  /** The last status poll failed (engine unreachable, method refused): shown instead of stale data. */
  pollError: string | null;
  /** What the rate field holds, as typed (may be invalid while typing). */
  rateText: string;
  /** simulateTraffic / stopTraffic was refused: the engine's message. */
  trafficError: string | null;
  busy: null | 'start-db' | 'traffic' | 'reset' | 'pack';
  resetDialog: boolean;
  /** The engine refused the reset: shown in the dialog, which stays open. */
  resetError: string | null;
}

export const demoStore = create<DemoState>(() => ({
  status: null,
  pollError: null,
  rateText: String(DEFAULT_TRAFFIC_RATE),
  trafficError: null,
  busy: null,
  resetDialog: false,
  resetError: null,
}));

export const useDemo = demoStore;

/** The demo flow's id as the engine reports it (the bundled id until the first status arrives). */
export const useDemoFlowId = (): string => useDemo((s) => s.status?.flowId || DEMO_FLOW_ID);

/** The rate the field holds, or an error saying what is wrong with it. */
export function parseRate(text: string): { ok: true; rate: number } | { ok: false; error: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, error: 'Enter a rate' };
  const rate = Number(trimmed);
  if (!Number.isFinite(rate)) return { ok: false, error: 'Not a number' };
  if (rate < TRAFFIC_MIN_RATE) return { ok: false, error: `At least ${TRAFFIC_MIN_RATE} per second` };
  if (rate > TRAFFIC_MAX_RATE) return { ok: false, error: `At most ${TRAFFIC_MAX_RATE} per second` };
  return { ok: true, rate };
}

/** Slider positions are whole tickets per second inside the allowed range. */
export function clampRate(value: number): number {
  if (!Number.isFinite(value)) return DEFAULT_TRAFFIC_RATE;
  return Math.min(TRAFFIC_MAX_RATE, Math.max(TRAFFIC_MIN_RATE, Math.round(value)));
}

export type DbLine =
  | { tone: 'busy'; text: string }
  | { tone: 'ok'; text: string }
  | { tone: 'off'; text: string }
  | { tone: 'failed'; text: string; fix: string; code: string };

/** One line for the database state, as the bar shows it. */
export function describeDatabase(status: DemoStatus): DbLine {
  const db = status.database;
  switch (db.state) {
    case 'starting':
      return { tone: 'busy', text: 'Starting the demo database…' };
    case 'stopping':
      return { tone: 'busy', text: 'Stopping the demo database…' };
    case 'running': {
      const port = db.port !== undefined ? ` on port ${db.port}` : '';
      const source = db.source === 'system' ? ' · system' : db.source === 'embedded' ? ' · embedded' : '';
      return { tone: 'ok', text: `Postgres running${port}${source}` };
    }
    case 'failed':
      return {
        tone: 'failed',
        text: db.problem?.message ?? 'The demo database could not start.',
        fix: db.problem?.fix ?? 'Retry, or restart Millrace.',
        code: db.problem?.code ?? 'start-failed',
      };
    case 'off':
      return { tone: 'off', text: 'The demo database is off.' };
  }
}

/** "12,345" with the user's separators. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}
