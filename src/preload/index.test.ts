import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ENGINE_PORT, ENGINE_PORT_REQUEST } from './channels';

const electron = vi.hoisted(() => ({
  ipcRenderer: { on: vi.fn(), send: vi.fn(), invoke: vi.fn(), sendSync: vi.fn(), postMessage: vi.fn() },
  contextBridge: { exposeInMainWorld: vi.fn(), exposeInIsolatedWorld: vi.fn() },
}));
vi.mock('electron', () => electron);

class FakeWindow extends EventTarget {
  postMessage = vi.fn();
}

let fakeWindow: FakeWindow;
let ownKeysBefore: string[];

beforeEach(async () => {
  vi.resetModules();
  vi.clearAllMocks();
  fakeWindow = new FakeWindow();
  ownKeysBefore = Reflect.ownKeys(fakeWindow).map(String);
  vi.stubGlobal('window', fakeWindow);
  await import('./index');
});

function portListener(): (event: { ports: unknown[] }) => void {
  expect(electron.ipcRenderer.on).toHaveBeenCalledTimes(1);
  const [channel, listener] = electron.ipcRenderer.on.mock.calls[0] ?? [];
  expect(channel).toBe(ENGINE_PORT);
  return listener;
}

function pageMessage(data: unknown, source: unknown) {
  fakeWindow.dispatchEvent(Object.assign(new Event('message'), { data, source }));
}

describe('preload', () => {
  it('forwards exactly one port from main to the page', () => {
    const port = { fake: 'port' };
    portListener()({ ports: [port] });
    expect(fakeWindow.postMessage).toHaveBeenCalledTimes(1);
    expect(fakeWindow.postMessage).toHaveBeenCalledWith({ type: ENGINE_PORT }, '*', [port]);
  });

  it('ignores port messages with no port or more than one', () => {
    const listener = portListener();
    listener({ ports: [] });
    listener({ ports: [{}, {}] });
    expect(fakeWindow.postMessage).not.toHaveBeenCalled();
  });

  it('exposes nothing to the page and opens no generic IPC', () => {
    expect(electron.contextBridge.exposeInMainWorld).not.toHaveBeenCalled();
    expect(electron.contextBridge.exposeInIsolatedWorld).not.toHaveBeenCalled();
    expect(Reflect.ownKeys(fakeWindow).map(String)).toEqual(ownKeysBefore);
    expect(electron.ipcRenderer.invoke).not.toHaveBeenCalled();
    expect(electron.ipcRenderer.sendSync).not.toHaveBeenCalled();
    expect(electron.ipcRenderer.on.mock.calls.map((call) => call[0])).toEqual([ENGINE_PORT]);
  });

  it('relays the page’s port request to main, with no payload', () => {
    pageMessage({ type: ENGINE_PORT_REQUEST, extra: 'ignored' }, fakeWindow);
    expect(electron.ipcRenderer.send).toHaveBeenCalledTimes(1);
    expect(electron.ipcRenderer.send).toHaveBeenCalledWith(ENGINE_PORT_REQUEST);
  });

  it('ignores requests from other windows or frames, and other messages', () => {
    pageMessage({ type: ENGINE_PORT_REQUEST }, {});
    pageMessage({ type: ENGINE_PORT_REQUEST }, null);
    pageMessage({ type: 'something-else' }, fakeWindow);
    pageMessage('millrace:engine-port-request', fakeWindow);
    pageMessage(null, fakeWindow);
    expect(electron.ipcRenderer.send).not.toHaveBeenCalled();
  });
});
