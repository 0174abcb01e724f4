/** JSON typed by a user (an edited input, a signal payload): parsed before anything is sent. */
export type JsonDraft = { ok: true; value: unknown } | { ok: false; error: string };

/** Empty text is `undefined` where the field is optional; otherwise it is an error like any other. */
export function parseJsonDraft(text: string, { optional }: { optional: boolean }): JsonDraft {
  if (text.trim() === '') return optional ? { ok: true, value: undefined } : { ok: false, error: 'write a JSON value (null for none)' };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, error: `not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** The editor's starting text for a value, two-space indented like the run data view. */
export function jsonDraftOf(value: unknown): string {
  return value === undefined ? '' : (JSON.stringify(value, null, 2) ?? '');
}
