/** RpcPort over an Electron MessagePortMain (structured clone, no JSON). */
import type { RpcPort } from '../../shared/rpc/protocol';

/** The part of Electron's MessagePortMain we use, declared here so this file never loads 'electron'. */
export interface MessagePortLike {
  start(): void;
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  close(): void;
}

export function messagePortRpc(port: MessagePortLike): RpcPort {
  let closed = false;
  let started = false;
  const closeListeners: (() => void)[] = [];
  const markClosed = () => {
    if (closed) return;
    closed = true;
    for (const listener of closeListeners) listener();
  };
  port.on('close', markClosed);
  return {
    send(message) {
      if (!closed) port.postMessage(message);
    },
    onMessage(listener) {
      port.on('message', (event) => listener(event.data));
      // A MessagePortMain queues messages until start(); start only once someone listens.
      if (!started) {
        started = true;
        port.start();
      }
    },
    onClose(listener) {
      closeListeners.push(listener);
    },
    close() {
      if (closed) return;
      port.close();
      markClosed();
    },
  };
}
