/**
 * The engine's LLM and secrets parts: the secrets store, the gateway wired to SQLite, each
 * flow's daily budget, and the four EngineApi methods they serve (list/set/delete secrets, the
 * LLM node's Test button). Kept out of engine.ts so that file stays about runs and flows.
 */
import { writeFileSync } from 'node:fs';
import { PRIVATE_FILE_MODE, ensurePrivateDir, tightenFile } from './data-folder/file-modes';
import { join } from 'node:path';
import { z } from 'zod';
import { EngineError, type LlmTestResult, type SecretInfo } from '../shared/api';
import { FlowSettingsSchema } from '../shared/flow/schema';
import { NodeError } from '../shared/services';
import { llmCallConfig, connectionTestRequest } from '../nodes/llm-call.config.js';
import type { Db } from './store/database';
import type { GroupCommitWriter } from './store/group-commit';
import type { FlowStore } from './store/flow-store';
import { SecretStore, createFileSecretBackend, type SecretBackend } from './secrets';
import { createEngineLlmGateway, recordingsFromTrace, type LlmGateway, type LlmGatewayOptions } from './services/llm';
import type { RunTrace } from '../shared/runs';

export interface LlmServicesOptions {
  db: Db;
  writer: GroupCommitWriter;
  flows: FlowStore;
  dataDir: string;
  /** Desktop: Electron safeStorage (src/main). Default: <dataDir>/secrets.json, mode 0600. */
  secretBackend?: SecretBackend;
  /** Where MILLRACE_SECRET_* values come from. Default: process.env. */
  env?: Record<string, string | undefined>;
  llm?: Partial<LlmGatewayOptions>;
  now: () => number;
  log: (line: string) => void;
}

const BUDGET_TTL_MS = 1000;
const budgetSettings = z.object({ settings: FlowSettingsSchema.optional() });

export class LlmServices {
  readonly secrets: SecretStore;
  readonly gateway: LlmGateway;
  private readonly budgets = new Map<string, { at: number; usd: number | undefined }>();

  constructor(private readonly o: LlmServicesOptions) {
    this.secrets = new SecretStore({
      env: o.env ?? process.env,
      backend: o.secretBackend ?? createFileSecretBackend(join(o.dataDir, 'secrets.json'), o.log),
    });
    this.gateway = createEngineLlmGateway({
      db: o.db,
      writer: o.writer,
      dataDir: o.dataDir,
      secrets: this.secrets,
      budgetFor: (flowId) => this.budgetFor(flowId),
      now: o.now,
      log: o.log,
      ...(o.llm ? { overrides: o.llm } : {}),
    });
  }

  /** The flow's current daily budget, re-read at most once a second (it is checked on every call). */
  budgetFor(flowId: string): number | undefined {
    const now = this.o.now();
    const cached = this.budgets.get(flowId);
    if (cached && now - cached.at < BUDGET_TTL_MS) return cached.usd;
    const parsed = budgetSettings.safeParse(this.o.flows.get(flowId)?.doc);
    const usd = parsed.success ? parsed.data.settings?.llmBudgetUsdPerDay : undefined;
    this.budgets.set(flowId, { at: now, usd });
    return usd;
  }

  /** Before the database closes: held cache entries and spend go to the journal writer. */
  close(): void {
    this.gateway.flush();
  }

  listSecrets(): Promise<SecretInfo[]> {
    return this.secrets.list();
  }

  async setSecret(name: string, value: string): Promise<void> {
    await this.secrets.set(name, value).catch(asInvalid);
  }

  async deleteSecret(name: string): Promise<{ deleted: boolean }> {
    return { deleted: await this.secrets.delete(name).catch(asInvalid) };
  }

  async testLlm(config: unknown): Promise<LlmTestResult> {
    const parsed = llmCallConfig.safeParse(config);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      return { ok: false, error: `the settings are not valid: ${first ? `${first.path.join('.') || 'config'}: ${first.message}` : 'unknown problem'}` };
    }
    // Replay answers only recorded prompts and the test prompt has none: check the recordings instead.
    if (parsed.data.provider === 'replay') {
      const count = this.gateway.replayBook.recordedFor(parsed.data.model);
      if (count === 0) {
        return { ok: false, error: `replay: no recorded answers for model "${parsed.data.model}"; record a live run (Record for replay) or add a fixture to <data folder>/llm-replay` };
      }
      const reply = `${count} recorded answer${count === 1 ? '' : 's'} ready`;
      return { ok: true, label: 'replay', provider: 'replay', model: parsed.data.model, latencyMs: 0, reply, totalTokens: null, cost: { usd: 0, basis: 'replay' } };
    }
    try {
      const call = await this.gateway.call(connectionTestRequest(parsed.data), { flowId: '(connection test)' });
      return {
        ok: true,
        label: call.label,
        provider: call.provider,
        model: call.model,
        latencyMs: call.latencyMs,
        reply: call.response.text,
        totalTokens: call.usage.totalTokens,
        cost: call.cost,
      };
    } catch (e) {
      return { ok: false, error: this.secrets.redact(e instanceof Error ? e.message : String(e)) };
    }
  }
}

/** A run's live LLM answers as a replay fixture in <data folder>/llm-replay/, and in the replay book at once. */
export function recordReplay(gateway: LlmGateway, dataDir: string, trace: RunTrace): { entries: number; file: string } {
  const fixture = recordingsFromTrace(trace);
  if (fixture.entries.length === 0) throw new EngineError('invalid_argument', 'this run has no successful live LLM calls to record');
  const dir = join(dataDir, 'llm-replay');
  ensurePrivateDir(dir);
  const file = join(dir, `${trace.run.id}.json`);
  // Recorded prompts and answers are run data: private like the database.
  writeFileSync(file, `${JSON.stringify(fixture, null, 2)}\n`, { mode: PRIVATE_FILE_MODE });
  tightenFile(file);
  gateway.replayBook.addFixture(fixture);
  return { entries: fixture.entries.length, file };
}

function asInvalid(e: unknown): never {
  if (e instanceof NodeError) throw new EngineError('invalid_argument', e.message);
  throw e;
}
