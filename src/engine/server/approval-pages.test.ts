import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, type Engine } from '../engine';
import { startWebServer, type WebServer } from './web-server';
import { testRegistry } from '../testing/test-nodes';
import { approvalFlow, openLink, postLink, until } from '../approvals/testing';
import type { ApprovalItem } from '../../shared/approvals';

let dir: string;
let engine: Engine;
let server: WebServer;
let base: string;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'millrace-approval-pages-'));
  mkdirSync(join(dir, 'renderer'));
  engine = createEngine({ dataDir: dir, registry: testRegistry, seedDemo: false });
  server = await startWebServer({ engine, approvals: engine.approvals, rendererDir: join(dir, 'renderer') });
  base = `http://127.0.0.1:${server.port}`;
});
afterEach(async () => {
  await server.close();
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

async function pending(input: unknown = undefined, config: Record<string, unknown> = {}): Promise<ApprovalItem> {
  await engine.saveFlow({ flow: approvalFlow('f', config) });
  const { runId } = await engine.startRun({ flowId: 'f', ...(input === undefined ? {} : { input }) });
  let item: ApprovalItem | undefined;
  await until(async () => {
    item = (await engine.listApprovals({})).find((a) => a.runId === runId);
    return item !== undefined && (await engine.getRunTrace({ runId })).run.status === 'waiting';
  });
  return item!;
}

/** The records the sink wrote, without the idempotency key the keyed file sink adds to each. */
const outputLines = (file: string) =>
  readFileSync(join(engine.outputDir, file), 'utf8').trim().split('\n').map((l) => {
    const { _key: _ignored, ...record } = JSON.parse(l) as Record<string, unknown>;
    return record;
  });

describe('decision links', () => {
  it('shows the data without app chrome or script, escapes every value, and never exposes the UI token', async () => {
    const item = await pending({ ticket: 1, category: 'bug', note: '<script>alert(1)</script>"\'&' });
    const res = await fetch(base + item.linkPath!);
    const html = await res.text();
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).not.toMatch(/script-src/); // default-src 'none' forbids every script
    expect(csp).toMatch(/form-action 'self'/);
    expect(res.headers.get('referrer-policy')).toBe('same-origin');
    expect(res.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain(server.token);
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('Check ticket 1');
    expect(html).toMatch(/<form method="post"/);
  });

  it('decides with a plain form POST (edits, comment, name), then says what was decided, by whom, when', async () => {
    const item = await pending();
    const url = base + item.linkPath!;
    const page = await openLink(url);
    const r = await postLink(url, page, { action: 'approve', comment: 'ok after fix', name: 'Grace', fields: { category: 'billing', priority: '5' } });
    expect(r.status).toBe(200);
    expect(r.html).toContain('Approved by Grace (link)');
    expect((await engine.waitForRun(item.runId)).run.status).toBe('succeeded');
    expect(outputLines('approved.jsonl')).toEqual([{ ticket: 1, category: 'billing', priority: 5 }]);

    const again = await openLink(url);
    expect(again.html).toContain('Already decided: approved by Grace (link) at');
    expect(again.csrf).toBeNull(); // no form: a used link cannot decide again
    const replay = await postLink(url, page, { action: 'reject' });
    expect(replay.status).toBe(409);
    expect(replay.html).toContain('already decided: approved by Grace (link)');
  });

  it('refuses schema-violating edits with the field errors and keeps what was typed', async () => {
    const item = await pending();
    const url = base + item.linkPath!;
    const page = await openLink(url);
    const r = await postLink(url, page, { action: 'approve', fields: { category: 'bug', priority: 'lots' } });
    expect(r.status).toBe(422);
    expect(r.html).toContain('<span class="err">must be a number</span>');
    expect(r.html).toContain('value="lots"');
    expect((await engine.listApprovals({}))[0]!.status).toBe('pending');
  });

  it('refuses a post without the page cookie + CSRF token, or from a foreign origin', async () => {
    const item = await pending();
    const url = base + item.linkPath!;
    const page = await openLink(url);
    expect((await postLink(url, { ...page, cookie: null }, { action: 'approve' })).status).toBe(403);
    expect((await postLink(url, { ...page, csrf: 'x'.repeat(43) }, { action: 'approve' })).status).toBe(403);
    const other = await openLink(url); // another browser: its own cookie
    expect((await postLink(url, { ...page, cookie: other.cookie }, { action: 'approve' })).status).toBe(403);
    const foreign = await fetch(url, { method: 'POST', headers: { origin: 'http://evil.example', cookie: page.cookie!, 'content-type': 'application/x-www-form-urlencoded' }, body: `csrf=${page.csrf}&action=approve` });
    expect(foreign.status).toBe(403);
    expect((await engine.listApprovals({}))[0]!.status).toBe('pending');
  });

  it('a link to data a re-run has replaced is refused with "this request was replaced"', async () => {
    const item = await pending();
    const url = base + item.linkPath!;
    const page = await openLink(url);
    const { runId } = await engine.rerun({ runId: item.runId, fromNodeId: 'review', input: { ticket: 1, category: 'question' } });
    await until(async () => (await engine.listApprovals({})).some((a) => a.runId === runId));
    const shown = await openLink(url);
    expect(shown.status).toBe(410);
    expect(shown.html).toContain('This request was replaced by run');
    const r = await postLink(url, page, { action: 'approve' });
    expect(r.status).toBe(409);
    expect(r.html).toContain('this request was replaced');
  });

  it('refuses forged tokens, in the same time whether or not they resemble a real one', async () => {
    const item = await pending();
    const real = item.linkPath!.slice('/approve/'.length);
    const near = real.slice(0, 40) + (real[40] === 'A' ? 'B' : 'A') + real.slice(41);
    for (const forged of [near, 'A'.repeat(43), 'short', '..%2F..%2Fetc%2Fpasswd', '%3Cscript%3E', '%E0%A4%A']) {
      const r = await fetch(`${base}/approve/${forged}`);
      expect(r.status).toBe(404);
      expect(await r.text()).toContain('This decision link is not valid');
    }
    // Timing: the refusal hashes the token and looks the hash up; a near miss costs what a random one does.
    const time = (token: string) => {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < 200; i++) engine.approvals.byToken(token);
      return Number(process.hrtime.bigint() - t0);
    };
    const random = 'Z'.repeat(43);
    const nearTimes: number[] = [];
    const randomTimes: number[] = [];
    for (let round = 0; round < 41; round++) {
      nearTimes.push(time(near)); // interleaved, so load on the shared machine hits both alike
      randomTimes.push(time(random));
    }
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const ratio = median(nearTimes) / median(randomTimes);
    expect(ratio).toBeGreaterThan(0.6);
    expect(ratio).toBeLessThan(1.6);
    expect(engine.approvals.byToken(real)?.id).toBe(item.requestId);
  });
});
