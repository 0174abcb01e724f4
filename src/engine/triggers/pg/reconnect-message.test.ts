import { describe, expect, it } from 'vitest';
import { reconnectMessage } from './pg-trigger';

describe('reconnectMessage', () => {
  it('never doubles punctuation after a cause that ends in its own ("port?. Retrying")', () => {
    expect(reconnectMessage('is Postgres running and listening on that host and port?', 6)).toBe(
      'connection lost: is Postgres running and listening on that host and port? Retrying (attempt 6).',
    );
    expect(reconnectMessage('terminating connection', 2)).toBe('connection lost: terminating connection. Retrying (attempt 2).');
  });
});
