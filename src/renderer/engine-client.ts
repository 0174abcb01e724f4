/**
 * The only module that knows how to reach the engine. Web mode: a WebSocket on the page's host
 * with the token from the URL. Electron: a MessagePort handed over by the preload.
 * The live client is kept here, outside the stores, because stores hold serialisable data only.
 */
import { createEngineClient, type EngineClient } from '../shared/rpc/client';
import type { RpcPort } from '../shared/rpc/protocol';
import { EngineError } from '../shared/api';

const TOKEN_KEY = 'millrace.token';
const PORT_MESSAGE = 'millrace:engine-port';

export type ConnectionStatus = 'connecting' | 'connected' | 'disconnected' | 'no-engine' | 'bad-token';

export const BAD_TOKEN_MESSAGE = "This link's token is not valid; open the URL printed by `millrace serve`.";

export interface ConnectionHandlers {
  onStatus(status: ConnectionStatus, detail?: string): void;
  /** Called for the first connection and again after every reconnect. */
  onConnected(client: EngineClient, reconnected: boolean): void;
}

let current: EngineClient | null = null;

/** The connected client; throws an EngineError a user can read when there is none. */
export function engine(): EngineClient {
  if (!current) throw new EngineError('disconnected', 'Not connected to the engine');
  return current;
}

export function isConnected(): boolean {
  return current !== null;
}

/** Reads the token once, hides it from the address bar, and keeps it for reloads of this tab. */
function takeToken(): string | null {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    window.history.replaceState(null, '', url.pathname + url.search + url.hash);
    return fromUrl;
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

function webSocketPort(socket: WebSocket): RpcPort {
  return {
    send(message) {
      if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
    },
    onMessage(listener) {
      socket.addEventListener('message', (event: MessageEvent<unknown>) => {
        if (typeof event.data !== 'string') return;
        let parsed: unknown;
        try {
          parsed = JSON.parse(event.data);
        } catch {
          return;
        }
        listener(parsed);
      });
    },
    onClose(listener) {
      socket.addEventListener('close', () => listener());
    },
    close() {
      socket.close();
    },
  };
}

function messagePortRpc(port: MessagePort): RpcPort {
  const closers: (() => void)[] = [];
  let closed = false;
  const fireClose = () => {
    if (closed) return;
    closed = true;
    closers.forEach((c) => c());
  };
  // Chromium fires `close` on a MessagePort whose other end went away (engine process died).
  port.addEventListener('close', fireClose);
  return {
    send(message) {
      if (!closed) port.postMessage(message);
    },
    onMessage(listener) {
      port.addEventListener('message', (event: MessageEvent<unknown>) => listener(event.data));
      port.start();
    },
    onClose(listener) {
      closers.push(listener);
    },
    close() {
      port.close();
      fireClose();
    },
  };
}

function connectWebSocket(token: string, handlers: ConnectionHandlers) {
  let attempt = 0;
  let everConnected = false;
  const open = () => {
    if (!everConnected) handlers.onStatus('connecting');
    const protocol = window.location.protocol === 'https:' ? 'wss' : 'ws';
    const socket = new WebSocket(`${protocol}://${window.location.host}/api/ws?token=${encodeURIComponent(token)}`);
    let opened = false;
    socket.addEventListener('open', () => {
      opened = true;
      attempt = 0;
      const client = createEngineClient(webSocketPort(socket));
      client.onDisconnect(() => {
        if (current === client) current = null;
        handlers.onStatus('disconnected');
        retry();
      });
      current = client;
      handlers.onStatus('connected');
      handlers.onConnected(client, everConnected);
      everConnected = true;
    });
    socket.addEventListener('close', () => {
      if (!opened) void refusedOrUnreachable();
    });
  };
  /** The engine answers → it refused our token (no point retrying); no answer → it is down. */
  const refusedOrUnreachable = async () => {
    const verdict = await fetch('/api/token-check', { headers: { 'x-millrace-token': token }, cache: 'no-store' })
      .then((r) => r.status)
      .catch(() => 0);
    if (verdict === 401) handlers.onStatus('bad-token', BAD_TOKEN_MESSAGE);
    else retry();
  };
  const retry = () => {
    attempt += 1;
    const delay = Math.min(5000, 300 * 2 ** Math.min(attempt, 5));
    // A browser cannot tell "engine down" from "token refused"; after a while, name the likely fix.
    const hint = attempt >= 8 ? 'If the engine was restarted, open the new address it printed: the access token changes on every start.' : undefined;
    if (everConnected) handlers.onStatus('disconnected', hint);
    else if (attempt >= 5) handlers.onStatus('no-engine', 'Is `millrace serve` still running? Open the address it printed; retrying…');
    window.setTimeout(open, delay);
  };
  open();
}

function waitForElectronPort(handlers: ConnectionHandlers, isElectron: boolean) {
  handlers.onStatus('connecting');
  const onMessage = (event: MessageEvent<unknown>) => {
    const data = event.data;
    const port = event.ports[0];
    if (event.source !== window || typeof data !== 'object' || data === null || !('type' in data)) return;
    if (data.type !== PORT_MESSAGE || !port) return;
    window.removeEventListener('message', onMessage);
    const client = createEngineClient(messagePortRpc(port));
    client.onDisconnect(() => {
      if (current === client) current = null;
      // The main process restarts the engine and hands over a new port.
      handlers.onStatus('disconnected');
      waitForElectronPort(handlers, true);
    });
    current = client;
    handlers.onStatus('connected');
    handlers.onConnected(client, false);
  };
  window.addEventListener('message', onMessage);
  // A preload that posted before this listener existed can answer this request with the port again.
  window.postMessage({ type: `${PORT_MESSAGE}-request` }, '*');
  if (!isElectron) {
    window.setTimeout(() => {
      if (!current) handlers.onStatus('no-engine', 'Open the address printed by `millrace serve` (it carries the access token).');
    }, 3000);
  }
}

/** Starts connecting; handlers are called on every status change. Call once. */
export function connectEngine(handlers: ConnectionHandlers): void {
  const isElectron = navigator.userAgent.includes('Electron');
  const token = isElectron ? null : takeToken();
  if (token) connectWebSocket(token, handlers);
  else waitForElectronPort(handlers, isElectron);
}
