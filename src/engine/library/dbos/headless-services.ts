/**
 * The node services (HTTP, confined files, LLM gateway, secrets) for a process that runs nodes
 * without the engine: a DBOS worker. The LLM cache and spend live in a SQLite file in `dataDir`
 * (one per process: the file is opened exclusively).
 */
import { join } from 'node:path';
import type { NodeServices } from '../../../shared/services';
import { openDatabase } from '../../store/database';
import { GroupCommitWriter } from '../../store/group-commit';
import { FlowStore } from '../../store/flow-store';
import { LlmServices } from '../../llm-services';
import { createHttpService } from '../../services/http';
import { createFileService } from '../../services/files';

export interface HeadlessServices {
  services: NodeServices;
  /** Redacts secret values from a log line. */
  redact(line: string): string;
  close(): Promise<void>;
}

export function createHeadlessServices(o: { dataDir: string; outputDir?: string; log: (line: string) => void; env?: Record<string, string | undefined> }): HeadlessServices {
  const file = join(o.dataDir, 'millrace.db');
  const db = openDatabase(file);
  const writer = new GroupCommitWriter(db, { walPath: `${file}-wal`, onError: (e) => o.log(`local write failed: ${e.message}`) });
  const llm = new LlmServices({ db, writer, flows: new FlowStore(db), dataDir: o.dataDir, now: Date.now, log: o.log, ...(o.env ? { env: o.env } : {}) });
  const http = createHttpService();
  const files = createFileService(o.outputDir ?? join(o.dataDir, 'output'));
  return {
    services: { http, files, clock: { now: Date.now }, llm: llm.gateway, secrets: llm.secrets },
    redact: (line) => llm.secrets.redact(line),
    async close() {
      llm.close();
      writer.stop(new Error('closed'));
      http.close();
      await files.close();
      db.close();
    },
  };
}
