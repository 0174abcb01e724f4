/**
 * Issue 5's "done when", in Debian's Chromium against a real `millrace serve`: add an LLM node
 * between a trigger and a sink, point it at an OpenAI-compatible URL (the fake provider on
 * 127.0.0.1, through the real SDK), test the connection, run, watch the reply stream onto the
 * node, then read prompt, reply, tokens and cost on the canvas and in the run data. Saves
 * docs/llm-screenshot.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { dropFromPalette, openBrowserSession, repoRoot, type BrowserSession, type RunningApp } from './helpers';
import { startFakeLlmProvider, type FakeLlmProvider } from '../src/engine/services/llm/testing/fake-llm-provider';

const REPLY = 'Ada is a happy customer: she owes 42 and wants the invoice by email.';

let session: BrowserSession;
let app: RunningApp;
let fake: FakeLlmProvider;
let page: Page;

beforeAll(async () => {
  fake = await startFakeLlmProvider({ defaultText: REPLY });
  session = await openBrowserSession();
  ({ app, page } = session);
});

afterAll(async () => {
  await session?.close();
  await fake?.close();
});

const nodeOfType = (type: string): Locator => page.locator(`[data-node-type^="${type}@"]`);

async function dragFromPalette(type: string, x: number, y: number) {
  await dropFromPalette(page, type, { x, y });
}

async function connect(from: Locator, fromPort: string, to: Locator, toPort: string) {
  await from.getByTestId(`handle-out-${fromPort}`).dragTo(to.getByTestId(`handle-in-${toPort}`));
}

describe('LLM node in Chromium', () => {
  it('adds an LLM node between a trigger and a sink, runs it, and shows prompt, reply, tokens and cost', async () => {
    await page.goto(app.url);
    await page.waitForSelector('html[data-app-state="ready"]', { timeout: 30_000 });
    await page.getByTestId('new-flow').click();
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(0);

    await dragFromPalette('manual-trigger', 100, 300);
    await dragFromPalette('llm-call', 420, 300);
    await dragFromPalette('write-file', 760, 300);
    const trigger = nodeOfType('manual-trigger');
    const llm = nodeOfType('llm-call');
    const sink = nodeOfType('write-file');
    await connect(trigger, 'out', llm, 'in');
    await connect(llm, 'text', sink, 'in');
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(2);

    await llm.click();
    await page.getByTestId('llm-inspector').waitFor();
    await page.getByTestId('field-baseUrl').fill(fake.baseUrl);
    await page.getByTestId('field-prompt').fill('Summarise this customer for the sales team: {{ $json }}');
    await sink.click();
    await page.getByTestId('field-path').fill('e2e/summaries.jsonl');
    await expect.poll(() => page.getByTestId('save-state').getAttribute('data-state'), { timeout: 10_000 }).toBe('saved');

    // The Test button sends one token through the real SDK to the fake server.
    await llm.click();
    await page.getByTestId('llm-test').click();
    await expect.poll(() => page.getByTestId('llm-test-result').textContent(), { timeout: 10_000 }).toMatch(/gpt-4o-mini answered/);
    expect(fake.requests.at(-1)?.body).toMatchObject({ max_tokens: 1 });

    // Run: the reply streams onto the node, then tokens, cost and latency replace it.
    fake.enqueue({ kind: 'reply', text: REPLY, chunks: 12, chunkDelayMs: 150, usage: { input: 48, output: 17 } });
    await page.getByTestId('run-button').click();
    await expect.poll(() => llm.getByTestId('llm-live').count(), { timeout: 10_000, interval: 50 }).toBe(1);
    for (const n of [trigger, llm, sink]) {
      await expect.poll(() => n.getByTestId('node-status').getAttribute('data-status'), { timeout: 15_000 }).toBe('succeeded');
    }
    await expect.poll(() => llm.getByTestId('llm-stats').textContent()).toContain('65 tok');
    // gpt-4o-mini at $0.15 / $0.60 per million tokens: 48 in + 17 out.
    expect(await llm.getByTestId('llm-cost').textContent()).toBe(`$${((48 * 0.15 + 17 * 0.6) / 1e6).toPrecision(2)}`);
    expect(await llm.getByTestId('llm-reply').textContent()).toBe(REPLY);
    const sent = fake.requests.at(-1)!.body['messages'] as { role: string; content: string }[];
    expect(sent.at(-1)?.content).toBe('Summarise this customer for the sales team: {"customer":"Ada","amount":42}');
    // Write file (v2) writes keyed records; a text input is the record's value.
    expect(JSON.parse(readFileSync(join(app.dataDir, 'output', 'e2e', 'summaries.jsonl'), 'utf8').trim())).toMatchObject({ value: REPLY });

    await llm.click();
    await page.getByTestId('tab-run-data').click();
    await expect.poll(() => page.getByTestId('llm-prompt').textContent()).toBe('Summarise this customer for the sales team: {"customer":"Ada","amount":42}');
    expect(await page.getByTestId('llm-reply-full').textContent()).toBe(REPLY);
    expect(await page.getByTestId('llm-run-tokens').textContent()).toBe('65');
    await page.getByTestId('fit-view').click();
    await page.waitForTimeout(400);
    await page.screenshot({ path: join(repoRoot, 'docs', 'llm-screenshot.png') });

    // With a run selected, typing {{ offers the upstream fields and the preview renders them.
    await page.getByRole('tab', { name: 'Settings' }).click();
    const prompt = page.getByTestId('field-prompt');
    await prompt.fill('Write to {{ cust');
    await expect.poll(() => page.getByTestId('field-prompt-completions').textContent()).toContain('customer');
    await prompt.press('Enter');
    await expect.poll(() => prompt.inputValue()).toBe('Write to {{ customer }}');
    await expect.poll(() => page.getByTestId('field-prompt-preview').textContent()).toContain('Write to Ada');
    await page.getByTestId('field-prompt-preview').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(repoRoot, 'docs', 'llm-inspector.png') });
  });
});
