/**
 * Structured output: parse the reply as JSON and validate it against the node's JSON Schema with
 * ajv (compiled once per schema). ajv generates code, so it lives here in the engine, never in
 * the renderer bundle (whose CSP forbids eval).
 */
import Ajv, { type ValidateFunction } from 'ajv';

export type Check = { ok: true; value: unknown } | { ok: false; problem: string };

export class SchemaChecker {
  private readonly ajv = new Ajv({ allErrors: true, strict: false });
  private readonly compiled = new Map<string, ValidateFunction>();

  /** Compiles (once) and returns the validator, or throws with ajv's explanation of a broken schema. */
  validator(schema: Record<string, unknown>): ValidateFunction {
    const key = JSON.stringify(schema);
    let v = this.compiled.get(key);
    if (!v) {
      v = this.ajv.compile(schema);
      if (this.compiled.size > 500) this.compiled.clear();
      this.compiled.set(key, v);
    }
    return v;
  }

  check(text: string, schema: Record<string, unknown> | null): Check {
    const parsed = parseJsonReply(text);
    if (!parsed.ok || schema === null) return parsed;
    const validate = this.validator(schema);
    if (validate(parsed.value)) return parsed;
    const problems = (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}`);
    return { ok: false, problem: `the JSON does not match the schema: ${problems.join('; ')}` };
  }
}

/** JSON.parse, after removing one Markdown code fence around the whole reply (models add them unasked). */
export function parseJsonReply(text: string): Check {
  const trimmed = text.trim();
  const fenced = /^```[a-zA-Z]*\s*\n([\s\S]*?)\n?```$/.exec(trimmed);
  const body = fenced ? fenced[1]! : trimmed;
  if (body === '') return { ok: false, problem: 'the reply is empty, not JSON' };
  try {
    return { ok: true, value: JSON.parse(body) as unknown };
  } catch (e) {
    return { ok: false, problem: `the reply is not valid JSON (${e instanceof Error ? e.message : String(e)})` };
  }
}

/** What the model is told when the provider has no schema mode (and what OpenAI's JSON mode requires: the word JSON). */
export function jsonInstruction(schema: Record<string, unknown> | null): string {
  return schema
    ? `Reply with a single JSON object only (no prose, no code fences) that matches this JSON Schema:\n${JSON.stringify(schema)}`
    : 'Reply with a single JSON object only (no prose, no code fences).';
}

export function repairInstruction(problem: string, schema: Record<string, unknown> | null): string {
  return `Your previous reply could not be used: ${problem}. Reply again with only the corrected JSON object${
    schema ? ` matching this JSON Schema:\n${JSON.stringify(schema)}` : ''
  }\nNo explanations, no code fences.`;
}
