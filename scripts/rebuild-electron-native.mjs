#!/usr/bin/env node
/**
 * Builds better-sqlite3 for Electron into native/electron/better_sqlite3.node.
 *
 * node_modules/better-sqlite3/build holds the Node build that tests and `millrace serve` load; this
 * script never writes there. It copies the addon's sources to a temp folder, builds them with
 * node-gyp against Electron's headers, checks the result really carries Electron's ABI, and copies
 * it out. The engine loads it in Electron via `nativeBinding` (src/engine/store/native-binding.ts).
 *
 * Env: MILLRACE_ELECTRON_HEADERS_URL overrides the headers URL (mirrors, tests).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const addonDir = path.join(root, 'node_modules', 'better-sqlite3');
const electronDir = path.join(root, 'node_modules', 'electron');
const outDir = path.join(root, 'native', 'electron');
const distUrl = (process.env.MILLRACE_ELECTRON_HEADERS_URL || 'https://electronjs.org/headers').replace(/\/+$/, '');
const devdir = path.join(os.homedir(), '.cache', 'millrace', 'electron-gyp');
const logFile = path.join(os.tmpdir(), 'millrace-rebuild-electron.log');
const log = [];

class Failure extends Error {}

/** Stops the build; the message becomes the one line on stderr, the details go to the log file. */
function fail(message) {
  throw new Failure(message);
}

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/**
 * The environment for node-gyp, without npm settings that would redirect it. This machine's npm
 * config has nodedir=/usr, which `npm run` exports as npm_config_nodedir: node-gyp would then
 * compile against Node 20's headers while we believe we built for Electron.
 */
function gypEnv() {
  const redirecting = /^npm_config_(nodedir|target|runtime|disturl|dist_url|devdir|arch|target_arch|build_from_source)$/i;
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !redirecting.test(key)));
}

function nodeGyp(args, cwd, timeoutMs) {
  const result = spawnSync(process.execPath, [require.resolve('node-gyp/bin/node-gyp.js'), ...args], {
    cwd,
    env: gypEnv(),
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? `\n${result.error.message}` : ''}`;
  log.push(`$ node-gyp ${args.join(' ')}`, output);
  const errors = output.split('\n').filter((l) => l.startsWith('gyp ERR! ')).map((l) => l.replace(/^gyp ERR! (stack |msg )?/, '').trim());
  const reason =
    errors.find((l) => /error/i.test(l) && !/^(install error|UNCAUGHT EXCEPTION|Error: This is most likely)/.test(l)) ??
    (result.error ? result.error.message : `node-gyp exited with ${result.status}`);
  return { ok: result.status === 0, reason: reason.slice(0, 200) };
}

/**
 * node-gyp only says "most likely network connectivity" when the headers download fails; ask
 * ourselves first so the message names the actual cause. Skipped when the headers are cached.
 */
async function checkHeadersReachable(version) {
  if (existsSync(path.join(devdir, version, 'installVersion'))) return;
  const url = `${distUrl}/v${version}/node-v${version}-headers.tar.gz`;
  try {
    const response = await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(15_000), redirect: 'follow' });
    if (!response.ok) fail(`could not download the Electron ${version} headers: ${url} answered ${response.status}`);
  } catch (error) {
    if (error instanceof Failure) throw error;
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    const code = typeof cause === 'object' && cause !== null && 'code' in cause ? `${cause.code} ` : '';
    const detail = cause instanceof Error ? cause.message : String(cause);
    log.push(`HEAD ${url} failed: ${detail}`);
    fail(`could not download the Electron ${version} headers from ${distUrl} (${code}${detail}); no network here? native/electron/better_sqlite3.node was not built`);
  }
}

async function main() {
  if (!existsSync(path.join(addonDir, 'binding.gyp'))) fail('node_modules/better-sqlite3 is missing; run `npm install` first');
  if (!existsSync(path.join(electronDir, 'package.json'))) fail('node_modules/electron is missing; run `npm install` first');

  const electronVersion = readJson(path.join(electronDir, 'package.json')).version;
  const abiFile = path.join(electronDir, 'abi_version');
  const abi = existsSync(abiFile) ? readFileSync(abiFile, 'utf8').trim() : undefined;
  const addonVersion = readJson(path.join(addonDir, 'package.json')).version;
  const gypArgs = [`--target=${electronVersion}`, '--runtime=electron', `--dist-url=${distUrl}`, `--arch=${process.arch}`, `--devdir=${devdir}`];
  const started = Date.now();

  await checkHeadersReachable(electronVersion);

  const work = mkdtempSync(path.join(os.tmpdir(), 'millrace-electron-sqlite-'));
  try {
    const source = path.join(work, 'better-sqlite3');
    // Sources only: the copy has no build/, and node-gyp runs in the copy, so the Node build is never touched.
    cpSync(addonDir, source, {
      recursive: true,
      filter: (file) => {
        const [first] = path.relative(addonDir, file).split(path.sep);
        return first !== 'build' && first !== 'node_modules';
      },
    });

    const headers = nodeGyp(['install', ...gypArgs], source, 180_000);
    if (!headers.ok) fail(`could not install the Electron ${electronVersion} headers (${headers.reason}); native/electron/better_sqlite3.node was not built`);

    const compiled = nodeGyp(['rebuild', '--release', `--jobs=${os.availableParallelism()}`, ...gypArgs], source, 15 * 60_000);
    if (!compiled.ok) fail(`compiling better-sqlite3 ${addonVersion} for Electron ${electronVersion} failed (${compiled.reason})`);

    const built = path.join(source, 'build', 'Release', 'better_sqlite3.node');
    if (!existsSync(built)) fail(`node-gyp reported success but ${built} does not exist`);
    const binary = readFileSync(built);
    if (abi && !binary.includes(`node_register_module_v${abi}`)) {
      const found = /node_register_module_v(\d+)/.exec(binary.toString('latin1'))?.[1] ?? 'unknown';
      fail(`the build has ABI ${found}, not Electron ${electronVersion}'s ${abi}: node-gyp used the wrong headers`);
    }

    mkdirSync(outDir, { recursive: true });
    copyFileSync(built, path.join(outDir, 'better_sqlite3.node'));
    const info = { electron: electronVersion, abi, betterSqlite3: addonVersion, platform: process.platform, arch: process.arch };
    writeFileSync(path.join(outDir, 'build-info.json'), `${JSON.stringify(info, null, 2)}\n`);
    const seconds = Math.round((Date.now() - started) / 1000);
    console.log(`rebuild:electron: better-sqlite3 ${addonVersion} for Electron ${electronVersion} (ABI ${abi ?? '?'}) → native/electron/better_sqlite3.node in ${seconds} s`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

try {
  await main();
} catch (error) {
  writeFileSync(logFile, log.join('\n'));
  const message = error instanceof Failure ? error.message : `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
  console.error(`rebuild:electron: ${message} (log: ${logFile})`);
  process.exitCode = 1;
}
