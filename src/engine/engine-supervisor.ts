/**
 * Recovery from a dead disk. When an fsync fails, the writer refuses everything not yet durable
 * and acknowledges nothing more on that file (store/group-commit.ts). What the database holds in
 * memory can no longer be trusted, so, like PostgreSQL after a failed fsync, the engine is torn
 * down and opened again from what SQLite reads back from the files — a fresh Engine on the same
 * data folder, behind the same handle. Callers keep their reference and their event
 * subscriptions; calls that were in flight were refused with the storage error and can be retried.
 */
import { Engine } from './engine';
import type { EngineOptions } from './engine-options';

type Listener = (e: never) => void;
/** A subscription's arguments after the listener (e.g. onRunEvent's filter), kept to re-subscribe. */
type Rest = unknown[];

/** Creates the engine behind a handle that reopens it after a fatal storage error. */
export function superviseEngine(options: EngineOptions): Engine {
  const log = options.log ?? (() => {});
  /** on* subscriptions made through the handle, re-attached to each new engine. */
  const subscriptions = new Map<string, Map<Listener, { rest: Rest; off: () => void }>>();
  let recovering: Promise<void> | null = null;
  let current: Engine;

  const open = (): Engine =>
    new Engine({
      ...options,
      onFatalStorageError: (e) => {
        options.onFatalStorageError?.(e);
        recovering ??= reopen().finally(() => (recovering = null));
      },
    });

  async function reopen() {
    const dead = current;
    await dead.close().catch((e: unknown) => log(`closing the engine after the storage failure: ${e instanceof Error ? e.message : String(e)}`));
    current = open();
    for (const [method, listeners] of subscriptions) {
      for (const [listener, sub] of listeners) listeners.set(listener, { rest: sub.rest, off: subscribe(method, listener, sub.rest) });
    }
    log('the database was reopened from what is on disk; runs resume from their last durable step');
  }

  const subscribe = (method: string, listener: Listener, rest: Rest): (() => void) =>
    (current as unknown as Record<string, (l: Listener, ...rest: Rest) => () => void>)[method]!(listener, ...rest);

  current = open();
  // Properties set on the handle (a host wrapping close(), a test spying on a method) live on the
  // handle itself and win over the current engine's.
  return new Proxy({} as Engine, {
    get(target, prop) {
      if (Object.prototype.hasOwnProperty.call(target, prop)) return (target as unknown as Record<string | symbol, unknown>)[prop];
      const value = (current as unknown as Record<string | symbol, unknown>)[prop];
      if (typeof prop === 'string' && /^on[A-Z]/.test(prop) && typeof value === 'function') {
        return (listener: Listener, ...rest: Rest) => {
          const listeners = subscriptions.get(prop) ?? new Map<Listener, { rest: Rest; off: () => void }>();
          subscriptions.set(prop, listeners);
          listeners.get(listener)?.off();
          listeners.set(listener, { rest, off: subscribe(prop, listener, rest) });
          return () => {
            listeners.get(listener)?.off();
            listeners.delete(listener);
          };
        };
      }
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(current) : value;
    },
  });
}
