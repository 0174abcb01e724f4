import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from './database';
import { GroupCommitWriter, realDurabilityFs, type DurabilityFs } from './group-commit';
import { walPathOf } from './checkpointer';
import { RunQueue } from './run-queue';
import { SqliteDurableStore } from './durable-store';
import { describeStoreContract } from './store-contract';

describeStoreContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'millrace-contract-'));
  const db = openDatabase(join(dir, 'millrace.db'));
  let hold = false;
  const held: (() => void)[] = [];
  const fs: DurabilityFs = {
    ...realDurabilityFs,
    fsync: (fd, cb) => {
      const go = () => realDurabilityFs.fsync(fd, cb);
      if (hold) held.push(go);
      else go();
    },
  };
  const writer = new GroupCommitWriter(db, { walPath: walPathOf(db)!, fs });
  const store = new SqliteDurableStore(db, writer, new RunQueue(db, writer));
  return {
    store,
    holdFsync(h: boolean) {
      hold = h;
      if (!h) held.splice(0).forEach((go) => go());
    },
    async close() {
      await writer.stop(new Error('closed'));
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('the contract can fail', () => {
  it('a store that acknowledges at commit is caught by the contract\'s durability check', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'millrace-contract-broken-'));
    const db = openDatabase(join(dir, 'millrace.db'));
    const held: (() => void)[] = [];
    const fs: DurabilityFs = { ...realDurabilityFs, fsync: (fd, cb) => void held.push(() => realDurabilityFs.fsync(fd, cb)) };
    const writer = new GroupCommitWriter(db, { walPath: walPathOf(db)!, fs, unsafeAcknowledgeAtCommit: true });
    const store = new SqliteDurableStore(db, writer, new RunQueue(db, writer));
    try {
      // The contract's first check: with fsync held, createRun must not resolve and the run must not be claimable.
      let resolved = false;
      void store.createRun({ id: 'r1', flowId: 'f', flowVersion: 1, flowName: 'F', input: {}, createdAt: 1 }).then(() => (resolved = true));
      await new Promise((r) => setTimeout(r, 30));
      expect(resolved).toBe(true);
      expect((await store.claimable(10, 10)).map((r) => r.id)).toEqual(['r1']);
    } finally {
      held.splice(0).forEach((go) => go());
      await writer.stop(new Error('closed'));
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
