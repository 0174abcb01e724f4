import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const bin = join(__dirname, '..', '..', 'bin', 'millrace.mjs');
const demo = join(__dirname, '..', '..', 'resources', 'demo', 'order-triage.flow.json');

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

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
    const res = await fetch(url);
    expect(res.status).toBe(200);
    const code = await new Promise<number | null>((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGTERM');
    });
    expect(code).toBe(0);
    rmSync(data, { recursive: true, force: true });
  }, 90_000);

  it('rejects unknown commands with usage', () => {
    expect(cli(['frobnicate'])).toMatchObject({ code: 2, err: expect.stringMatching(/unknown command/) });
  });
});
