/**
 * Test harness: writes an exported project into a temp folder whose node_modules link to this
 * checkout (the runtime package and the tools), and runs its flow.ts through tsx like a user would.
 */
import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ExportedProject } from '../project';
import { writeProject } from '../project';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const LINKED = ['@types', 'typescript', 'typescript-eslint', '@eslint', 'eslint', 'tsx', '@dbos-inc'];

export function materialize(project: ExportedProject, parent = mkdtempSync(join(tmpdir(), 'millrace-export-'))): string {
  const dir = join(parent, 'project');
  writeProject(dir, project);
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(repoRoot, join(dir, 'node_modules', 'millrace'), 'dir');
  for (const name of LINKED) {
    try {
      symlinkSync(join(repoRoot, 'node_modules', name), join(dir, 'node_modules', name), 'dir');
    } catch {
      // optional tool not installed
    }
  }
  return dir;
}

export interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node <script> args` in `cwd`; resolves when it exits (or is killed after `timeoutMs`). */
export function runNode(script: string, args: string[], cwd: string, options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<ChildResult> {
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, [script, ...args], { cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolveRun({ code, stdout, stderr });
    });
  });
}

export const tsxCli = join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs');
