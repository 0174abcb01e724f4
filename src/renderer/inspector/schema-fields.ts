/**
 * Reads a node's zod config schema into form field descriptions. This is the one generic form:
 * a node type gets an inspector by declaring its schema and ui hints, nothing else.
 */
import { z } from 'zod';
import type { AnyNodeDefinition, FieldHint, Widget } from '../../shared/node-kit';

export type FieldKind =
  | { kind: 'string' }
  | { kind: 'number'; min?: number; max?: number; integer: boolean }
  | { kind: 'boolean' }
  | { kind: 'enum'; options: string[] }
  /** A list of two-string objects, like headers `{ name, value }`. */
  | { kind: 'pairs'; keyField: string; valueField: string }
  | { kind: 'other' };

export interface FieldSpec {
  name: string;
  label: string;
  widget: Widget;
  hint: FieldHint;
  kind: FieldKind;
  optional: boolean;
}

/** Strips wrappers that do not change what the user edits (defaults, optional, nullable). */
function unwrap(schema: z.core.$ZodType): { inner: z.core.$ZodType; optional: boolean } {
  let inner = schema;
  let optional = false;
  for (let depth = 0; depth < 10; depth++) {
    if (inner instanceof z.ZodDefault) {
      optional = true;
      inner = inner.def.innerType;
    } else if (inner instanceof z.ZodOptional || inner instanceof z.ZodNullable) {
      optional = true;
      inner = inner.def.innerType;
    } else if (inner instanceof z.ZodPipe) {
      inner = inner.def.in;
    } else break;
  }
  return { inner, optional };
}

export function fieldKind(schema: z.core.$ZodType): FieldKind {
  const { inner } = unwrap(schema);
  if (inner instanceof z.ZodString) return { kind: 'string' };
  if (inner instanceof z.ZodNumber) {
    const min = inner.minValue;
    const max = inner.maxValue;
    return {
      kind: 'number',
      integer: inner.isInt,
      ...(min !== null && Number.isFinite(min) ? { min } : {}),
      ...(max !== null && Number.isFinite(max) ? { max } : {}),
    };
  }
  if (inner instanceof z.ZodBoolean) return { kind: 'boolean' };
  if (inner instanceof z.ZodEnum) return { kind: 'enum', options: inner.options.map(String) };
  if (inner instanceof z.ZodArray) {
    const element = unwrap(inner.element).inner;
    if (element instanceof z.ZodObject) {
      const keys = Object.keys(element.shape);
      const [keyField, valueField] = keys;
      if (keys.length === 2 && keyField && valueField) return { kind: 'pairs', keyField, valueField };
    }
  }
  return { kind: 'other' };
}

const defaultWidget = {
  string: 'text',
  number: 'number',
  boolean: 'switch',
  enum: 'select',
  pairs: 'key-value',
  other: 'json',
} satisfies Record<FieldKind['kind'], Widget>;

function humanise(name: string): string {
  const spaced = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[-_]+/g, ' ');
  return spaced.charAt(0).toUpperCase() + spaced.slice(1).toLowerCase();
}

export function describeConfig(def: AnyNodeDefinition): FieldSpec[] {
  const { inner } = unwrap(def.config);
  if (!(inner instanceof z.ZodObject)) return [];
  const hints: Record<string, FieldHint | undefined> = def.ui;
  return Object.entries(inner.shape).map(([name, schema]) => {
    const hint = hints[name] ?? {};
    const kind = fieldKind(schema);
    return {
      name,
      label: hint.label ?? humanise(name),
      widget: hint.widget ?? defaultWidget[kind.kind],
      hint,
      kind,
      optional: unwrap(schema).optional,
    };
  });
}

/** Problems by path ("url", "headers.0.name"); "" holds problems with the config as a whole. */
export function configErrors(def: AnyNodeDefinition, config: unknown): Record<string, string[]> {
  const result = def.config.safeParse(config);
  if (result.success) return {};
  const errors: Record<string, string[]> = {};
  for (const issue of result.error.issues) {
    const key = issue.path.map(String).join('.');
    (errors[key] ??= []).push(issue.message);
  }
  return errors;
}
