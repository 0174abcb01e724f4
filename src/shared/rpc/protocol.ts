/** Wire messages of the rpc layer. Both ends parse what they receive. */
import { z } from 'zod';
import { FlowProblemSchema } from '../flow/problems';

export const ClientMessageSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('call'), id: z.number().int().nonnegative(), method: z.string().max(64), arg: z.unknown().optional() }),
  // `sub` names the subscription so one connection can hold several (e.g. a flow's runs and one run); `filter` is per stream.
  z.object({ kind: z.literal('sub'), stream: z.string().max(64), sub: z.number().int().nonnegative().optional(), filter: z.unknown().optional() }),
  z.object({ kind: z.literal('unsub'), stream: z.string().max(64), sub: z.number().int().nonnegative().optional() }),
]);
export type ClientMessage = z.infer<typeof ClientMessageSchema>;

const WireErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  problems: z.array(FlowProblemSchema).optional(),
});
export type WireError = z.infer<typeof WireErrorSchema>;

// A plain union: zod's discriminated unions need distinct discriminator values, and both result shapes share kind "result".
export const ServerMessageSchema = z.union([
  z.object({ kind: z.literal('result'), id: z.number(), ok: z.literal(true), value: z.unknown() }),
  z.object({ kind: z.literal('result'), id: z.number(), ok: z.literal(false), error: WireErrorSchema }),
  z.object({ kind: z.literal('event'), stream: z.string(), sub: z.number().optional(), data: z.unknown() }),
  z.object({ kind: z.literal('resync'), reason: z.string() }),
]);
export type ServerMessage =
  | { kind: 'result'; id: number; ok: true; value: unknown }
  | { kind: 'result'; id: number; ok: false; error: WireError }
  | { kind: 'event'; stream: string; sub?: number; data: unknown }
  /** Events were dropped because this client fell behind: reload state (lists, open traces) now. */
  | { kind: 'resync'; reason: string };

/**
 * A bidirectional message pipe. Adapters exist for WebSocket (JSON text frames), Electron
 * MessagePort (structured clone) and in-memory pairs (tests).
 */
export interface RpcPort {
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  onClose(listener: () => void): void;
  close(): void;
  /** Bytes queued for the peer but not yet written out (WebSocket bufferedAmount); absent where unknown. */
  backlog?(): number;
  /** Drops the connection at once, e.g. a peer that stopped reading; `code`/`reason` where the transport has them. */
  abort?(code: number, reason: string): void;
}

/** Two connected in-memory ports. Delivery is async, like every real transport. */
export function createMemoryPortPair(): [RpcPort, RpcPort] {
  type Side = { listeners: ((m: unknown) => void)[]; closers: (() => void)[]; closed: boolean };
  const a: Side = { listeners: [], closers: [], closed: false };
  const b: Side = { listeners: [], closers: [], closed: false };
  const make = (self: Side, other: Side): RpcPort => ({
    send(message) {
      if (self.closed) throw new Error('port closed');
      // structuredClone: the receiver must never share objects with the sender.
      const copy = structuredClone(message);
      queueMicrotask(() => other.listeners.forEach((l) => l(copy)));
    },
    onMessage: (l) => void self.listeners.push(l),
    onClose: (l) => void self.closers.push(l),
    close() {
      if (self.closed) return;
      self.closed = other.closed = true;
      for (const side of [self, other]) side.closers.forEach((c) => c());
    },
  });
  return [make(a, b), make(b, a)];
}
