import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import type { Session, WebContents } from 'electron';
import {
  APP_ORIGIN,
  contentSecurityPolicy,
  hardenSession,
  hardenWebContents,
  isAllowedNavigation,
  isAppUrl,
  secureWebPreferences,
  shouldOpenExternally,
  withContentSecurityPolicy,
} from './security';

describe('secureWebPreferences', () => {
  it('isolates and sandboxes the renderer with no Node and no webview', () => {
    const prefs = secureWebPreferences('/app/out/preload/index.cjs');
    expect(prefs).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    });
  });
});

describe('contentSecurityPolicy', () => {
  const directives = new Map(
    contentSecurityPolicy()
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([name, ...values]) => [name, values]),
  );

  it('allows only our own scripts and connections', () => {
    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(directives.get('img-src')).toEqual(["'self'", 'data:']);
    expect(directives.get('style-src')).toEqual(["'self'", "'unsafe-inline'"]);
  });

  it('forbids plugins, base rewriting and framing', () => {
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
  });

  it('never allows eval or inline scripts', () => {
    expect(contentSecurityPolicy()).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline/);
  });
});

describe('isAppUrl / isAllowedNavigation', () => {
  it('accepts only the app origin', () => {
    expect(isAllowedNavigation('app://millrace/index.html')).toBe(true);
    expect(isAllowedNavigation('app://millrace/')).toBe(true);
    expect(isAllowedNavigation('app://millrace/index.html#/flows/1')).toBe(true);
  });

  it('rejects everything else', () => {
    for (const url of [
      'https://millrace.dev/',
      'http://127.0.0.1:5173/',
      'file:///etc/passwd',
      'app://other/index.html',
      'app://millrace.evil.example/',
      'app://user:pass@millrace/',
      'javascript:alert(1)',
      'data:text/html,<script>1</script>',
      'about:blank',
      'not a url',
      '',
    ]) {
      expect(isAllowedNavigation(url), url).toBe(false);
    }
  });

  it('works for another app origin', () => {
    expect(isAppUrl('http://localhost:5173/x', 'http://localhost:5173')).toBe(true);
    expect(isAppUrl('http://localhost:5174/x', 'http://localhost:5173')).toBe(false);
  });
});

describe('shouldOpenExternally', () => {
  it('opens plain web links', () => {
    expect(shouldOpenExternally('https://docs.millrace.dev/nodes')).toBe(true);
    expect(shouldOpenExternally('http://example.com')).toBe(true);
  });

  it('never hands other schemes to the OS', () => {
    for (const url of [
      'file:///Applications/Calculator.app',
      'smb://attacker/share',
      'javascript:alert(1)',
      'vscode://command',
      'ms-msdt:/id',
      'app://millrace/index.html',
      'https://user:pass@example.com/',
      'not a url',
    ]) {
      expect(shouldOpenExternally(url), url).toBe(false);
    }
  });
});

describe('withContentSecurityPolicy', () => {
  it('replaces any CSP the response had, whatever its case, and keeps other headers', () => {
    const headers = withContentSecurityPolicy({ 'content-security-policy': ["default-src *"], 'Content-Type': ['text/html'] });
    expect(headers).toEqual({ 'Content-Type': ['text/html'], 'Content-Security-Policy': [contentSecurityPolicy()] });
    expect(withContentSecurityPolicy(undefined)).toEqual({ 'Content-Security-Policy': [contentSecurityPolicy()] });
  });
});

type Listener = (...args: never[]) => unknown;

function fakeSession() {
  const handlers: Record<string, Listener> = {};
  const session = {
    setPermissionRequestHandler: (h: Listener) => void (handlers.request = h),
    setPermissionCheckHandler: (h: Listener) => void (handlers.check = h),
    setDevicePermissionHandler: (h: Listener) => void (handlers.device = h),
    webRequest: { onHeadersReceived: (h: Listener) => void (handlers.headers = h) },
  };
  return { session: session as unknown as Session, handlers };
}

describe('hardenSession', () => {
  it('denies every permission request and check', () => {
    const { session, handlers } = fakeSession();
    hardenSession(session);
    for (const permission of ['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read']) {
      const callback = vi.fn();
      (handlers.request as (wc: unknown, p: string, cb: (ok: boolean) => void) => void)({}, permission, callback);
      expect(callback).toHaveBeenCalledWith(false);
    }
    expect((handlers.check as () => boolean)()).toBe(false);
    expect((handlers.device as () => boolean)()).toBe(false);
  });

  it('adds the CSP to app responses only', () => {
    const { session, handlers } = fakeSession();
    hardenSession(session);
    const onHeaders = handlers.headers as (details: unknown, cb: (r: unknown) => void) => void;
    const app = vi.fn();
    onHeaders({ url: `${APP_ORIGIN}/index.html`, responseHeaders: {} }, app);
    expect(app).toHaveBeenCalledWith({ responseHeaders: { 'Content-Security-Policy': [contentSecurityPolicy()] } });
    const other = vi.fn();
    onHeaders({ url: 'https://example.com/', responseHeaders: {} }, other);
    expect(other).toHaveBeenCalledWith({});
  });
});

class FakeContents extends EventEmitter {
  openHandler: ((d: { url: string }) => { action: string }) | undefined;
  setWindowOpenHandler(h: (d: { url: string }) => { action: string }) {
    this.openHandler = h;
  }
  fire(event: string, url: string): boolean {
    let prevented = false;
    this.emit(event, { url, preventDefault: () => (prevented = true) }, url);
    return prevented;
  }
}

describe('hardenWebContents', () => {
  function setup() {
    const contents = new FakeContents();
    const openExternal = vi.fn();
    hardenWebContents(contents as unknown as WebContents, { openExternal });
    return { contents, openExternal };
  }

  it('blocks navigations and redirects away from the app', () => {
    const { contents } = setup();
    expect(contents.fire('will-navigate', 'https://evil.example/')).toBe(true);
    expect(contents.fire('will-redirect', 'https://evil.example/')).toBe(true);
    expect(contents.fire('will-navigate', 'app://millrace/index.html')).toBe(false);
  });

  it('blocks <webview>', () => {
    const { contents } = setup();
    expect(contents.fire('will-attach-webview', '')).toBe(true);
  });

  it('denies every window.open; only web links go to the system browser', () => {
    const { contents, openExternal } = setup();
    expect(contents.openHandler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    expect(contents.openHandler?.({ url: 'app://millrace/index.html' })).toEqual({ action: 'deny' });
    expect(contents.openHandler?.({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(openExternal.mock.calls).toEqual([['https://example.com/']]);
  });
});
