/** SQL text helpers shared by the Postgres and SQLite sinks: identifiers quoted, values bound. */

/** "a""b": every identifier is quoted, so a name that looks like SQL stays a name. */
export function quoteIdent(name: string): string {
  if (name.length === 0 || name.length > 63 * 4 || name.includes('\u0000')) throw new Error(`not a valid identifier: ${JSON.stringify(name.slice(0, 80))}`);
  return `"${name.replace(/"/g, '""')}"`;
}

/** Objects and arrays go in as JSON text (json/jsonb columns); everything else as is. */
export function toDbValue(v: unknown): unknown {
  if (v === undefined) return null;
  if (v !== null && typeof v === 'object' && !(v instanceof Date)) return JSON.stringify(v);
  return v;
}
