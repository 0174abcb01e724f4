/**
 * The demo controls wired to the app: the engine client, the flow actions and toasts; plus the
 * status poll (about once a second while the demo bar is on screen and the tab is visible).
 */
import { useEffect } from 'react';
import { engine } from '../engine-client';
import { describeError, hasUnsavedChanges, saveNow, showSavedFlow } from '../actions';
import { useSession } from '../stores/session-store';
import { createDemoController } from './demo-controller';
import { createPoller } from './demo-poller';

export const DEMO_POLL_MS = 1000;

export function downloadText(fileName: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export const demo = createDemoController({
  api: () => engine(),
  async saveOpenFlow() {
    await saveNow();
    return !hasUnsavedChanges();
  },
  async reopenFlow(flowId) {
    const client = engine();
    useSession.getState().setFlows(await client.listFlows());
    showSavedFlow(await client.getFlow({ id: flowId }));
  },
  toast: (kind, text) => useSession.getState().toast(kind, text),
  describeError,
  download: downloadText,
  copy: (text) => navigator.clipboard.writeText(text),
});

const poller = createPoller(() => demo.refreshStatus(), DEMO_POLL_MS);

/** Polls the demo status while `active` and the tab is visible; stops when hidden or unmounted. */
export function useDemoPolling(active: boolean): void {
  useEffect(() => {
    if (!active) return;
    const sync = () => (document.visibilityState === 'visible' ? poller.start() : poller.stop());
    sync();
    document.addEventListener('visibilitychange', sync);
    return () => {
      document.removeEventListener('visibilitychange', sync);
      poller.stop();
    };
  }, [active]);
}
