import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentTypeFor, createAppProtocolHandler, resolveAppAsset } from './app-protocol';
import { contentSecurityPolicy } from './security';

let root: string;
let outside: string;

beforeAll(() => {
  const base = mkdtempSync(path.join(tmpdir(), 'millrace-protocol-'));
  root = path.join(base, 'renderer');
  outside = path.join(base, 'secret.txt');
  mkdirSync(path.join(root, 'assets'), { recursive: true });
  writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>Millrace</title>');
  writeFileSync(path.join(root, 'assets', 'index-abc.js'), 'console.log(1)');
  writeFileSync(outside, 'do not serve');
});

afterAll(() => rmSync(path.dirname(root), { recursive: true, force: true }));

describe('resolveAppAsset', () => {
  it('maps app URLs into the renderer folder', () => {
    expect(resolveAppAsset('app://millrace/', root)).toBe(path.join(root, 'index.html'));
    expect(resolveAppAsset('app://millrace/index.html?x=1#y', root)).toBe(path.join(root, 'index.html'));
    expect(resolveAppAsset('app://millrace/assets/index-abc.js', root)).toBe(path.join(root, 'assets', 'index-abc.js'));
  });

  it('never leaves the renderer folder', () => {
    for (const url of [
      'app://millrace/../secret.txt',
      'app://millrace/%2e%2e/secret.txt',
      'app://millrace/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      'app://millrace/..%5csecret.txt',
      'app://millrace/index.html%00.js',
      'app://millrace/%E0%A4%A',
      'app://other/index.html',
      'file:///etc/passwd',
    ]) {
      const file = resolveAppAsset(url, root);
      if (file !== undefined) expect(file.startsWith(root + path.sep), url).toBe(true);
      expect(file === outside, url).toBe(false);
    }
    expect(resolveAppAsset('app://millrace/assets/%2e%2e%2f%2e%2e%2fsecret.txt', root)).toBeUndefined();
    expect(resolveAppAsset('app://other/index.html', root)).toBeUndefined();
  });
});

describe('createAppProtocolHandler', () => {
  const handler = () => createAppProtocolHandler(root);

  it('serves files with their type and the CSP', async () => {
    const response = await handler()(new Request('app://millrace/index.html'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(contentSecurityPolicy());
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await response.text()).toContain('<title>Millrace</title>');
  });

  it('answers 404 for missing files and escapes, 405 for writes', async () => {
    expect((await handler()(new Request('app://millrace/missing.js'))).status).toBe(404);
    expect((await handler()(new Request('app://millrace/assets/%2e%2e%2f%2e%2e%2fsecret.txt'))).status).toBe(404);
    expect((await handler()(new Request('app://millrace/index.html', { method: 'POST', body: 'x' }))).status).toBe(405);
  });

  it('knows the types a Vite build emits', () => {
    expect(contentTypeFor('a.js')).toBe('text/javascript; charset=utf-8');
    expect(contentTypeFor('a.CSS')).toBe('text/css; charset=utf-8');
    expect(contentTypeFor('a.woff2')).toBe('font/woff2');
    expect(contentTypeFor('a.unknown')).toBe('application/octet-stream');
  });
});
