/**
 * A typed EngineApi proxy over an RpcPort. The renderer, the CLI and tests all talk to the
 * engine through this, whatever the transport.
 */
import { ENGINE_ERROR_CODES, EngineError, engineApiArgs, engineStreamFilters, engineStreams, type EngineApi, type EngineErrorCode, type EngineMethod, type EngineStream } from '../api';
import { MAX_JSON_DEPTH, MAX_WS_MESSAGE_BYTES, checkJsonLimits, describeLimitProblem } from '../limits';
import { checkArgLimits } from './arg-limits';
import { ServerMessageSchema, type RpcPort } from './protocol';

export interface EngineClient extends EngineApi {
  /** Rejects pending calls and stops streams. */
  close(): void;
  /** Called once when the transport closes (engine gone, socket dropped). */
  onDisconnect(listener: () => void): void;
  /** Called when the engine dropped events because this client fell behind: reload what you show. */
  onResync(listener: (reason: string) => void): () => void;
}

export function createEngineClient(port: RpcPort): EngineClient {
  let nextId = 1;
  let closed = false;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  // One server-side subscription per listener, each with its own filter, keyed by a subscription number.
  const subs = new Map<number, { stream: string; listener: (data: unknown) => void }>();
  let nextSub = 1;
  const disconnectListeners: (() => void)[] = [];
  const resyncListeners = new Set<(reason: string) => void>();

  port.onMessage((raw) => {
    const parsed = ServerMessageSchema.safeParse(raw);
    if (!parsed.success) return;
    const msg = parsed.data;
    if (msg.kind === 'event') {
      if (msg.sub !== undefined) subs.get(msg.sub)?.listener(msg.data);
      else for (const s of subs.values()) if (s.stream === msg.stream) s.listener(msg.data);
      return;
    }
    if (msg.kind === 'resync') {
      resyncListeners.forEach((l) => l(msg.reason));
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
      // Say it here, clearly, rather than fail to serialise (JSON.stringify recurses) or be refused by the engine.
      const depth = checkJsonLimits(arg, { maxDepth: MAX_JSON_DEPTH, maxBytes: MAX_WS_MESSAGE_BYTES - 64 * 1024 });
      if (depth) return reject(new EngineError('invalid_argument', `${method}: ${describeLimitProblem('the argument', depth)}`));
      // The same per-field limits the server applies: a clear error instead of a closed connection or a wasted upload.
      const tooBig = method in engineApiArgs ? checkArgLimits(method as EngineMethod, arg) : null;
      if (tooBig) return reject(new EngineError('invalid_argument', `${method}: ${tooBig}`));
      const id = nextId++;
      pending.set(id, { resolve, reject });
      port.send({ kind: 'call', id, method, arg });
    });

  const stream = (name: EngineStream) => (listener: (data: never) => void, filter?: unknown) => {
    const parsed = engineStreamFilters[name].safeParse(filter);
    if (!parsed.success) throw new EngineError('invalid_argument', `${name}: bad filter: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    const sub = nextSub++;
    subs.set(sub, { stream: name, listener: listener as (data: unknown) => void });
    if (!closed) port.send({ kind: 'sub', stream: name, sub, ...(parsed.data === undefined ? {} : { filter: parsed.data }) });
    return () => {
      // Idempotent: a repeated call must not tear anything else down.
      if (!subs.delete(sub)) return;
      if (!closed) port.send({ kind: 'unsub', stream: name, sub });
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
    onResync(l: (reason: string) => void) {
      resyncListeners.add(l);
      return () => resyncListeners.delete(l);
    },
  };
  for (const method of Object.keys(engineApiArgs)) client[method] = (arg?: unknown) => call(method, arg);
  for (const name of engineStreams) client[name] = stream(name);
  return client as unknown as EngineClient;
}
