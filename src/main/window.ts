/**
 * The main window, and the broker that gives each page load its own MessagePort to the engine.
 */
import { BrowserWindow, type IpcMainEvent, type MessagePortMain, type WebContents } from 'electron';
import { ENGINE_PORT } from '../preload/channels';
import { APP_ENTRY_URL, isAppUrl, secureWebPreferences } from './security';

export interface EnginePortSource {
  /** A new channel to the engine host; undefined while the host is down. */
  connect(): MessagePortMain | undefined;
}

/**
 * Hands a port to a page when it finishes loading, when it asks (ENGINE_PORT_REQUEST), and to
 * every page after an engine restart. A page that navigates or reloads loses its port, so it gets
 * a new one.
 */
export class EnginePortBroker {
  private readonly pages = new Map<number, { contents: WebContents; hasPort: boolean }>();

  constructor(
    private readonly engine: EnginePortSource,
    private readonly log: (line: string) => void = () => {},
  ) {}

  attach(contents: WebContents): void {
    const page = { contents, hasPort: false };
    this.pages.set(contents.id, page);
    contents.on('did-navigate', () => {
      page.hasPort = false;
    });
    contents.on('did-finish-load', () => {
      if (!page.hasPort) this.handOver(contents);
    });
    contents.once('destroyed', () => this.pages.delete(contents.id));
  }

  /** After an engine restart every page's port is dead. */
  handOverToAll(): void {
    for (const { contents } of this.pages.values()) this.handOver(contents);
  }

  /** ipcMain listener for ENGINE_PORT_REQUEST: only our own pages, only their main frame. */
  handleRequest(event: IpcMainEvent): void {
    const page = this.pages.get(event.sender.id);
    const frame = event.senderFrame;
    // `parent === null` marks the top frame; an iframe, even of our origin, cannot ask for a port.
    if (!page || page.contents !== event.sender || !frame || frame.parent !== null || !isAppUrl(frame.url)) {
      this.log(`ignored an engine port request from ${frame?.url ?? 'an unknown frame'}`);
      return;
    }
    this.handOver(page.contents);
  }

  private handOver(contents: WebContents): void {
    const page = this.pages.get(contents.id);
    if (!page || contents.isDestroyed() || !isAppUrl(contents.getURL())) return;
    const port = this.engine.connect();
    if (!port) return;
    contents.postMessage(ENGINE_PORT, null, [port]);
    page.hasPort = true;
  }
}

export interface MainWindowOptions {
  preloadPath: string;
  broker: EnginePortBroker;
  url?: string;
  log?: (line: string) => void;
}

export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const window = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 960,
    minHeight: 600,
    show: false,
    title: 'Millrace',
    webPreferences: secureWebPreferences(options.preloadPath),
  });
  window.once('ready-to-show', () => window.show());
  options.broker.attach(window.webContents);
  const url = options.url ?? APP_ENTRY_URL;
  window.loadURL(url).catch((error: unknown) => options.log?.(`could not load ${url}: ${String(error)}`));
  return window;
}
