/**
 * Finds OpenAI-compatible servers on this machine (Ollama on 11434, LM Studio on 1234) or at a
 * URL the user gives, and lists their models (`GET <base>/models`). Used by the LLM node's
 * provider picker so a first flow can use a local model without any key.
 */
import { z } from 'zod';
import type { LlmServerInfo } from '../../../shared/api';

export const KNOWN_LOCAL_SERVERS: readonly { name: string; baseUrl: string }[] = [
  { name: 'Ollama', baseUrl: 'http://127.0.0.1:11434/v1' },
  { name: 'LM Studio', baseUrl: 'http://127.0.0.1:1234/v1' },
];

const modelsSchema = z.object({ data: z.array(z.object({ id: z.string().max(300) }).loose()).max(2000) }).loose();
const MAX_BODY = 2 * 1024 * 1024;

async function probe(name: string, baseUrl: string, timeoutMs: number): Promise<LlmServerInfo> {
  const base = baseUrl.replace(/\/+$/, '');
  try {
    const res = await fetch(`${base}/models`, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
    if (!res.ok) return { name, baseUrl: base, reachable: true, models: [], error: `GET /models answered HTTP ${res.status}` };
    const text = await res.text();
    if (text.length > MAX_BODY) return { name, baseUrl: base, reachable: true, models: [], error: 'the model list is too large' };
    const parsed = modelsSchema.safeParse(JSON.parse(text));
    if (!parsed.success) return { name, baseUrl: base, reachable: true, models: [], error: 'not an OpenAI-compatible model list' };
    return { name, baseUrl: base, reachable: true, models: parsed.data.data.map((m) => m.id).sort() };
  } catch (e) {
    const why = e instanceof Error && e.name === 'TimeoutError' ? 'no answer' : 'not running';
    return { name, baseUrl: base, reachable: false, models: [], error: why };
  }
}

/** Probes the known local ports plus `urls`, in parallel; every candidate gets a line in the answer. */
export async function detectLlmServers(urls: readonly string[] = [], timeoutMs = 1500): Promise<LlmServerInfo[]> {
  const candidates = [...KNOWN_LOCAL_SERVERS, ...urls.map((u) => ({ name: 'Your server', baseUrl: u }))];
  return Promise.all(candidates.map((c) => probe(c.name, c.baseUrl, timeoutMs)));
}
