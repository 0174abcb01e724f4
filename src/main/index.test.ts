import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ENGINE_PORT, ENGINE_PORT_REQUEST } from '../preload/channels';
import { SQLITE_BINDING_ENV } from '../engine/store/native-binding';
import type { FakeMessagePort } from '../engine/host/testing';

vi.mock('electron', () => import('./fake-electron'));

type Fake = typeof import('./fake-electron');

/** The mocked 'electron' (one instance for the whole file, reset before each boot). */
async function fakeElectron(): Promise<Fake> {
  const fake = (await import('electron')) as unknown as Fake;
  fake.resetFakeElectron();
  return fake;
}

async function boot(): Promise<Fake> {
  vi.resetModules();
  const fake = await fakeElectron();
  await import('./index');
  await vi.waitFor(() => expect(fake.app.ready).toBe(true));
  await new Promise((r) => setTimeout(r, 0));
  return fake;
}

function mainWindow(fake: Fake) {
  const window = fake.BrowserWindow.windows[0];
  if (!window) throw new Error('no window was created');
  return window;
}

/** The port main handed to the page in its n-th ENGINE_PORT message. */
function handedPort(fake: Fake, index = 0): FakeMessagePort {
  const call = mainWindow(fake).webContents.postMessage.mock.calls[index];
  if (!call) throw new Error(`no port #${index} handed over`);
  const [channel, message, transfer] = call;
  expect(channel).toBe(ENGINE_PORT);
  expect(message).toBeNull();
  expect(transfer).toHaveLength(1);
  const port = transfer?.[0];
  if (!port) throw new Error('no port');
  return port;
}

beforeEach(() => {
  vi.spyOn(console, 'log').mockImplementation(() => {});
});

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('main process', () => {
  it('registers app:// as a privileged scheme before ready and sandboxes every renderer', async () => {
    const fake = await boot();
    expect(fake.app.enableSandbox).toHaveBeenCalled();
    expect(fake.protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
    ]);
    expect(fake.protocol.handle).toHaveBeenCalledWith('app', expect.any(Function));
  });

  it('quits without a window or an engine when another instance holds the lock', async () => {
    vi.resetModules();
    const fake = await fakeElectron();
    fake.app.singleInstance = false;
    await import('./index');
    await new Promise((r) => setTimeout(r, 0));
    expect(fake.app.quit).toHaveBeenCalled();
    expect(fake.BrowserWindow.windows).toHaveLength(0);
    expect(fake.forks).toHaveLength(0);
  });

  it('creates the window with the secure preferences and loads the app origin', async () => {
    const fake = await boot();
    const window = mainWindow(fake);
    expect(window.options.webPreferences).toEqual({
      preload: '/fake/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
    });
    expect(window.loadURL).toHaveBeenCalledWith('app://millrace/index.html');
  });

  it('denies every permission and sets the CSP on app responses', async () => {
    const fake = await boot();
    const s = fake.session.defaultSession;
    const callback = vi.fn();
    (s.permissionRequestHandler as (wc: unknown, p: string, cb: (ok: boolean) => void) => void)({}, 'media', callback);
    expect(callback).toHaveBeenCalledWith(false);
    expect((s.permissionCheckHandler as () => boolean)()).toBe(false);
    const headers = vi.fn();
    (s.headersReceived as (d: unknown, cb: unknown) => void)({ url: 'app://millrace/index.html', responseHeaders: {} }, headers);
    expect(headers.mock.calls[0]?.[0].responseHeaders['Content-Security-Policy'][0]).toContain("script-src 'self'");
  });

  it('blocks navigation away from the app and denies window.open', async () => {
    const fake = await boot();
    const contents = mainWindow(fake).webContents;
    expect(contents.navigate('will-navigate', 'https://evil.example/')).toBe(true);
    expect(contents.navigate('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(contents.navigate('will-redirect', 'https://evil.example/')).toBe(true);
    expect(contents.navigate('will-navigate', 'app://millrace/index.html')).toBe(false);
    expect(contents.windowOpenHandler?.({ url: 'https://docs.example/page' })).toEqual({ action: 'deny' });
    expect(fake.shell.openExternal).toHaveBeenCalledWith('https://docs.example/page');
    expect(contents.windowOpenHandler?.({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler?.({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    expect(fake.shell.openExternal).toHaveBeenCalledTimes(1);
  });

  it('starts the engine host in a utilityProcess with the data folder and the Electron SQLite build', async () => {
    const fake = await boot();
    expect(fake.forks).toHaveLength(1);
    const child = fake.forks[0];
    expect(child?.modulePath).toBe('/fake/app/out/engine-host/index.cjs');
    expect(child?.args).toEqual(['--data-dir=/fake/userData/data']);
    expect(child?.options.serviceName).toBe('millrace-engine');
    expect((child?.options.env as Record<string, string>)[SQLITE_BINDING_ENV]).toBe(
      '/fake/app/native/electron/better_sqlite3.node',
    );
  });

  it('hands the page a port connected to the engine host after the page loads', async () => {
    const fake = await boot();
    const contents = mainWindow(fake).webContents;
    expect(contents.postMessage).not.toHaveBeenCalled();
    contents.finishLoad('app://millrace/index.html');
    const pagePort = handedPort(fake);
    // The last connect is the page's (main's approval notifier connects first, at boot).
    const connect = fake.forks[0]?.posted.at(-1);
    expect(connect?.message).toEqual({ type: 'millrace:connect' });
    expect(connect?.ports).toHaveLength(1);
    const hostPort = connect?.ports[0];
    // The two ends are one channel.
    const received = vi.fn();
    hostPort?.on('message', (e: { data: unknown }) => received(e.data));
    hostPort?.start();
    pagePort.postMessage({ hello: 'engine' });
    await vi.waitFor(() => expect(received).toHaveBeenCalledWith({ hello: 'engine' }));
  });

  it('answers a port request only from its own page’s main frame', async () => {
    const fake = await boot();
    const contents = mainWindow(fake).webContents;
    contents.finishLoad('app://millrace/index.html');
    expect(contents.postMessage).toHaveBeenCalledTimes(1);
    fake.ipcMain.emit(ENGINE_PORT_REQUEST, { sender: contents, senderFrame: contents.mainFrame });
    expect(contents.postMessage).toHaveBeenCalledTimes(2);
    fake.ipcMain.emit(ENGINE_PORT_REQUEST, { sender: contents, senderFrame: { url: 'app://millrace/x', parent: contents.mainFrame } });
    const stranger = new fake.FakeWebContents();
    stranger.mainFrame.url = 'app://millrace/index.html';
    fake.ipcMain.emit(ENGINE_PORT_REQUEST, { sender: stranger, senderFrame: stranger.mainFrame });
    expect(contents.postMessage).toHaveBeenCalledTimes(2);
    expect(stranger.postMessage).not.toHaveBeenCalled();
    expect(fake.ipcMain.eventNames()).toEqual([ENGINE_PORT_REQUEST]);
  });

  it('restarts a crashed engine host and hands the page a fresh port', async () => {
    const fake = await boot();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const contents = mainWindow(fake).webContents;
    contents.finishLoad('app://millrace/index.html');
    const first = handedPort(fake, 0);
    fake.forks[0]?.exit(139);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(fake.forks).toHaveLength(2);
    const second = handedPort(fake, 1);
    expect(second).not.toBe(first);
    expect(fake.forks[1]?.posted[0]?.message).toEqual({ type: 'millrace:connect' });
  });

  it('after repeated crashes, says why and restarts the engine when the user asks to try again', async () => {
    const fake = await boot();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    fake.dialog.showMessageBox.mockResolvedValueOnce({ response: 0 });
    const contents = mainWindow(fake).webContents;
    contents.finishLoad('app://millrace/index.html');
    for (let i = 0; i < 6; i++) {
      fake.forks[i]?.emit('message', { type: 'millrace:failed', message: 'the engine could not start: disk full' });
      fake.forks[i]?.exit(1);
      await vi.advanceTimersByTimeAsync(20_000);
    }
    expect(fake.forks).toHaveLength(7);
    expect(fake.dialog.showMessageBox).toHaveBeenCalledTimes(1);
    expect(fake.dialog.showMessageBox.mock.calls[0]?.[0]).toMatchObject({ detail: 'the engine could not start: disk full' });
    expect(fake.forks[6]?.posted[0]?.message).toEqual({ type: 'millrace:connect' });
    expect(handedPort(fake, contents.postMessage.mock.calls.length - 1)).toBeDefined();
    expect(fake.app.quit).not.toHaveBeenCalled();
  });

  it('quits when the user gives up on a failing engine', async () => {
    const fake = await boot();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    for (let i = 0; i < 6; i++) {
      fake.forks[i]?.exit(1);
      await vi.advanceTimersByTimeAsync(20_000);
    }
    expect(fake.forks).toHaveLength(6);
    expect(fake.app.quit).toHaveBeenCalled();
  });

  it('shuts the engine down cleanly before quitting', async () => {
    const fake = await boot();
    const child = fake.forks[0];
    let prevented = false;
    fake.app.emit('before-quit', { preventDefault: () => (prevented = true) });
    expect(prevented).toBe(true);
    expect(child?.posted.at(-1)?.message).toEqual({ type: 'millrace:shutdown' });
    expect(fake.app.quit).not.toHaveBeenCalled();
    child?.exit(0);
    await vi.waitFor(() => expect(fake.app.quit).toHaveBeenCalledTimes(1));
    let preventedAgain = false;
    fake.app.emit('before-quit', { preventDefault: () => (preventedAgain = true) });
    expect(preventedAgain).toBe(false);
    expect(fake.forks).toHaveLength(1);
  });

  it('focuses the existing window when a second instance starts', async () => {
    const fake = await boot();
    const window = mainWindow(fake);
    window.minimized = true;
    fake.app.emit('second-instance');
    expect(window.restore).toHaveBeenCalled();
    expect(window.focus).toHaveBeenCalled();
    expect(fake.BrowserWindow.windows).toHaveLength(1);
  });
});
