import { describe, expect, it, vi } from 'vitest';
import type { IpcMainEvent, WebContents } from 'electron';
import { ENGINE_PORT } from '../preload/channels';
import { fakeMessageChannel } from '../engine/host/testing';
import { EnginePortBroker, createMainWindow } from './window';
import { FakeWebContents, type FakeBrowserWindow } from './fake-electron';

vi.mock('electron', () => import('./fake-electron'));

const APP_URL = 'app://millrace/index.html';

function setup(up = true) {
  const engine = { up, connect: vi.fn(() => (engine.up ? fakeMessageChannel().port2 : undefined)) };
  const log = vi.fn();
  // The broker only uses a few WebContents members; the fake has them.
  const broker = new EnginePortBroker(engine as never, log);
  const contents = new FakeWebContents();
  broker.attach(contents as unknown as WebContents);
  const request = (sender: FakeWebContents, senderFrame: unknown) =>
    broker.handleRequest({ sender, senderFrame } as unknown as IpcMainEvent);
  return { engine, broker, contents, log, request };
}

describe('EnginePortBroker', () => {
  it('hands a page exactly one port when it finishes loading', () => {
    const { contents } = setup();
    contents.finishLoad(APP_URL);
    expect(contents.postMessage).toHaveBeenCalledTimes(1);
    const [channel, message, transfer] = contents.postMessage.mock.calls[0] ?? [];
    expect(channel).toBe(ENGINE_PORT);
    expect(message).toBeNull();
    expect(transfer).toHaveLength(1);
  });

  it('does not hand a second port on load when the page already asked for one', () => {
    const { contents, request } = setup();
    contents.mainFrame.url = APP_URL;
    contents.emit('did-navigate');
    request(contents, contents.mainFrame);
    contents.emit('did-finish-load');
    expect(contents.postMessage).toHaveBeenCalledTimes(1);
  });

  it('gives a reloaded page a new port', () => {
    const { contents } = setup();
    contents.finishLoad(APP_URL);
    contents.finishLoad(APP_URL);
    expect(contents.postMessage).toHaveBeenCalledTimes(2);
  });

  it('never hands a port to a page that is not the app', () => {
    const { contents, engine } = setup();
    contents.finishLoad('https://evil.example/');
    expect(contents.postMessage).not.toHaveBeenCalled();
    expect(engine.connect).not.toHaveBeenCalled();
  });

  it('ignores requests from subframes, unknown senders and foreign pages', () => {
    const { contents, request, log } = setup();
    contents.finishLoad(APP_URL);
    contents.postMessage.mockClear();
    request(contents, { url: APP_URL, parent: contents.mainFrame });
    request(contents, null);
    const stranger = new FakeWebContents();
    stranger.mainFrame.url = APP_URL;
    request(stranger, stranger.mainFrame);
    contents.mainFrame.url = 'https://evil.example/';
    request(contents, contents.mainFrame);
    expect(contents.postMessage).not.toHaveBeenCalled();
    expect(stranger.postMessage).not.toHaveBeenCalled();
    expect(log).toHaveBeenCalledTimes(4);
  });

  it('hands every page a fresh port after an engine restart', () => {
    const { contents, broker } = setup();
    contents.finishLoad(APP_URL);
    broker.handOverToAll();
    expect(contents.postMessage).toHaveBeenCalledTimes(2);
    const first = contents.postMessage.mock.calls[0]?.[2]?.[0];
    const second = contents.postMessage.mock.calls[1]?.[2]?.[0];
    expect(second).not.toBe(first);
  });

  it('sends nothing while the engine is down, and forgets destroyed pages', () => {
    const { contents, broker, engine } = setup(false);
    contents.finishLoad(APP_URL);
    expect(contents.postMessage).not.toHaveBeenCalled();
    engine.up = true;
    contents.emit('destroyed');
    broker.handOverToAll();
    expect(contents.postMessage).not.toHaveBeenCalled();
  });
});

describe('createMainWindow', () => {
  it('creates a hidden, secure window, shows it when ready and loads the app', () => {
    const { broker } = setup();
    const window = createMainWindow({ preloadPath: '/p.cjs', broker }) as unknown as FakeBrowserWindow;
    expect(window.options).toMatchObject({ show: false, webPreferences: { preload: '/p.cjs', sandbox: true, contextIsolation: true } });
    expect(window.loadURL).toHaveBeenCalledWith(APP_URL);
    expect(window.show).not.toHaveBeenCalled();
    window.emit('ready-to-show');
    expect(window.show).toHaveBeenCalled();
  });
});
