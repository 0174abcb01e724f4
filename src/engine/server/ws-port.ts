/**
 * RpcPort over a `ws` WebSocket: JSON text frames. A protocol fault closes that one connection
 * with the matching close code and never reaches the process: `ws` reports bad frames (oversize,
 * invalid UTF-8, RSV1 without an extension, unknown opcode, fragmented control frame) as an
 * 'error' event and closes with 1009/1007/1002 itself, which is only safe with a listener.
 */
import type { WebSocket } from 'ws';
import type { RpcPort } from '../../shared/rpc/protocol';

/** RFC 6455 close codes we send ourselves. */
export const CLOSE_UNSUPPORTED_DATA = 1003;
export const CLOSE_INVALID_PAYLOAD = 1007;

export function wsRpcPort(socket: WebSocket, onError: (error: Error) => void = () => {}): RpcPort {
  socket.on('error', onError);
  return wsRpcPortWithoutErrorHandler(socket);
}

/** The port alone, without the 'error' listener: only for the test proving that listener is needed. */
export function wsRpcPortWithoutErrorHandler(socket: WebSocket): RpcPort {
  return {
    send(message) {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
    },
    onMessage(listener) {
      socket.on('message', (data, isBinary) => {
        if (isBinary) return socket.close(CLOSE_UNSUPPORTED_DATA, 'binary frames are not part of the protocol');
        let parsed: unknown;
        try {
          parsed = JSON.parse(data.toString());
        } catch {
          return socket.close(CLOSE_INVALID_PAYLOAD, 'message is not valid JSON');
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
    backlog() {
      return socket.bufferedAmount;
    },
    abort(code, reason) {
      // A peer that does not read would never see a close frame: send it, then cut the TCP connection.
      if (socket.readyState === socket.OPEN) socket.close(code, reason);
      socket.terminate();
    },
  };
}
