/**
 * A stand-in for the 'electron' module in main-process unit tests (`vi.mock('electron', () =>
 * import('./fake-electron'))`). It models only what our code touches, and records what it is asked
 * to do. Vitest keeps one instance of a mocked module across `vi.resetModules()`, so tests reach
 * it through `await import('electron')` and call `resetFakeElectron()` before each boot.
 */
import { EventEmitter } from 'node:events';
import { vi } from 'vitest';
import { fakeMessageChannel, type FakeMessagePort } from '../engine/host/testing';

export class FakeFrame {
  constructor(
    public url: string,
    public parent: FakeFrame | null = null,
  ) {}
}

let nextWebContentsId = 1;

export class FakeWebContents extends EventEmitter {
  readonly id = nextWebContentsId++;
  readonly mainFrame = new FakeFrame('');
  destroyed = false;
  windowOpenHandler: ((details: { url: string }) => { action: string }) | undefined;
  readonly postMessage = vi.fn((_channel: string, _message: unknown, _transfer?: FakeMessagePort[]) => {});

  getURL(): string {
    return this.mainFrame.url;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }

  /** Simulates a completed main-frame load of `url`. */
  finishLoad(url: string): void {
    this.mainFrame.url = url;
    this.emit('did-navigate', {}, url);
    this.emit('did-finish-load');
  }

  /** Emits a navigation event the way Electron does; returns whether it was prevented. */
  navigate(event: 'will-navigate' | 'will-redirect', url: string): boolean {
    let prevented = false;
    this.emit(event, { url, preventDefault: () => (prevented = true) }, url);
    return prevented;
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static windows: FakeBrowserWindow[] = [];
  static getAllWindows(): FakeBrowserWindow[] {
    return FakeBrowserWindow.windows.filter((w) => !w.destroyed);
  }

  readonly webContents = new FakeWebContents();
  readonly loadURL = vi.fn(async (_url: string) => {});
  readonly show = vi.fn();
  readonly focus = vi.fn();
  readonly restore = vi.fn();
  minimized = false;
  destroyed = false;

  constructor(readonly options: Record<string, unknown>) {
    super();
    FakeBrowserWindow.windows.push(this);
    app.emit('web-contents-created', {}, this.webContents);
  }
  isMinimized(): boolean {
    return this.minimized;
  }
}

export class FakeUtilityProcess extends EventEmitter {
  readonly posted: { message: unknown; ports: FakeMessagePort[] }[] = [];
  readonly kill = vi.fn(() => true);

  constructor(
    readonly modulePath: string,
    readonly args: string[],
    readonly options: Record<string, unknown>,
  ) {
    super();
  }
  postMessage(message: unknown, ports: FakeMessagePort[] = []): void {
    this.posted.push({ message, ports });
  }
  /** The process ends, as after a crash (or a clean shutdown with code 0). */
  exit(code: number): void {
    this.emit('exit', code);
  }
}

export class MessageChannelMain {
  readonly port1: FakeMessagePort;
  readonly port2: FakeMessagePort;
  constructor() {
    const { port1, port2 } = fakeMessageChannel();
    this.port1 = port1;
    this.port2 = port2;
  }
}

/** Records every notification shown; `supported` decides Notification.isSupported(). */
export class Notification extends EventEmitter {
  static shown: Notification[] = [];
  static supported = true;
  static isSupported(): boolean {
    return Notification.supported;
  }
  constructor(readonly options: { title: string; body?: string }) {
    super();
  }
  readonly show = vi.fn(() => void Notification.shown.push(this));
}

type Handler = (...args: never[]) => unknown;

/** The fake app; `singleInstance` decides what requestSingleInstanceLock() answers. */
export const app = Object.assign(new EventEmitter(), {
  enableSandbox: vi.fn(),
  setPath: vi.fn(),
  getPath: vi.fn((name: string) => `/fake/${name}`),
  getAppPath: vi.fn(() => '/fake/app'),
  isPackaged: false,
  singleInstance: true,
  requestSingleInstanceLock: vi.fn((): boolean => app.singleInstance),
  quit: vi.fn(),
  exit: vi.fn(),
  ready: false,
  isReady: vi.fn((): boolean => app.ready),
  whenReady: vi.fn(async () => {
    app.ready = true;
  }),
});

const defaultSession = {
  permissionRequestHandler: undefined as Handler | undefined,
  permissionCheckHandler: undefined as Handler | undefined,
  devicePermissionHandler: undefined as Handler | undefined,
  headersReceived: undefined as Handler | undefined,
  setPermissionRequestHandler: vi.fn((h: Handler) => void (defaultSession.permissionRequestHandler = h)),
  setPermissionCheckHandler: vi.fn((h: Handler) => void (defaultSession.permissionCheckHandler = h)),
  setDevicePermissionHandler: vi.fn((h: Handler) => void (defaultSession.devicePermissionHandler = h)),
  webRequest: { onHeadersReceived: vi.fn((h: Handler) => void (defaultSession.headersReceived = h)) },
};
export const session = { defaultSession };

export const forks: FakeUtilityProcess[] = [];
export const utilityProcess = {
  fork: vi.fn((modulePath: string, args: string[] = [], options: Record<string, unknown> = {}) => {
    const child = new FakeUtilityProcess(modulePath, args, options);
    forks.push(child);
    return child;
  }),
};

export const BrowserWindow = FakeBrowserWindow;
export const ipcMain = new EventEmitter();
export const protocol = { registerSchemesAsPrivileged: vi.fn(), handle: vi.fn() };
export const shell = { openExternal: vi.fn(async (_url: string) => {}) };
export const dialog = {
  showErrorBox: vi.fn(),
  showMessageBox: vi.fn(async (_options: unknown) => ({ response: 1 })),
};

/**
 * safeStorage with a reversible stand-in cipher (XOR, so the "encrypted" bytes never contain the
 * plain text), a selectable Linux backend and an availability switch.
 */
const xor = (bytes: Buffer) => Buffer.from(bytes.map((b) => b ^ 0x5a));
export const safeStorage = {
  available: true,
  backend: 'gnome_libsecret' as 'basic_text' | 'gnome_libsecret' | 'kwallet' | 'kwallet5' | 'kwallet6' | 'unknown',
  isEncryptionAvailable: vi.fn(() => safeStorage.available),
  encryptString: vi.fn((plain: string) => Buffer.concat([Buffer.from('fake1:'), xor(Buffer.from(plain, 'utf8'))])),
  decryptString: vi.fn((encrypted: Buffer) => {
    if (!encrypted.subarray(0, 6).equals(Buffer.from('fake1:'))) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    return xor(encrypted.subarray(6)).toString('utf8');
  }),
  getSelectedStorageBackend: vi.fn(() => safeStorage.backend),
};

/** Back to a fresh, not-yet-ready Electron: no listeners, no windows, no processes, no recorded calls. */
export function resetFakeElectron(): void {
  vi.clearAllMocks();
  for (const emitter of [app, ipcMain]) emitter.removeAllListeners();
  app.ready = false;
  app.singleInstance = true;
  app.isPackaged = false;
  defaultSession.permissionRequestHandler = undefined;
  defaultSession.permissionCheckHandler = undefined;
  defaultSession.devicePermissionHandler = undefined;
  defaultSession.headersReceived = undefined;
  forks.length = 0;
  FakeBrowserWindow.windows = [];
  safeStorage.available = true;
  safeStorage.backend = 'gnome_libsecret';
  Notification.shown = [];
  Notification.supported = true;
}
