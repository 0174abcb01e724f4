import { describe, expect, it } from 'vitest';
import { shownNodeStatus } from './node-look';

describe('shownNodeStatus', () => {
  it('shows a node still busy in a run that has ended as stopped', () => {
    expect(shownNodeStatus('waiting', 'cancelled')).toBe('stopped');
    expect(shownNodeStatus('running', 'failed')).toBe('stopped');
  });

  it('keeps every other status, and busy nodes of live or parked runs', () => {
    expect(shownNodeStatus('waiting', 'waiting')).toBe('waiting');
    expect(shownNodeStatus('running', 'running')).toBe('running');
    expect(shownNodeStatus('succeeded', 'cancelled')).toBe('succeeded');
    expect(shownNodeStatus('skipped', 'succeeded')).toBe('skipped');
    expect(shownNodeStatus('waiting', undefined)).toBe('waiting');
  });
});
