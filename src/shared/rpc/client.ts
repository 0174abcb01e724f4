/**
 * A typed EngineApi proxy over an RpcPort. The renderer, the CLI and tests all talk to the
 * engine through this, whatever the transport.
 */
import { ENGINE_ERROR_CODES, EngineError, engineApiArgs, engineStreams, type EngineApi, type EngineErrorCode, type EngineStream } from '../api';
import { ServerMessageSchema, type RpcPort } from './protocol';

export interface EngineClient extends EngineApi {
  /** Rejects pending calls and stops streams. */
  close(): void;
  /** Called once when the transport closes (engine gone, socket dropped). */
  onDisconnect(listener: () => void): void;
}

export function createEngineClient(port: RpcPort): EngineClient {
  let nextId = 1;
  let closed = false;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const listeners = new Map<string, Set<(data: unknown) => void>>();
  const disconnectListeners: (() => void)[] = [];

  port.onMessage((raw) => {
    const parsed = ServerMessageSchema.safeParse(raw);
    if (!parsed.success) return;
    const msg = parsed.data;
    if (msg.kind === 'event') {
      listeners.get(msg.stream)?.forEach((l) => l(msg.data));
      return;
    }
    const call = pending.get(msg.id);
    if (!call) return;
    pending.delete(msg.id);
    if (msg.ok) call.resolve(msg.value);
    else {
      // A newer engine may send a code this client does not know: treat it as internal.
      const code: EngineErrorCode = ENGINE_ERROR_CODES.find((c) => c === msg.error.code) ?? 'internal';
      call.reject(new EngineError(code, msg.error.message, msg.error.problems));
    }
  });

  const shutDown = () => {
    if (closed) return;
    closed = true;
    for (const call of pending.values()) call.reject(new EngineError('disconnected', 'the connection to the engine was lost'));
    pending.clear();
    disconnectListeners.forEach((l) => l());
  };
  port.onClose(shutDown);

  const call = (method: string, arg: unknown) =>
    new Promise<unknown>((resolve, reject) => {
      if (closed) return reject(new EngineError('disconnected', 'the connection to the engine was lost'));
      const id = nextId++;
      pending.set(id, { resolve, reject });
      port.send({ kind: 'call', id, method, arg });
    });

  const stream = (name: EngineStream) => (listener: (data: never) => void) => {
    let set = listeners.get(name);
    if (!set) {
      set = new Set();
      listeners.set(name, set);
      if (!closed) port.send({ kind: 'sub', stream: name });
    }
    const l = listener as (data: unknown) => void;
    set.add(l);
    return () => {
      // Idempotent: a repeated call must not tear down a newer subscription to the same stream.
      if (!set.delete(l)) return;
      if (set.size === 0) {
        listeners.delete(name);
        if (!closed) port.send({ kind: 'unsub', stream: name });
      }
    };
  };

  const client: Record<string, unknown> = {
    close() {
      port.close();
      shutDown();
    },
    onDisconnect(l: () => void) {
      disconnectListeners.push(l);
    },
  };
  for (const method of Object.keys(engineApiArgs)) client[method] = (arg?: unknown) => call(method, arg);
  for (const name of engineStreams) client[name] = stream(name);
  return client as unknown as EngineClient;
}
