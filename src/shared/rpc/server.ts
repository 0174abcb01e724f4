/**
 * Serves an EngineApi implementation over an RpcPort. Every incoming message and every argument
 * is parsed before it reaches the engine; unknown methods, bad arguments and arguments over a
 * size or depth limit become typed errors. Events are sent only while the client keeps up: past
 * the outbound limit they are dropped and the client gets one `resync` when it has caught up.
 */
import { z } from 'zod';
import { EngineError, engineApiArgs, engineStreamFilters, engineStreams, type EngineApi, type EngineStream } from '../api';
import { MAX_JSON_DEPTH, MAX_OUTBOUND_BUFFER_BYTES, MAX_UNREAD_BYTES, checkJsonLimits, describeLimitProblem } from '../limits';
import { checkArgLimits } from './arg-limits';
import { ClientMessageSchema, type RpcPort, type ServerMessage, type WireError } from './protocol';

export interface RpcServerOptions {
  /** Called for unexpected (non-EngineError) failures, with the full error, for the log. */
  onInternalError?: (error: unknown, method: string) => void;
  /** Called for client mistakes nobody can be answered about (a subscription with a bad filter), and for slow clients. */
  onClientProblem?: (message: string) => void;
  /** Bytes queued for this client past which events are dropped (then one resync). Infinity disables the bound (tests of the bound only). */
  maxOutboundBytes?: number;
  /** Queued bytes past which a client that still does not read is disconnected (results are never dropped). */
  abortOutboundBytes?: number;
}

/** How often a client that fell behind is checked for having caught up. */
const DRAIN_POLL_MS = 50;

export function serveEngineApi(api: EngineApi, port: RpcPort, options: RpcServerOptions = {}): () => void {
  const subscriptions = new Map<string, () => void>();
  const maxOutbound = options.maxOutboundBytes ?? MAX_OUTBOUND_BUFFER_BYTES;
  const abortOutbound = options.abortOutboundBytes ?? Math.max(8 * maxOutbound, MAX_UNREAD_BYTES);
  let closed = false;
  let behind = false;
  let drainTimer: ReturnType<typeof setTimeout> | undefined;
  const backlog = () => port.backlog?.() ?? 0;

  const send = (m: ServerMessage) => {
    if (closed) return;
    if (backlog() > abortOutbound) {
      options.onClientProblem?.(`client stopped reading (${backlog()} bytes queued); disconnected`);
      port.abort?.(1008, 'client stopped reading: outbound buffer over its limit');
      return;
    }
    port.send(m);
  };

  // Events are the only thing a slow client can be spared: results are answers it asked for.
  const sendEvent = (m: ServerMessage) => {
    if (closed || behind) return;
    if (backlog() > maxOutbound) {
      behind = true;
      options.onClientProblem?.(`client fell behind (${backlog()} bytes queued); dropping its events until it catches up`);
      drainTimer = setTimeout(waitForDrain, DRAIN_POLL_MS);
      return;
    }
    port.send(m);
  };

  const waitForDrain = () => {
    if (closed) return;
    if (backlog() > maxOutbound / 4) {
      drainTimer = setTimeout(waitForDrain, DRAIN_POLL_MS);
      return;
    }
    behind = false;
    send({ kind: 'resync', reason: 'events were dropped while this client was not reading; reload what you show' });
  };

  port.onMessage((raw) => {
    const parsed = ClientMessageSchema.safeParse(raw);
    if (!parsed.success) return; // not ours to answer: there is no id to answer to
    const msg = parsed.data;
    if (msg.kind === 'sub' || msg.kind === 'unsub') {
      const stream = engineStreams.find((s) => s === msg.stream);
      if (!stream) return;
      const key = `${stream}:${msg.sub ?? ''}`;
      if (msg.kind === 'sub' && !subscriptions.has(key)) subscribe(stream, key, msg.sub, msg.filter);
      else if (msg.kind === 'unsub') {
        subscriptions.get(key)?.();
        subscriptions.delete(key);
      }
      return;
    }
    void handleCall(msg.id, msg.method, msg.arg);
  });

  function subscribe(stream: EngineStream, key: string, sub: number | undefined, rawFilter: unknown) {
    const filter = engineStreamFilters[stream].safeParse(rawFilter);
    if (!filter.success) {
      options.onClientProblem?.(`refused a ${stream} subscription: ${z.prettifyError(filter.error).replace(/\n/g, '; ')}`);
      return;
    }
    const subscribeTo = api[stream] as (listener: (data: unknown) => void, filter?: unknown) => () => void;
    const listener = (data: unknown) => sendEvent({ kind: 'event', stream, ...(sub === undefined ? {} : { sub }), data });
    subscriptions.set(key, filter.data === undefined ? subscribeTo.call(api, listener) : subscribeTo.call(api, listener, filter.data));
  }

  async function handleCall(id: number, method: string, arg: unknown) {
    try {
      if (!Object.prototype.hasOwnProperty.call(engineApiArgs, method)) {
        throw new EngineError('unknown_method', `unknown method "${method}"`);
      }
      const name = method as keyof typeof engineApiArgs;
      // Before zod or the engine see it: both walk values recursively.
      const depth = checkJsonLimits(arg, { maxDepth: MAX_JSON_DEPTH });
      if (depth) throw new EngineError('invalid_argument', `${name}: ${describeLimitProblem('the argument', depth)}`);
      const tooBig = checkArgLimits(name, arg);
      if (tooBig) throw new EngineError('invalid_argument', `${name}: ${tooBig}`);
      const parsed = engineApiArgs[name].safeParse(arg);
      if (!parsed.success) {
        throw new EngineError('invalid_argument', `${name}: ${z.prettifyError(parsed.error).replace(/\n/g, '; ')}`);
      }
      const fn = api[name] as (a: unknown) => Promise<unknown>;
      const value = await fn.call(api, parsed.data);
      send({ kind: 'result', id, ok: true, value: value === undefined ? null : value });
    } catch (e) {
      send({ kind: 'result', id, ok: false, error: toWireError(e, method, options) });
    }
  }

  const dispose = () => {
    closed = true;
    clearTimeout(drainTimer);
    for (const unsub of subscriptions.values()) unsub();
    subscriptions.clear();
  };
  port.onClose(dispose);
  return dispose;
}

function toWireError(e: unknown, method: string, options: RpcServerOptions): WireError {
  if (e instanceof EngineError) {
    return { code: e.code, message: e.message, ...(e.problems ? { problems: e.problems } : {}) };
  }
  options.onInternalError?.(e, method);
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'internal', message: `${method} failed: ${message}` };
}
