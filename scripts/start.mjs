#!/usr/bin/env node
/**
 * `npm start`: the desktop app where Electron can run, web mode everywhere else.
 *
 * Desktop needs the Electron binary (checked without triggering its download, which is what
 * `require('electron')` would do) and a display. Without either, it says why in one line and runs
 * `millrace serve --demo`, which prints the URL to open. `npm start -- --web` forces web mode.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/** Mirrors node_modules/electron/index.js, minus its download: path.txt names the binary in dist/. */
export function electronBinary(env = process.env) {
  const electronDir = path.join(root, 'node_modules', 'electron');
  const pathFile = path.join(electronDir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : '';
  let binary;
  if (env.ELECTRON_OVERRIDE_DIST_PATH) binary = path.join(env.ELECTRON_OVERRIDE_DIST_PATH, relative || 'electron');
  else if (relative) binary = path.join(electronDir, 'dist', relative);
  return binary && existsSync(binary) ? binary : undefined;
}

export function hasDisplay(platform = process.platform, env = process.env) {
  if (platform === 'darwin' || platform === 'win32') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

/** Why the desktop app cannot start here, or undefined when it can. */
export function webModeReason(argv = process.argv.slice(2), env = process.env, platform = process.platform) {
  if (argv.includes('--web')) return '--web given';
  if (!electronBinary(env)) return 'Electron binary not available here';
  if (!hasDisplay(platform, env)) return 'no display (DISPLAY/WAYLAND_DISPLAY unset)';
  return undefined;
}

/** Runs a child with our stdio, passes on the signals we get, and ends with its exit status. */
function runForwarding(command, args, env = process.env) {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit', env });
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const forward = (signal) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  for (const signal of signals) process.on(signal, forward);
  child.on('error', (error) => {
    console.error(`start: could not run ${command}: ${error.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    for (const s of signals) process.off(s, forward);
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
}

/** Runs a build step; stops `npm start` with its status if it fails. */
function step(label, args) {
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`start: ${label} failed`);
    process.exit(result.status ?? 1);
  }
}

function electronNativeIsCurrent() {
  const info = path.join(root, 'native', 'electron', 'build-info.json');
  if (!existsSync(path.join(root, 'native', 'electron', 'better_sqlite3.node')) || !existsSync(info)) return false;
  const electronVersion = JSON.parse(readFileSync(path.join(root, 'node_modules', 'electron', 'package.json'), 'utf8')).version;
  return JSON.parse(readFileSync(info, 'utf8')).electron === electronVersion;
}

function startDesktop(binary) {
  step('renderer build', [require.resolve('vite/bin/vite.js'), 'build']);
  step('desktop build', [path.join(root, 'scripts', 'build-desktop.mjs')]);
  if (!electronNativeIsCurrent()) step('better-sqlite3 build for Electron', [path.join(root, 'scripts', 'rebuild-electron-native.mjs')]);
  const env = { ...process.env };
  // Set by some tools; it would make the binary behave as plain Node and ignore our app.
  delete env.ELECTRON_RUN_AS_NODE;
  runForwarding(binary, ['.'], env);
}

function startWeb(reason) {
  const cli = path.join(root, 'bin', 'millrace.mjs');
  if (!existsSync(cli)) {
    console.error(`${reason}, and web mode is missing too (${path.relative(root, cli)} not found)`);
    process.exit(1);
  }
  console.log(`${reason} — starting web mode instead`);
  runForwarding(process.execPath, [cli, 'serve', '--demo']);
}

/**
 * Electron's own postinstall download is denied in package.json `allowScripts` (it cannot run
 * offline, and `npm ci` must stay clean); the binary is fetched here, the first time the desktop
 * app is wanted on a machine with a display. A failure leaves web mode as the answer.
 */
function fetchElectronBinaryOnce(argv = process.argv.slice(2), env = process.env) {
  if (argv.includes('--web') || electronBinary(env) || !hasDisplay(process.platform, env)) return;
  const installer = path.join(root, 'node_modules', 'electron', 'install.js');
  if (!existsSync(installer)) return;
  console.log('Downloading the Electron binary once (npm ci does not)…');
  spawnSync(process.execPath, [installer], { cwd: path.dirname(installer), stdio: 'inherit', timeout: 10 * 60_000 });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  fetchElectronBinaryOnce();
  const reason = webModeReason();
  const binary = electronBinary();
  if (reason || !binary) startWeb(reason ?? 'Electron binary not available here');
  else startDesktop(binary);
}
