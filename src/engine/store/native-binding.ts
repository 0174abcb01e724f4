/**
 * Which better-sqlite3 native addon to load. Plain Node (tests, `millrace serve`) uses the build in
 * node_modules. Electron has another ABI, so it loads a separate build that
 * `npm run rebuild:electron` writes to native/electron/ and electron-builder ships as
 * resources/native/; node_modules/better-sqlite3/build stays the Node build the tests need.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

/** Set by the Electron main process on the engine host it forks: the exact addon to load. */
export const SQLITE_BINDING_ENV = 'MILLRACE_SQLITE_BINDING';

export const SQLITE_ADDON_FILE = 'better_sqlite3.node';

export interface ElectronAppLayout {
  isPackaged: boolean;
  /** `process.resourcesPath` of the Electron app. */
  resourcesPath: string;
  /** The app's root folder in development (where package.json and native/ live). */
  appRoot: string;
}

/** Where the Electron build of the addon lives: shipped resources when packaged, native/electron/ in dev. */
export function electronSqliteBindingPath(layout: ElectronAppLayout): string {
  return layout.isPackaged
    ? path.join(layout.resourcesPath, 'native', SQLITE_ADDON_FILE)
    : path.join(layout.appRoot, 'native', 'electron', SQLITE_ADDON_FILE);
}

export interface BindingContext {
  /** `process.versions.electron`: undefined in plain Node. */
  electronVersion: string | undefined;
  env: Record<string, string | undefined>;
  resourcesPath: string | undefined;
  cwd: string;
  exists: (file: string) => boolean;
}

export function resolveSqliteNativeBinding(context: BindingContext): string | undefined {
  if (!context.electronVersion) return undefined;
  const explicit = context.env[SQLITE_BINDING_ENV];
  const candidates = explicit
    ? [explicit]
    : [
        ...(context.resourcesPath
          ? [electronSqliteBindingPath({ isPackaged: true, resourcesPath: context.resourcesPath, appRoot: context.cwd })]
          : []),
        electronSqliteBindingPath({ isPackaged: false, resourcesPath: '', appRoot: context.cwd }),
      ];
  const found = candidates.find((file) => context.exists(file));
  if (found) return found;
  // Loading the Node build instead would fail later with an opaque NODE_MODULE_VERSION error.
  throw new Error(
    `better-sqlite3 built for Electron ${context.electronVersion} not found (looked for ${candidates.join(', ')}). ` +
      'Run `npm run rebuild:electron` to build it into native/electron/.',
  );
}

/** The `nativeBinding` option for `new Database(file, { nativeBinding })`; undefined in plain Node. */
export function sqliteNativeBinding(): string | undefined {
  const resourcesPath: unknown = Reflect.get(process, 'resourcesPath');
  return resolveSqliteNativeBinding({
    electronVersion: process.versions.electron,
    env: process.env,
    resourcesPath: typeof resourcesPath === 'string' ? resourcesPath : undefined,
    cwd: process.cwd(),
    exists: existsSync,
  });
}
