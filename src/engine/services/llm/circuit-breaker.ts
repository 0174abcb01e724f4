/**
 * One circuit breaker per provider endpoint. After `failureThreshold` consecutive unhealthy
 * failures (5xx, 529, network, timeouts — not 429 or 4xx) the circuit opens: calls skip the
 * endpoint (and go to their fallbacks) for `cooldownMs`. Then one probe is let through
 * (half-open): success closes the circuit, failure opens it for another cooldown.
 */
export interface BreakerOptions {
  failureThreshold: number;
  cooldownMs: number;
  now?: () => number;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

interface Circuit {
  failures: number;
  openedAt: number | null;
  probing: boolean;
}

export type Admission = { ok: true } | { ok: false; retryInMs: number };

export class CircuitBreakers {
  private readonly circuits = new Map<string, Circuit>();
  private readonly now: () => number;

  constructor(private readonly options: BreakerOptions) {
    this.now = options.now ?? Date.now;
  }

  /** May a call go to this endpoint now? In half-open state only the first caller (the probe) may. */
  admit(endpoint: string): Admission {
    const c = this.circuits.get(endpoint);
    if (!c || c.openedAt === null) return { ok: true };
    const elapsed = this.now() - c.openedAt;
    if (elapsed < this.options.cooldownMs) return { ok: false, retryInMs: this.options.cooldownMs - elapsed };
    if (c.probing) return { ok: false, retryInMs: 0 };
    c.probing = true;
    return { ok: true };
  }

  /** The endpoint answered (even with a 4xx or 429: it is alive). */
  succeeded(endpoint: string): void {
    this.circuits.delete(endpoint);
  }

  /** The endpoint failed in a way that says it is unwell. */
  failed(endpoint: string): void {
    const c = this.circuits.get(endpoint) ?? { failures: 0, openedAt: null, probing: false };
    c.failures++;
    if (c.probing || c.failures >= this.options.failureThreshold) {
      c.openedAt = this.now();
      c.probing = false;
    }
    this.circuits.set(endpoint, c);
  }

  /** A call was admitted but ended without telling anything about the endpoint (cancelled): let another probe through. */
  released(endpoint: string): void {
    const c = this.circuits.get(endpoint);
    if (c) c.probing = false;
  }

  state(endpoint: string): BreakerState {
    const c = this.circuits.get(endpoint);
    if (!c || c.openedAt === null) return 'closed';
    return this.now() - c.openedAt < this.options.cooldownMs ? 'open' : 'half-open';
  }
}
