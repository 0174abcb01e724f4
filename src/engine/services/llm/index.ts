/**
 * The LLM gateway as the engine wires it: SQLite cache and spend ledger (migration 2), the price
 * table (shipped, overridable in the data folder), the replay book (shipped demo recordings plus
 * <data folder>/llm-replay/*.json) and the secrets store.
 */
import { join } from 'node:path';
import type { Db } from '../../store/database';
import type { GroupCommitWriter } from '../../store/group-commit';
import { LlmGateway, type LlmGatewayOptions } from './gateway';
import { Prices, loadPriceTable } from './prices';
import { ReplayBook } from './providers/replay';
import type { SecretResolver } from './provider-pool';
import { sqliteCacheStore, sqliteLedger } from './stores';
import demoRecordings from '../../../../resources/llm-replay/demo.json';
import supportTriageRecordings from '../../../../resources/llm-replay/support-triage.json';

export { LlmGateway, type LlmGatewayOptions } from './gateway';
export { ReplayBook, recordingsFromTrace } from './providers/replay';

export interface EngineLlmOptions {
  db: Db;
  writer: GroupCommitWriter;
  dataDir: string;
  secrets: SecretResolver;
  budgetFor: (flowId: string) => number | undefined;
  now: () => number;
  log: (line: string) => void;
  /** Tests: shorter breaker cooldowns, a fixed random, a smaller response cap… */
  overrides?: Partial<LlmGatewayOptions>;
}

export function createEngineLlmGateway(o: EngineLlmOptions): LlmGateway {
  const replay = ReplayBook.load([join(o.dataDir, 'llm-replay')], o.log);
  replay.addFixture(demoRecordings);
  // The live demo's answers, one per ticket of resources/demo/support-tickets.json (npm run demo:generate).
  replay.addFixture(supportTriageRecordings);
  return new LlmGateway({
    secrets: o.secrets,
    cache: sqliteCacheStore(o.db, o.writer, o.log),
    ledger: sqliteLedger(o.db, o.writer),
    prices: new Prices(loadPriceTable(join(o.dataDir, 'llm-prices.json'), o.log)),
    replay,
    budgetFor: o.budgetFor,
    now: o.now,
    ...o.overrides,
  });
}
