/**
 * Serves an EngineApi implementation over an RpcPort. Every incoming message and every argument
 * is parsed before it reaches the engine; unknown methods and bad arguments become typed errors.
 */
import { z } from 'zod';
import { EngineError, engineApiArgs, engineStreams, type EngineApi, type EngineStream } from '../api';
import { ClientMessageSchema, type RpcPort, type ServerMessage, type WireError } from './protocol';

export interface RpcServerOptions {
  /** Called for unexpected (non-EngineError) failures, with the full error, for the log. */
  onInternalError?: (error: unknown, method: string) => void;
}

export function serveEngineApi(api: EngineApi, port: RpcPort, options: RpcServerOptions = {}): () => void {
  const subscriptions = new Map<EngineStream, () => void>();
  let closed = false;
  const send = (m: ServerMessage) => {
    if (!closed) port.send(m);
  };

  port.onMessage((raw) => {
    const parsed = ClientMessageSchema.safeParse(raw);
    if (!parsed.success) return; // not ours to answer: there is no id to answer to
    const msg = parsed.data;
    if (msg.kind === 'sub' || msg.kind === 'unsub') {
      const stream = engineStreams.find((s) => s === msg.stream);
      if (!stream) return;
      if (msg.kind === 'sub' && !subscriptions.has(stream)) {
        subscriptions.set(stream, api[stream]((data) => send({ kind: 'event', stream, data })));
      } else if (msg.kind === 'unsub') {
        subscriptions.get(stream)?.();
        subscriptions.delete(stream);
      }
      return;
    }
    void handleCall(msg.id, msg.method, msg.arg);
  });

  async function handleCall(id: number, method: string, arg: unknown) {
    try {
      if (!Object.prototype.hasOwnProperty.call(engineApiArgs, method)) {
        throw new EngineError('unknown_method', `unknown method "${method}"`);
      }
      const name = method as keyof typeof engineApiArgs;
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
