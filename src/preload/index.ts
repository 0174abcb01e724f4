/**
 * The only bridge between the page and Electron. It passes the engine's MessagePort to the page and
 * relays the page's "I need a port" request; it exposes no API on `window` and no generic IPC.
 * Bundled to CommonJS for the sandbox, where only 'electron' may be required.
 */
import { ipcRenderer } from 'electron';
import { ENGINE_PORT, ENGINE_PORT_REQUEST } from './channels';

ipcRenderer.on(ENGINE_PORT, (event) => {
  const [port, ...extra] = event.ports;
  if (!port || extra.length > 0) return;
  window.postMessage({ type: ENGINE_PORT }, '*', [port]);
});

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  // Only the page itself may ask; a frame or another window posting here is ignored.
  if (event.source !== window) return;
  const data = event.data;
  if (typeof data !== 'object' || data === null || Reflect.get(data, 'type') !== ENGINE_PORT_REQUEST) return;
  ipcRenderer.send(ENGINE_PORT_REQUEST);
});
