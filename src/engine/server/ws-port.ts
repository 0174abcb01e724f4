/** RpcPort over a `ws` WebSocket: JSON text frames, malformed frames dropped. */
import type { WebSocket } from 'ws';
import type { RpcPort } from '../../shared/rpc/protocol';

export function wsRpcPort(socket: WebSocket): RpcPort {
  return {
    send(message) {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
    },
    onMessage(listener) {
      socket.on('message', (data, isBinary) => {
        if (isBinary) return;
        let parsed: unknown;
        try {
          parsed = JSON.parse(data.toString());
        } catch {
          return;
        }
        listener(parsed);
      });
    },
    onClose(listener) {
      socket.on('close', listener);
    },
    close() {
      socket.close();
    },
  };
}
