import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';

const bin = join(__dirname, '..', '..', 'bin', 'millrace.mjs');
const demo = join(__dirname, '..', '..', 'resources', 'demo', 'order-triage.flow.json');

function cli(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000, cwd: options.cwd, env: { ...process.env, ...options.env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A Node stack frame ("    at fn (file:1:2)"): never printed unless --verbose. */
const STACK_FRAME = /^\s+at .+/m;
const COMMANDS = ['serve', 'run', 'validate', 'demo-postgres'];

describe('millrace CLI', () => {
  it('validate: OK for the demo, every problem and exit 1 for a broken flow', () => {
    expect(cli(['validate', demo])).toMatchObject({ code: 0, out: expect.stringMatching(/OK — "Demo: order triage", 5 nodes/) });
    const dir = mkdtempSync(join(tmpdir(), 'millrace-cli-'));
    const flow = JSON.parse(readFileSync(demo, 'utf8')) as { nodes: { config: Record<string, unknown> }[]; edges: unknown[] };
    flow.nodes[2]!.config['operator'] = 'roughly';
    flow.nodes[3]!.config['path'] = '/etc/passwd';
    const file = join(dir, 'broken.json');
    writeFileSync(file, JSON.stringify(flow));
    const r = cli(['validate', file]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/2 problem\(s\)/);
    expect(r.err).toMatch(/node "Large order\?", field "operator"/);
    expect(r.err).toMatch(/node "Queue for review", field "path": use a path relative to the output folder/);
    writeFileSync(file, '{"schemaVersion": 1, "nodes": [');
    expect(cli(['validate', file])).toMatchObject({ code: 1, err: expect.stringMatching(/not valid JSON/) });
    rmSync(dir, { recursive: true, force: true });
  });

  it('run: executes headless with --input and prints a per-node summary', () => {
    const out = mkdtempSync(join(tmpdir(), 'millrace-cli-out-'));
    const r = cli(['run', demo, '--output-dir', out, '--input', '{"orderId":"B-7","customer":{"name":"Grace","tier":"silver"},"amount":20,"items":["tea"]}']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/succeeded/);
    expect(r.out).toMatch(/✓ Summarise \[set-fields@1\]/);
    expect(r.out).toMatch(/– Queue for review .*\n\s+skipped/);
    expect(JSON.parse(readFileSync(join(out, 'demo', 'orders.jsonl'), 'utf8'))).toMatchObject({ orderId: 'B-7', amount: 20 });
    expect(cli(['run', demo, '--input', '{oops'])).toMatchObject({ code: 1, err: expect.stringMatching(/--input is not valid JSON/) });
    rmSync(out, { recursive: true, force: true });
  });

  it('serve: prints a 127.0.0.1 URL with a token and stops on SIGTERM', async () => {
    const data = mkdtempSync(join(tmpdir(), 'millrace-cli-serve-'));
    writeFileSync(join(data, 'index.html'), '<!doctype html><title>ui</title>');
    const child = spawn(process.execPath, [bin, 'serve', '--data-dir', data], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, MILLRACE_RENDERER_DIR: data },
    });
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 60_000);
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /Open: (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(out);
        if (m) {
          clearTimeout(t);
          resolve(m[1]!);
        }
      });
    });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const res = await fetch(url);
    expect(res.status).toBe(200);
    // A stale tab retrying with an old token: one line, then a count, not one line per attempt.
    const stale = url.replace(/token=\S+/, 'token=old').replace('http://', 'ws://').replace('/?', '/api/ws?');
    for (let i = 0; i < 6; i++) {
      await new Promise<void>((resolve) => {
        const ws = new WebSocket(stale);
        ws.on('error', () => resolve());
        ws.on('open', () => resolve());
      });
    }
    const code = await new Promise<number | null>((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGTERM');
    });
    expect(code).toBe(0);
    expect(out).toMatch(/stopped/);
    const refusals = err.split('\n').filter((l) => /refused websocket/.test(l));
    expect(refusals).toEqual([expect.stringMatching(/wrong token$/), expect.stringMatching(/wrong token \(repeated 5 more times\)$/)]);
    rmSync(data, { recursive: true, force: true });
  }, 90_000);

  it('rejects unknown commands with usage', () => {
    expect(cli(['frobnicate'])).toMatchObject({ code: 2, err: expect.stringMatching(/unknown command/) });
  });

  it('--version prints the package version; --help lists every command', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
    expect(cli(['--version'])).toMatchObject({ code: 0, out: `${pkg.version}\n` });
    const help = cli(['--help']);
    expect(help.code).toBe(0);
    for (const c of COMMANDS) expect(help.out).toMatch(new RegExp(`^  ${c} `, 'm'));
  });

  it.each(COMMANDS)('%s: --help exits 0 with its usage; an unknown option is a one-line error with the usage, no stack', (command) => {
    const help = cli([command, '--help']);
    expect(help).toMatchObject({ code: 0, err: '' });
    expect(help.out).toMatch(new RegExp(`^Usage: millrace ${command}`));
    const bad = cli([command, '--bogus']);
    expect(bad.code).toBe(2);
    expect(bad.out).toBe('');
    const lines = bad.err.trim().split('\n');
    expect(lines[0]).toBe(`millrace ${command}: unknown option --bogus`);
    expect(lines[1]).toMatch(new RegExp(`^Usage: millrace ${command}`));
    expect(bad.err).not.toMatch(STACK_FRAME);
    expect(bad.err).not.toMatch(/ERR_PARSE_ARGS/);
  });

  it('run: output goes to the data folder, never the current folder; a node failure is one line (stack with --verbose)', () => {
    const data = mkdtempSync(join(tmpdir(), 'millrace-cli-data-'));
    const cwd = mkdtempSync(join(tmpdir(), 'millrace-cli-cwd-'));
    const input = '{"orderId":"C-1","customer":{"name":"Ada","tier":"gold"},"amount":20,"items":["tea"]}';
    const r = cli(['run', demo, '--input', input], { cwd, env: { MILLRACE_DATA_DIR: data } });
    expect(r.code).toBe(0);
    expect(readFileSync(join(data, 'output', 'demo', 'orders.jsonl'), 'utf8')).toMatch(/"C-1"/);
    expect(readdirSync(cwd)).toEqual([]);
    expect(r.out).toContain(`Output files: ${join(data, 'output')}`);
    // An output "folder" that is a file makes the Write-file node fail.
    const blocker = join(cwd, 'not-a-folder');
    writeFileSync(blocker, 'x');
    const failed = cli(['run', demo, '--input', input, '--output-dir', blocker]);
    expect(failed.code).toBe(1);
    expect(failed.out).toMatch(/✗ Archive order/);
    const failureLines = failed.err.split('\n').filter((l) => /failed/.test(l));
    expect(failureLines).toHaveLength(1);
    expect(failed.err).not.toMatch(STACK_FRAME);
    const verbose = cli(['run', demo, '--input', input, '--output-dir', blocker, '--verbose']);
    expect(verbose.err).toMatch(STACK_FRAME);
    rmSync(data, { recursive: true, force: true });
    rmSync(cwd, { recursive: true, force: true });
  });
});
