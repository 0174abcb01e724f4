/** Connects to a running web-mode engine from Node (tests, scripts): an EngineClient over `ws`. */
import { WebSocket } from 'ws';
import { createEngineClient, type EngineClient } from '../../shared/rpc/client';
import { wsRpcPort } from './ws-port';

export function connectEngine(wsUrl: string, headers: Record<string, string> = {}): Promise<EngineClient> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl, { headers });
    socket.once('open', () => resolve(createEngineClient(wsRpcPort(socket))));
    socket.once('unexpected-response', (_req, res) => reject(new Error(`engine refused the connection: HTTP ${res.statusCode}`)));
    socket.once('error', reject);
  });
}
