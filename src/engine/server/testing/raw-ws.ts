/** A hand-rolled WebSocket client for abuse tests: sends frames no well-behaved library would. */
import net from 'node:net';

export interface RawWs {
  socket: net.Socket;
  /** Writes one frame: opcode, payload, and the header bits to set (client frames are always masked, key 0). */
  frame(opts: { opcode: number; payload?: Buffer; fin?: boolean; rsv1?: boolean; claimLength?: number }): void;
  /** The close code the server sent (null if it dropped the connection without one). */
  closed: Promise<number | null>;
}

export function rawWs(port: number, token: string): Promise<RawWs> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    let upgraded = false;
    let settleClose: (code: number | null) => void = () => {};
    const closed = new Promise<number | null>((r) => (settleClose = r));
    socket.on('error', () => settleClose(null));
    socket.on('close', () => settleClose(null));
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (!upgraded) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString();
        buf = buf.subarray(end + 4);
        if (!head.startsWith('HTTP/1.1 101')) return reject(new Error(`handshake refused: ${head.split('\r\n')[0]}`));
        upgraded = true;
        resolve({ socket, frame, closed });
      }
      // Server frames are unmasked; only the close frame matters here.
      while (buf.length >= 2) {
        const opcode = buf[0]! & 0x0f;
        let len = buf[1]! & 0x7f;
        let offset = 2;
        if (len === 126) {
          if (buf.length < 4) return;
          len = buf.readUInt16BE(2);
          offset = 4;
        } else if (len === 127) {
          if (buf.length < 10) return;
          len = Number(buf.readBigUInt64BE(2));
          offset = 10;
        }
        if (buf.length < offset + len) return;
        if (opcode === 0x8) settleClose(len >= 2 ? buf.readUInt16BE(offset) : null);
        buf = buf.subarray(offset + len);
      }
    });
    socket.once('connect', () => {
      socket.write(
        `GET /api/ws?token=${encodeURIComponent(token)} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    function frame(opts: { opcode: number; payload?: Buffer; fin?: boolean; rsv1?: boolean; claimLength?: number }) {
      const payload = opts.payload ?? Buffer.alloc(0);
      const length = opts.claimLength ?? payload.length;
      const first = ((opts.fin ?? true) ? 0x80 : 0) | (opts.rsv1 ? 0x40 : 0) | opts.opcode;
      let header: Buffer;
      if (length < 126) header = Buffer.from([first, 0x80 | length]);
      else if (length < 65536) {
        header = Buffer.from([first, 0x80 | 126, 0, 0]);
        header.writeUInt16BE(length, 2);
      } else {
        header = Buffer.alloc(10);
        header[0] = first;
        header[1] = 0x80 | 127;
        header.writeBigUInt64BE(BigInt(length), 2);
      }
      socket.write(Buffer.concat([header, Buffer.from([0, 0, 0, 0]), payload]));
    }
  });
}
