/**
 * The synthetic provider: an offline stand-in that answers every request without a model, so a
 * flow can be built and run end to end before any key exists. Answers are made from the request
 * itself: JSON that satisfies the node's output schema (types, enums, bounds, required fields), or a
 * short text that says it is synthetic. The same request always gets the same answer (seeded by a
 * hash of model, prompts and schema). Everything it answers is labelled "synthetic".
 */
import { createHash } from 'node:crypto';
import type { Provider, ProviderRequest } from '../provider';

type Schema = Record<string, unknown>;

/** mulberry32: a tiny deterministic PRNG; quality is irrelevant, repeatability is the point. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function seedOf(request: ProviderRequest): number {
  const h = createHash('sha256')
    .update(JSON.stringify([request.model, request.system, request.messages, request.json?.schema ?? null]))
    .digest();
  return h.readUInt32BE(0);
}

const isSchema = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

const WORDS = ['amber', 'brisk', 'cedar', 'delta', 'ember', 'fjord', 'granite', 'harbor', 'indigo', 'juniper', 'kestrel', 'lumen'];

function stringFor(schema: Schema, name: string, rand: () => number): string {
  const pick = () => WORDS[Math.floor(rand() * WORDS.length)]!;
  switch (schema['format']) {
    case 'date-time':
      return new Date(Date.UTC(2026, 0, 1 + Math.floor(rand() * 365), Math.floor(rand() * 24))).toISOString();
    case 'date':
      return new Date(Date.UTC(2026, 0, 1 + Math.floor(rand() * 365))).toISOString().slice(0, 10);
    case 'email':
      return `${pick()}@example.com`;
    case 'uri':
    case 'url':
      return `https://example.com/${pick()}`;
    case 'uuid': {
      const hex = Array.from({ length: 32 }, () => Math.floor(rand() * 16).toString(16)).join('');
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
    }
  }
  let text = `synthetic ${name || 'text'} ${pick()}`;
  const min = num(schema['minLength']) ?? 0;
  const max = num(schema['maxLength']);
  while (text.length < min) text += ` ${pick()}`;
  if (max !== undefined) text = text.slice(0, max);
  return text;
}

function numberFor(schema: Schema, integer: boolean, rand: () => number): number {
  let lo = num(schema['minimum']) ?? (num(schema['exclusiveMinimum']) !== undefined ? num(schema['exclusiveMinimum'])! + (integer ? 1 : 0.001) : 0);
  let hi = num(schema['maximum']) ?? (num(schema['exclusiveMaximum']) !== undefined ? num(schema['exclusiveMaximum'])! - (integer ? 1 : 0.001) : lo + 100);
  if (hi < lo) [lo, hi] = [hi, lo];
  const v = lo + rand() * (hi - lo);
  if (integer) return Math.min(Math.floor(hi), Math.max(Math.ceil(lo), Math.round(v)));
  const rounded = Math.round(v * 100) / 100;
  return rounded >= lo && rounded <= hi ? rounded : v;
}

/** A value valid for `schema` (the common JSON Schema keywords; `pattern` cannot be honoured). */
export function synthesize(schema: unknown, rand: () => number, name = '', depth = 0): unknown {
  if (!isSchema(schema)) return `synthetic ${name || 'value'}`;
  if ('const' in schema) return schema['const'];
  const choices = schema['enum'];
  if (Array.isArray(choices) && choices.length > 0) return choices[Math.floor(rand() * choices.length)];
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const list = schema[key];
    if (Array.isArray(list) && list.length > 0) {
      const first = list.find((s) => isSchema(s) && s['type'] !== 'null') ?? list[0];
      return synthesize(first, rand, name, depth);
    }
  }
  let type = schema['type'];
  if (Array.isArray(type)) type = type.find((t) => t !== 'null') ?? 'null';
  if (type === undefined) type = isSchema(schema['properties']) ? 'object' : schema['items'] !== undefined ? 'array' : 'string';
  switch (type) {
    case 'object': {
      const props = isSchema(schema['properties']) ? schema['properties'] : {};
      const out: Record<string, unknown> = {};
      if (depth > 8) return out;
      for (const [key, sub] of Object.entries(props)) out[key] = synthesize(sub, rand, key, depth + 1);
      return out;
    }
    case 'array': {
      const min = num(schema['minItems']) ?? 1;
      const max = num(schema['maxItems']) ?? Math.max(min, 2);
      const count = depth > 8 ? min : Math.min(max, Math.max(min, 1 + Math.floor(rand() * 2)));
      return Array.from({ length: count }, () => synthesize(schema['items'], rand, name, depth + 1));
    }
    case 'integer':
      return numberFor(schema, true, rand);
    case 'number':
      return numberFor(schema, false, rand);
    case 'boolean':
      return rand() < 0.5;
    case 'null':
      return null;
    default:
      return stringFor(schema, name, rand);
  }
}

export function createSyntheticProvider(): Provider {
  return {
    kind: 'synthetic',
    async send(request, options) {
      const rand = prng(seedOf(request));
      const prompt = request.messages.at(-1)?.content ?? '';
      const gist = prompt.replace(/\s+/g, ' ').trim().slice(0, 60);
      let text: string;
      if (request.json) {
        const value = request.json.schema ? synthesize(request.json.schema, rand) : { synthetic: true, summary: `synthetic answer for "${gist}"` };
        text = JSON.stringify(value);
      } else {
        text = `[synthetic] A made-up answer (no model was called) to: "${gist}${prompt.length > 60 ? '…' : ''}"`;
      }
      const words = (s: string) => Math.max(1, Math.ceil(s.length / 4));
      options.onChunk?.();
      options.onText?.(text);
      return {
        text,
        finishReason: 'stop',
        truncated: false,
        refusal: null,
        usage: { promptTokens: words(request.system) + words(prompt), completionTokens: words(text) },
        raw: { synthetic: true },
      };
    },
  };
}
