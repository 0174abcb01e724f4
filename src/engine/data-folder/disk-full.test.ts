/**
 * Disk full on a real (small) tmpfs: saving a secret fails with a clear error, leaves no temp
 * file and keeps the stored secrets; once space returns it works again, and the database passes
 * its integrity check. Needs root to mount; elsewhere the suite is skipped and says why.
 * A run in flight when the disk fills waits (its batch is retried, store/group-commit.ts) and
 * finishes by itself once space returns.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createEngine, type Engine } from '../engine';

const mountPoint = mkdtempSync(join(tmpdir(), 'millrace-diskfull-'));
const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', mountPoint], { encoding: 'utf8' });
const canMount = mount.status === 0;
if (!canMount) console.log(`[disk full] skipped: cannot mount a tmpfs here (${(mount.stderr || mount.error?.message || 'unknown').trim()}); run as root to include it`);

const data = join(mountPoint, 'data');
const filler = join(mountPoint, 'filler');
let engine: Engine;

/** Fills the file system to the last few KB. */
function fillDisk() {
  const fd = openSync(filler, 'w');
  const chunk = Buffer.alloc(4096, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (e) {
    expect((e as { code?: string }).code).toBe('ENOSPC');
  } finally {
    closeSync(fd);
  }
}

const leftovers = () => readdirSync(data).filter((f) => f.endsWith('.tmp'));

describe.skipIf(!canMount)('disk full (tmpfs)', () => {
  beforeAll(() => {
    engine = createEngine({ dataDir: data, seedDemo: false, log: () => {} });
  });
  afterAll(async () => {
    await engine?.close();
    spawnSync('umount', [mountPoint]);
    rmSync(mountPoint, { recursive: true, force: true });
  });

  it('the old way (plain write to a temp file) leaves a torn temp file behind: what the test must catch', () => {
    fillDisk();
    const temp = join(data, 'secrets.json.1.tmp');
    expect(() => writeFileSync(temp, 'x'.repeat(64 * 1024))).toThrow(/ENOSPC/);
    expect(existsSync(temp)).toBe(true);
    rmSync(temp);
    rmSync(filler);
  });

  it('setSecret on a full disk: a clear error, no temp file, the stored secrets unchanged; works again once space returns', async () => {
    await engine.setSecret({ name: 'KEEP', value: 'kept-value' });
    fillDisk();
    const error = await engine.setSecret({ name: 'BIG', value: 'v'.repeat(20_000) }).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    expect(error?.message).toMatch(/could not save .*secrets\.json: the disk is full — free some space and try again; the stored secrets are unchanged/);
    expect(leftovers()).toEqual([]);
    const stored = JSON.parse(readFileSync(join(data, 'secrets.json'), 'utf8')) as { secrets: Record<string, string> };
    expect(stored.secrets).toEqual({ KEEP: 'kept-value' });
    expect((await engine.listSecrets()).map((s) => s.name)).toEqual(['KEEP']);

    rmSync(filler);
    await engine.setSecret({ name: 'BIG', value: 'v'.repeat(20_000) });
    expect((await engine.listSecrets()).map((s) => s.name).sort()).toEqual(['BIG', 'KEEP']);
    expect(leftovers()).toEqual([]);
  });

  it('a run in flight when the disk fills waits, new runs are refused with a clear error, and the run finishes by itself once space returns (no restart, no torn line)', async () => {
    // The HTTP node's answer is held until the disk is full: everything the run records after it needs space.
    let release: () => void = () => {};
    let requested: () => void = () => {};
    const gotRequest = new Promise<void>((r) => (requested = r));
    const server = createServer((req, res) => {
      requested();
      new Promise<void>((r) => (release = r)).then(() => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, pad: 'p'.repeat(30_000) })), () => {});
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slow`;
      await engine.saveFlow({
        flow: {
          schemaVersion: 1,
          id: 'full',
          name: 'Disk full',
          nodes: [
            { id: 't', type: 'manual-trigger@1', name: 'Start', position: { x: 0, y: 0 }, config: {} },
            { id: 'h', type: 'http-request@1', name: 'Slow', position: { x: 200, y: 0 }, config: { method: 'GET', url } },
            { id: 'f', type: 'write-file@2', name: 'Record', position: { x: 400, y: 0 }, config: { path: 'full.jsonl', format: 'jsonl', line: '' } },
          ],
          edges: [
            { id: 'e1', source: 't', sourcePort: 'out', target: 'h', targetPort: 'in' },
            { id: 'e2', source: 'h', sourcePort: 'out', target: 'f', targetPort: 'in' },
          ],
        },
      });
      const { runId } = await engine.startRun({ flowId: 'full', input: { n: 1 } });
      await gotRequest;
      fillDisk();
      release();
      // The run's next journal write fails on the full disk and is kept for retry: the engine says so.
      await expect.poll(async () => (await engine.getDataFolderInfo()).problem ?? '', { timeout: 15_000 }).toMatch(/The disk is full: runs in flight are paused/);
      const refused = await engine.startRun({ flowId: 'full', input: { n: 2 } }).catch((e: unknown) => e as Error);
      expect(refused).toBeInstanceOf(Error);
      expect((refused as Error).message).toMatch(/cannot start the run: the disk is full/);
      const stillGoing = await engine.listRuns({ flowId: 'full' });
      expect(stillGoing.find((r) => r.id === runId)?.status).toBe('running');

      rmSync(filler);
      const done = await engine.waitForRun(runId);
      expect(done.run.status).toBe('succeeded');
      expect((await engine.getDataFolderInfo()).problem).toBeUndefined();
      const lines = readFileSync(join(data, 'output', 'full.jsonl'), 'utf8').split('\n');
      expect(lines.at(-1)).toBe('');
      // One whole record (the HTTP answer), parsed back: nothing torn, nothing twice.
      expect(lines).toHaveLength(2);
      expect(JSON.stringify(JSON.parse(lines[0]!))).toContain('"ok":true');
      expect(leftovers()).toEqual([]);
    } finally {
      release();
      if (existsSync(filler)) rmSync(filler);
      await new Promise((r) => server.close(r));
    }
  }, 60_000);

  it('the database passes its integrity check after the disk was full', async () => {
    await engine.close();
    const db = new Database(join(data, 'millrace.db'), { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
    engine = createEngine({ dataDir: data, seedDemo: false, log: () => {} });
  });
});
