/**
 * Desktop notifications for approvals: main keeps its own engine connection (one more port from
 * the engine host) and shows an Electron Notification whenever a request starts waiting. A click
 * brings the window forward. Re-attached after every engine restart (the old port is gone).
 */
import { Notification } from 'electron';
import { createEngineClient, type EngineClient } from '../shared/rpc/client';
import { messagePortRpc, type MessagePortLike } from '../engine/host/message-port-rpc';
import type { ApprovalItem } from '../shared/approvals';

export interface ApprovalNotifierOptions {
  /** A fresh port to the engine host (EngineProcess.connect), or undefined while it is down. */
  connect: () => MessagePortLike | undefined;
  /** Bring the app window forward (a click on the notification). */
  focus: () => void;
  log: (line: string) => void;
}

export function showApprovalNotification(item: ApprovalItem, onClick: () => void): boolean {
  if (!Notification.isSupported()) return false;
  const note = new Notification({
    title: `Approval needed: ${item.title}`,
    body: `${item.flowName} · ${item.nodeName}${item.assignee ? ` · for ${item.assignee}` : ''}`,
  });
  note.on('click', onClick);
  note.show();
  return true;
}

export class ApprovalNotifier {
  private client: EngineClient | null = null;

  constructor(private readonly o: ApprovalNotifierOptions) {}

  attach(): void {
    this.client?.close();
    this.client = null;
    const port = this.o.connect();
    if (!port) return;
    const client = createEngineClient(messagePortRpc(port));
    this.client = client;
    client.onApprovalEvent((e) => {
      if (e.type !== 'approval.opened') return;
      try {
        showApprovalNotification(e.item, this.o.focus);
      } catch (error) {
        this.o.log(`approval notification failed: ${String(error)}`);
      }
    });
  }

  close(): void {
    this.client?.close();
    this.client = null;
  }
}
