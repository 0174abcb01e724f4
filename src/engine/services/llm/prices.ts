/**
 * Cost per call from an editable price table (resources/llm-prices.json, overridable per data
 * folder). A model on a local endpoint costs 0; any other model without a price is `unknown`,
 * shown as such — never a silent $0.
 */
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import type { LlmCost, LlmTarget } from '../../../shared/llm';
import { isOfflineProvider } from '../../../shared/llm';
import shipped from '../../../../resources/llm-prices.json';

const priceSchema = z.object({ input: z.number().min(0), output: z.number().min(0) });
const tableSchema = z.object({
  version: z.literal(1),
  note: z.string().optional(),
  asOf: z.string().optional(),
  models: z.record(z.string(), priceSchema),
});
export type PriceTable = z.infer<typeof tableSchema>;
type Price = z.infer<typeof priceSchema>;

/** The shipped table, with entries from `overrideFile` (if it exists) replacing or adding to it. */
export function loadPriceTable(overrideFile?: string, log: (line: string) => void = () => {}): PriceTable {
  const base = tableSchema.parse(shipped);
  if (!overrideFile || !existsSync(overrideFile)) return base;
  try {
    const override = tableSchema.parse(JSON.parse(readFileSync(overrideFile, 'utf8')));
    return { ...base, models: { ...base.models, ...override.models } };
  } catch (e) {
    // A broken override must not hide prices: keep the shipped table and say why.
    log(`ignoring ${overrideFile}: ${e instanceof z.ZodError ? z.prettifyError(e) : e instanceof Error ? e.message : String(e)}`);
    return base;
  }
}

export function isLocalEndpoint(baseUrl: string): boolean {
  let host: string;
  try {
    host = new URL(baseUrl).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return false;
  }
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || host === '0.0.0.0' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** Candidate keys: provider:model, model, model without a vendor prefix ("openai/gpt-4o") or date suffix. */
function candidates(provider: string, model: string): string[] {
  const bare = model.includes('/') ? model.slice(model.lastIndexOf('/') + 1) : model;
  const undated = bare.replace(/-(\d{4}-\d{2}-\d{2}|\d{8}|latest)$/, '');
  return [...new Set([`${provider}:${model}`, model, bare, undated, `${provider}:${undated}`])];
}

export class Prices {
  /** provider + model → price (null: none): the lookup tries several spellings, once per model. */
  private readonly memo = new Map<string, Price | null>();

  constructor(private readonly table: PriceTable) {}

  priceOf(target: Pick<LlmTarget, 'provider' | 'model'>): Price | undefined {
    const id = `${target.provider} ${target.model}`;
    let price = this.memo.get(id);
    if (price === undefined) {
      price = candidates(target.provider, target.model).map((k) => this.table.models[k]).find((p) => p !== undefined) ?? null;
      if (this.memo.size > 1000) this.memo.clear();
      this.memo.set(id, price);
    }
    return price ?? undefined;
  }

  /** Whether a call to this target has a known cost (a budget cannot be kept otherwise). */
  knowsCostOf(target: LlmTarget): boolean {
    return isOfflineProvider(target.provider) || this.priceOf(target) !== undefined || this.isLocal(target.baseUrl);
  }

  cost(target: LlmTarget, usage: { promptTokens: number | null; completionTokens: number | null }): LlmCost {
    if (isOfflineProvider(target.provider)) return { usd: 0, basis: target.provider };
    const price = this.priceOf(target);
    if (price) {
      if (usage.promptTokens === null || usage.completionTokens === null) return { usd: null, basis: 'unknown' };
      return { usd: (usage.promptTokens * price.input + usage.completionTokens * price.output) / 1_000_000, basis: 'price-table' };
    }
    if (this.isLocal(target.baseUrl)) return { usd: 0, basis: 'local' };
    return { usd: null, basis: 'unknown' };
  }

  private readonly local = new Map<string, boolean>();
  private isLocal(baseUrl: string): boolean {
    let v = this.local.get(baseUrl);
    if (v === undefined) {
      v = isLocalEndpoint(baseUrl);
      if (this.local.size > 1000) this.local.clear();
      this.local.set(baseUrl, v);
    }
    return v;
  }
}
