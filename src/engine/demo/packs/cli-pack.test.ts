/**
 * `millrace pack export` + `millrace pack play --json` as a user runs them (the real bin): a
 * session recorded in folder A plays into a new folder B writing to its own database; a non-empty
 * folder is refused without --force; a refused pack leaves no folder behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestPostgres, type TestPostgres } from '../../triggers/pg/postgres-for-tests';
import { PACK_FLOW_ID, createDatabase, recordSession, sinkRows } from './testing';

const bin = join(__dirname, '..', '..', '..', '..', 'bin', 'millrace.mjs');
const millrace = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000 });

let pg: TestPostgres;
let root: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'millrace-cli-pack-'));
  pg = await startTestPostgres();
}, 60_000);
afterAll(async () => {
  await pg?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('millrace pack', () => {
  it('export writes one pack file; play --json replays it into a new folder with the same sink rows', async () => {
    const urlA = await createDatabase(pg, 'cli_a', true);
    const a = await recordSession(join(root, 'A'), pg, urlA);
    await a.close();
    const file = join(root, 'demo.millrace');

    const exp = millrace('pack', 'export', PACK_FLOW_ID, '--out', file, '--data-dir', join(root, 'A'));
    expect(exp.status, exp.stderr).toBe(0);
    expect(exp.stderr).toContain('"Pack triage": 5 change(s), 5 LLM answer(s), 1 decision(s) written to');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ format: 'millrace-demo-pack', version: 1 });

    const urlB = await createDatabase(pg, 'cli_b');
    const play = millrace('pack', 'play', file, '--data-dir', join(root, 'B'), '--pg-url', urlB, '--json');
    expect(play.status, play.stderr).toBe(0);
    const lines = play.stdout.trim().split('\n');
    expect(lines[0]).toContain('Played "Pack triage"');
    expect(lines.filter((l) => /^\s+run_\S+\s+succeeded/.test(l))).toHaveLength(4);
    expect(lines.filter((l) => /waiting for a decision \(none recorded\)/.test(l))).toHaveLength(1);
    expect(lines.some((l) => /1 decision\(s\) replayed/.test(l))).toBe(true);
    expect(JSON.parse(lines.at(-1)!)).toEqual({
      flowId: PACK_FLOW_ID,
      flowName: 'Pack triage',
      dataDir: join(root, 'B'),
      runs: 5,
      succeeded: 4,
      failed: 0,
      waiting: 1,
      decisionsReplayed: 1,
      unmatchedDecisions: 0,
    });
    expect(await sinkRows(urlB)).toEqual(await sinkRows(urlA));
    // The secret was for the play only: nothing of it is stored in B.
    expect(existsSync(join(root, 'B', 'secrets.json')) ? readFileSync(join(root, 'B', 'secrets.json'), 'utf8') : '').not.toContain(urlB);

    const again = millrace('pack', 'play', file, '--data-dir', join(root, 'B'), '--pg-url', urlB);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain('is not empty; play into a new folder (--data-dir DIR) or add --force');

    writeFileSync(join(root, 'bad.millrace'), JSON.stringify({ format: 'millrace-demo-pack', version: 9 }));
    const bad = millrace('pack', 'play', join(root, 'bad.millrace'), '--data-dir', join(root, 'never'));
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('version 9 is not supported');
    expect(existsSync(join(root, 'never'))).toBe(false);

    const unknown = millrace('pack', 'export', 'nope', '--out', join(root, 'nope.millrace'), '--data-dir', join(root, 'A'));
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toContain('no flow with id "nope"');
    expect(existsSync(join(root, 'nope.millrace'))).toBe(false);

    const noOut = millrace('pack', 'export', PACK_FLOW_ID, '--data-dir', join(root, 'A'));
    expect(noOut.status).toBe(2);
    expect(noOut.stderr).toContain('--out FILE');
  }, 240_000);
});
