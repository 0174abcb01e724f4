/**
 * Security policy of the desktop shell, as pure functions (unit-tested without Electron), plus the
 * two functions that apply it to a session and to every webContents. Nothing here imports
 * 'electron' at runtime: callers pass the Electron objects in.
 */
import type { Session, WebContents, WebPreferences } from 'electron';

/** The renderer is served from `app://millrace/…`, a standard, secure scheme of our own. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'millrace';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
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
  };
}

export function contentSecurityPolicy(): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    // React Flow positions nodes and edges with inline style attributes.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    // The engine is reached over a MessagePort, never over the network.
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function parseUrl(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/**
 * True when `url` belongs to the app's own origin. Compared by scheme and host rather than
 * `URL.origin`, because WHATWG URL reports the origin of a non-special scheme (`app:`) as "null".
 */
export function isAppUrl(url: string, appOrigin: string = APP_ORIGIN): boolean {
  const target = parseUrl(url);
  const app = parseUrl(appOrigin);
  if (!target || !app) return false;
  return (
    target.protocol === app.protocol &&
    target.host === app.host &&
    target.username === '' &&
    target.password === ''
  );
}

/** The only navigation a window may make is within the app itself (reloads, in-app links). */
export function isAllowedNavigation(url: string, appOrigin: string = APP_ORIGIN): boolean {
  return isAppUrl(url, appOrigin);
}

/** Links the user clicks may open in the system browser, but only plain web links. */
export function shouldOpenExternally(url: string): boolean {
  const target = parseUrl(url);
  if (!target) return false;
  if (target.protocol !== 'https:' && target.protocol !== 'http:') return false;
  // Credentials in a link are a phishing pattern; the system browser need not see them.
  return target.username === '' && target.password === '' && target.hostname !== '';
}

/** Response headers with our CSP, replacing any CSP the response already carried. */
export function withContentSecurityPolicy(
  headers: Record<string, string | string[]> | undefined,
): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() !== 'content-security-policy') result[name] = value;
  }
  result['Content-Security-Policy'] = [contentSecurityPolicy()];
  return result;
}

export interface HardenSessionOptions {
  appOrigin?: string;
}

/** Denies every permission and adds the CSP header to every response of the app's own pages. */
export function hardenSession(session: Session, options: HardenSessionOptions = {}): void {
  const appOrigin = options.appOrigin ?? APP_ORIGIN;
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  session.webRequest.onHeadersReceived((details, callback) => {
    if (!isAppUrl(details.url, appOrigin)) {
      callback({});
      return;
    }
    callback({ responseHeaders: withContentSecurityPolicy(details.responseHeaders) });
  });
}

export interface HardenWebContentsOptions {
  appOrigin?: string;
  openExternal: (url: string) => void;
  log?: (line: string) => void;
}

/**
 * Applied to every webContents the app creates: no navigation away from the app, no new windows
 * (web links go to the system browser), no <webview>.
 */
export function hardenWebContents(contents: WebContents, options: HardenWebContentsOptions): void {
  const appOrigin = options.appOrigin ?? APP_ORIGIN;
  const log = options.log ?? (() => {});
  const blockUnlessApp = (event: { url: string; preventDefault(): void }) => {
    if (isAllowedNavigation(event.url, appOrigin)) return;
    event.preventDefault();
    log(`blocked navigation to ${event.url}`);
  };
  contents.on('will-navigate', blockUnlessApp);
  contents.on('will-redirect', blockUnlessApp);
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    log('blocked <webview>');
  });
  contents.setWindowOpenHandler(({ url }) => {
    if (shouldOpenExternally(url)) options.openExternal(url);
    else log(`blocked window.open of ${url}`);
    return { action: 'deny' };
  });
}
