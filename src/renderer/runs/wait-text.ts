/**
 * Words for a parked node or run: what it waits for and how long is left. Pure (the clock is an
 * argument), so the countdowns are tested without timers or a browser.
 */
import type { NodeTrace, RunSummary, WaitInfo } from '../../shared/runs';

const pad = (n: number) => String(n).padStart(2, '0');

/** "4 s", "2 m 05 s", "3 h 10 m", "2 d 4 h": rounded up, so "0 s" only shows once the time is reached. */
export function formatCountdown(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} m ${pad(s % 60)} s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h} h ${pad(m % 60)} m`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** Local wall-clock time, "14:05:10"; prefixed with the date when that is not today. */
export function clockTime(at: number, now: number): string {
  const d = new Date(at);
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return d.toDateString() === new Date(now).toDateString() ? time : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time}`;
}

export interface WaitText {
  /** Short steady words for the badge on the node's edge: "retry 2/3", "sleeping", "signal". */
  badge: string;
  /** The time left, beside the badge: "in 4 s", "2 m 05 s left"; empty when nothing ends the wait but a signal. */
  left: string;
  /** What the node waits for, on a line inside the node: "Sleeping until 14:05:10", "Waiting for signal “approve”". */
  line: string;
  /** One sentence for a tooltip or the run data tab. */
  sentence: string;
  /** Whether the text depends on `now`, so callers tick a clock only when it does. */
  ticking: boolean;
}

/** The attempt a retry wait leads to: the last failed attempt plus one. */
export function nextAttempt(node: Pick<NodeTrace, 'attempt' | 'attempts'>): number {
  return (node.attempts[node.attempts.length - 1]?.attempt ?? node.attempt) + 1;
}

/**
 * `maxAttempts` comes from the open flow document (a trace does not record the policy), so it is
 * left out when unknown rather than guessed. Badges sit on a 232 px node, so they carry only the
 * countdown; the line inside the node says what for.
 */
export function describeWait(wait: WaitInfo, node: Pick<NodeTrace, 'attempt' | 'attempts'>, maxAttempts: number | undefined, now: number): WaitText {
  const remaining = wait.until === null ? null : wait.until - now;
  const countdown = remaining !== null && remaining > 0 ? formatCountdown(remaining) : '';
  const at = wait.until === null ? '' : clockTime(wait.until, now);
  const ticking = remaining !== null;
  switch (wait.kind) {
    case 'retry': {
      const next = nextAttempt(node);
      const failed = node.attempts[node.attempts.length - 1];
      const attempt = `attempt ${next}${maxAttempts !== undefined ? ` of ${maxAttempts}` : ''}`;
      return {
        badge: `retry ${next}${maxAttempts !== undefined ? `/${maxAttempts}` : ''}`,
        left: remaining === null ? '' : countdown ? `in ${countdown}` : 'now',
        line: `Attempt ${next - 1} failed${failed ? `: ${failed.error.message}` : ''}`,
        sentence: `Attempt ${next - 1} failed; ${attempt} ${countdown ? `starts at ${at} (in ${countdown})` : 'is starting'}.`,
        ticking,
      };
    }
    case 'sleep':
      return {
        badge: 'sleeping',
        left: remaining === null ? '' : countdown ? `${countdown} left` : 'waking',
        line: at ? `Sleeping until ${at}` : 'Sleeping',
        sentence: at ? `Sleeping until ${at}${countdown ? ` (${countdown} left)` : ''}; the run resumes by itself.` : 'Sleeping.',
        ticking,
      };
    case 'signal': {
      const name = wait.signal ?? 'a signal';
      return {
        badge: 'signal',
        left: remaining === null ? '' : countdown ? `${countdown} left` : 'timing out',
        line: `Waiting for signal “${name}”${at ? `, gives up at ${at}` : ''}`,
        sentence: `Waiting for the signal “${name}”${at ? `; gives up at ${at}${countdown ? ` (in ${countdown})` : ''}` : ''}.`,
        ticking,
      };
    }
  }
}

/** "attempt 3" once a node has failed at least once, except while its retry badge already says so. */
export function attemptMarker(node: Pick<NodeTrace, 'attempt' | 'attempts' | 'waiting'>): string | null {
  if (node.attempts.length === 0 || node.waiting?.kind === 'retry') return null;
  return `attempt ${Math.max(node.attempt, nextAttempt(node) - 1)}`;
}

/** When a waiting run wakes up by itself, or that only a signal wakes it. */
export function describeRunWake(run: Pick<RunSummary, 'status' | 'wakeAt'>, now: number): string | null {
  if (run.status !== 'waiting') return null;
  if (run.wakeAt === null) return 'until a signal arrives';
  const left = run.wakeAt - now;
  return left > 0 ? `wakes ${clockTime(run.wakeAt, now)} · in ${formatCountdown(left)}` : 'waking up…';
}
