/**
 * Flow document migrations. Each entry upgrades a document from version N to N+1 and is never
 * edited once shipped; the frozen fixtures in ./fixtures prove old files still load.
 */
import { CURRENT_SCHEMA_VERSION } from './schema';
import type { FlowProblem } from './problems';

type Doc = Record<string, unknown>;

/** migrations[n] takes a version-n document to version n+1. Empty while only v1 exists. */
export const migrations: Record<number, (doc: Doc) => Doc> = {};

export type MigrationResult = { ok: true; doc: unknown } | { ok: false; problems: FlowProblem[] };

export function migrateFlow(raw: unknown): MigrationResult {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return fail([], 'a flow file must contain a JSON object');
  }
  const doc = raw as Doc;
  const version = doc['schemaVersion'];
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    return fail(['schemaVersion'], 'missing or invalid schemaVersion (expected a positive integer)');
  }
  if (version > CURRENT_SCHEMA_VERSION) {
    return fail(
      ['schemaVersion'],
      `this flow was saved by a newer Millrace (schema ${version}; this version reads up to ${CURRENT_SCHEMA_VERSION}). Update Millrace to open it.`,
    );
  }
  let current = doc;
  for (let v = version; v < CURRENT_SCHEMA_VERSION; v++) {
    const step = migrations[v];
    if (!step) return fail(['schemaVersion'], `no migration from schema ${v} to ${v + 1}`);
    current = { ...step(current), schemaVersion: v + 1 };
  }
  return { ok: true, doc: current };
}

function fail(path: (string | number)[], message: string): MigrationResult {
  return { ok: false, problems: [{ kind: 'structure', path, message }] };
}
