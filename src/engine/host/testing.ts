/** Test doubles for Electron's MessageChannelMain / MessagePortMain (no Electron needed). */
import { EventEmitter } from 'node:events';

export class FakeMessagePort extends EventEmitter {
  peer: FakeMessagePort | undefined;
  started = false;
  closed = false;
  private queue: unknown[] = [];

  start(): void {
    this.started = true;
    const queued = this.queue;
    this.queue = [];
    for (const data of queued) this.deliver(data);
  }

  postMessage(message: unknown): void {
    if (this.closed) return;
    // Like the real port: structured clone, asynchronous, queued until the receiver starts.
    const data = structuredClone(message);
    const peer = this.peer;
    if (!peer || peer.closed) return;
    if (peer.started) peer.deliver(data);
    else peer.queue.push(data);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const peer = this.peer;
    if (peer && !peer.closed) {
      peer.closed = true;
      queueMicrotask(() => peer.emit('close'));
    }
  }

  private deliver(data: unknown) {
    queueMicrotask(() => this.emit('message', { data, ports: [] }));
  }
}

export function fakeMessageChannel(): { port1: FakeMessagePort; port2: FakeMessagePort } {
  const port1 = new FakeMessagePort();
  const port2 = new FakeMessagePort();
  port1.peer = port2;
  port2.peer = port1;
  return { port1, port2 };
}
