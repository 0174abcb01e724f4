import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  SQLITE_BINDING_ENV,
  electronSqliteBindingPath,
  resolveSqliteNativeBinding,
  sqliteNativeBinding,
  type BindingContext,
} from './native-binding';

const resources = path.join(path.sep, 'opt', 'Millrace', 'resources');
const repo = path.join(path.sep, 'src', 'millrace');
const packaged = path.join(resources, 'native', 'better_sqlite3.node');
const dev = path.join(repo, 'native', 'electron', 'better_sqlite3.node');

function context(overrides: Partial<BindingContext> & { files?: string[] }): BindingContext {
  const files = new Set(overrides.files ?? []);
  return {
    electronVersion: '45.5.0',
    env: {},
    resourcesPath: resources,
    cwd: repo,
    exists: (file) => files.has(file),
    ...overrides,
  };
}

describe('sqliteNativeBinding', () => {
  it('is undefined in plain Node, so better-sqlite3 loads its own node_modules build', () => {
    expect(process.versions.electron).toBeUndefined();
    expect(sqliteNativeBinding()).toBeUndefined();
  });

  it('ignores the Electron paths and the env override outside Electron', () => {
    const ctx = context({ electronVersion: undefined, env: { [SQLITE_BINDING_ENV]: '/x.node' }, files: [packaged, dev] });
    expect(resolveSqliteNativeBinding(ctx)).toBeUndefined();
  });

  it('uses the shipped resources/native build in a packaged app', () => {
    expect(resolveSqliteNativeBinding(context({ files: [packaged, dev] }))).toBe(packaged);
  });

  it('uses native/electron in development', () => {
    expect(resolveSqliteNativeBinding(context({ files: [dev] }))).toBe(dev);
  });

  it('prefers the exact path the main process passes', () => {
    const explicit = path.join(path.sep, 'elsewhere', 'better_sqlite3.node');
    expect(resolveSqliteNativeBinding(context({ env: { [SQLITE_BINDING_ENV]: explicit }, files: [explicit, packaged, dev] }))).toBe(
      explicit,
    );
  });

  it('fails with the command to run when the Electron build is missing', () => {
    expect(() => resolveSqliteNativeBinding(context({ files: [] }))).toThrow(/npm run rebuild:electron/);
    expect(() => resolveSqliteNativeBinding(context({ files: [] }))).toThrow(/Electron 45\.5\.0/);
  });

  it('does not fall back to other candidates when the explicit path is missing', () => {
    const ctx = context({ env: { [SQLITE_BINDING_ENV]: '/missing.node' }, files: [packaged, dev] });
    expect(() => resolveSqliteNativeBinding(ctx)).toThrow(/\/missing\.node/);
  });
});

describe('electronSqliteBindingPath', () => {
  it('maps the app layout to the addon path', () => {
    expect(electronSqliteBindingPath({ isPackaged: true, resourcesPath: resources, appRoot: repo })).toBe(packaged);
    expect(electronSqliteBindingPath({ isPackaged: false, resourcesPath: resources, appRoot: repo })).toBe(dev);
  });
});
