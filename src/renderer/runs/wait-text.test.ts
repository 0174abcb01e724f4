import { describe, expect, it } from 'vitest';
import type { AttemptInfo, NodeTrace } from '../../shared/runs';
import { attemptMarker, clockTime, describeRunWake, describeWait, formatCountdown, nextAttempt } from './wait-text';

/** Local times, so the expectations hold in any time zone. */
const at = (h: number, m: number, s: number, day = 15) => new Date(2025, 4, day, h, m, s).getTime();
const NOW = at(14, 5, 0);

const failed = (attempt: number): AttemptInfo => ({ attempt, error: { message: 'connection refused' }, at: NOW - 1000, retryAt: NOW + 4000 });
const node = (attempt: number, attempts: AttemptInfo[], waiting: NodeTrace['waiting'] = null) => ({ attempt, attempts, waiting });

describe('formatCountdown', () => {
  it('rounds up and switches units as the wait grows', () => {
    expect(formatCountdown(3200)).toBe('4 s');
    expect(formatCountdown(0)).toBe('0 s');
    expect(formatCountdown(-50)).toBe('0 s');
    expect(formatCountdown(125_000)).toBe('2 m 05 s');
    expect(formatCountdown(3 * 3_600_000 + 10 * 60_000)).toBe('3 h 10 m');
    expect(formatCountdown(52 * 3_600_000)).toBe('2 d 4 h');
  });
});

describe('clockTime', () => {
  it('shows the time of day, with the date only when it is another day', () => {
    expect(clockTime(at(14, 5, 10), NOW)).toBe('14:05:10');
    expect(clockTime(at(9, 0, 3, 16), NOW)).toBe('2025-05-16 09:00:03');
  });
});

describe('describeWait', () => {
  it('counts down to the next retry, names the attempt out of the policy and the error that caused it', () => {
    const wait = { kind: 'retry' as const, until: NOW + 3500 };
    const text = describeWait(wait, node(1, [failed(1)]), 3, NOW);
    expect(text).toEqual({
      badge: 'retry 2/3',
      left: 'in 4 s',
      line: 'Attempt 1 failed: connection refused',
      sentence: 'Attempt 1 failed; attempt 2 of 3 starts at 14:05:03 (in 4 s).',
      ticking: true,
    });
    expect(describeWait(wait, node(2, [failed(1), failed(2)]), undefined, NOW).badge).toBe('retry 3');
    expect(describeWait(wait, node(1, [failed(1)]), 3, NOW + 4000)).toMatchObject({ left: 'now', sentence: 'Attempt 1 failed; attempt 2 of 3 is starting.' });
  });

  it('says until when a sleep ends, with the time left', () => {
    const text = describeWait({ kind: 'sleep', until: at(14, 5, 10) }, node(1, []), undefined, NOW);
    expect(text).toEqual({
      badge: 'sleeping',
      left: '10 s left',
      line: 'Sleeping until 14:05:10',
      sentence: 'Sleeping until 14:05:10 (10 s left); the run resumes by itself.',
      ticking: true,
    });
  });

  it('names the signal, and its timeout when it has one', () => {
    const open = describeWait({ kind: 'signal', until: null, signal: 'approve' }, node(1, []), undefined, NOW);
    expect(open).toEqual({ badge: 'signal', left: '', line: 'Waiting for signal “approve”', sentence: 'Waiting for the signal “approve”.', ticking: false });
    const timed = describeWait({ kind: 'signal', until: NOW + 90_000, signal: 'approve' }, node(1, []), undefined, NOW);
    expect(timed).toMatchObject({ left: '1 m 30 s left', line: 'Waiting for signal “approve”, gives up at 14:06:30' });
    expect(timed.sentence).toBe('Waiting for the signal “approve”; gives up at 14:06:30 (in 1 m 30 s).');
  });
});

describe('attempt marker', () => {
  it('appears only after a failed attempt, and not while the retry badge shows the same', () => {
    expect(attemptMarker(node(1, []))).toBeNull();
    expect(attemptMarker(node(2, [failed(1)]))).toBe('attempt 2');
    expect(attemptMarker(node(1, [failed(1)], { kind: 'retry', until: NOW }))).toBeNull();
    expect(nextAttempt(node(2, [failed(1), failed(2)]))).toBe(3);
  });
});

describe('describeRunWake', () => {
  it('says when a waiting run wakes, or that it waits for a signal', () => {
    expect(describeRunWake({ status: 'running', wakeAt: null }, NOW)).toBeNull();
    expect(describeRunWake({ status: 'waiting', wakeAt: null }, NOW)).toBe('until a signal arrives');
    expect(describeRunWake({ status: 'waiting', wakeAt: NOW + 4000 }, NOW)).toBe('wakes 14:05:04 · in 4 s');
    expect(describeRunWake({ status: 'waiting', wakeAt: NOW - 1 }, NOW)).toBe('waking up…');
  });
});
