/**
 * Electron main process: app lifecycle, security wiring, the engine host, the window.
 * Bundled to out/main/index.cjs (package.json "main").
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, protocol, session, shell } from 'electron';
import { SQLITE_BINDING_ENV, electronSqliteBindingPath } from '../engine/store/native-binding';
import { ENGINE_PORT_REQUEST } from '../preload/channels';
import { createAppProtocolHandler } from './app-protocol';
import { EngineProcess } from './engine-process';
import { ApprovalNotifier } from './approval-notifications';
import { APP_SCHEME, hardenSession, hardenWebContents } from './security';
import { EnginePortBroker, createMainWindow } from './window';

/** Lets tests and side-by-side profiles use their own data folder. */
const USER_DATA_ENV = 'MILLRACE_USER_DATA_DIR';

const log = (line: string) => console.log(`[millrace] ${line}`);

/** The engine keeps failing: say why, and let the user try again rather than restart the app. */
async function offerEngineRetry(reason: string, host: EngineProcess, broker: EnginePortBroker): Promise<void> {
  const { response } = await dialog.showMessageBox({
    type: 'error',
    title: 'Millrace',
    message: 'The Millrace engine stopped and could not be restarted.',
    detail: reason,
    buttons: ['Try again', 'Quit'],
    defaultId: 0,
    cancelId: 1,
  });
  if (response !== 0) {
    app.quit();
    return;
  }
  host.start();
  broker.handOverToAll();
}

export function main(): void {
  app.enableSandbox();
  const userDataOverride = process.env[USER_DATA_ENV];
  if (userDataOverride) app.setPath('userData', path.resolve(userDataOverride));

  // Must happen before 'ready'. A standard, secure scheme gives the renderer a real origin for CSP 'self'.
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);

  if (!app.requestSingleInstanceLock()) {
    // Another Millrace owns the data folder; it gets focus through 'second-instance'.
    app.quit();
    return;
  }

  // Dev: the repo root (`electron .`). Packaged: resources/app.asar. Both hold out/**.
  const appRoot = app.getAppPath();
  const preloadPath = path.join(appRoot, 'out', 'preload', 'index.cjs');
  const rendererDir = path.join(appRoot, 'out', 'renderer');
  let engine: EngineProcess | undefined;
  let broker: EnginePortBroker | undefined;
  let engineStopped = false;

  const openWindow = () => {
    if (!broker) return;
    createMainWindow({ preloadPath, broker, log });
  };

  app.on('web-contents-created', (_event, contents) =>
    hardenWebContents(contents, { openExternal: (url) => void shell.openExternal(url), log }),
  );

  app.on('second-instance', () => {
    const window = BrowserWindow.getAllWindows()[0];
    if (!window) return openWindow();
    if (window.isMinimized()) window.restore();
    window.focus();
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  app.on('activate', () => {
    if (app.isReady() && BrowserWindow.getAllWindows().length === 0) openWindow();
  });

  app.on('before-quit', (event) => {
    if (engineStopped || !engine) return;
    // Let the engine close SQLite cleanly before the process goes away.
    event.preventDefault();
    void engine.stop().then(() => {
      engineStopped = true;
      app.quit();
    });
  });

  app
    .whenReady()
    .then(() => {
      hardenSession(session.defaultSession);
      protocol.handle(APP_SCHEME, createAppProtocolHandler(rendererDir));
      if (!existsSync(path.join(rendererDir, 'index.html'))) {
        log(`renderer not built: ${rendererDir}/index.html is missing (run \`npm run build:renderer\`)`);
      }

      const host = new EngineProcess({
        entry: path.join(appRoot, 'out', 'engine-host', 'index.cjs'),
        dataDir: path.join(app.getPath('userData'), 'data'),
        env: {
          [SQLITE_BINDING_ENV]: electronSqliteBindingPath({
            isPackaged: app.isPackaged,
            resourcesPath: process.resourcesPath,
            appRoot,
          }),
        },
        log,
        onRestart: () => {
          portBroker.handOverToAll();
          notifier.attach();
        },
        onGiveUp: (reason) => void offerEngineRetry(reason, host, portBroker),
      });
      const portBroker = new EnginePortBroker(host, log);
      engine = host;
      broker = portBroker;

      ipcMain.on(ENGINE_PORT_REQUEST, (event) => portBroker.handleRequest(event));
      host.start();
      const notifier = new ApprovalNotifier({
        connect: () => host.connect(),
        focus: () => {
          const window = BrowserWindow.getAllWindows()[0];
          if (window?.isMinimized()) window.restore();
          window?.focus();
        },
        log,
      });
      notifier.attach();
      openWindow();
    })
    .catch((error: unknown) => {
      dialog.showErrorBox('Millrace could not start', error instanceof Error ? (error.stack ?? error.message) : String(error));
      app.exit(1);
    });
}

main();
