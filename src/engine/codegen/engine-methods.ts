/** The engine's TypeScript export/import methods (EngineApi's CodegenApi part). */
import { EngineError, type SavedFlow } from '../../shared/api';
import type { CodeImportResult, CodeTarget, ExportedCode } from '../../shared/codegen-api';
import type { Flow } from '../../shared/flow/schema';
import type { ExportedConnection } from '../../shared/connections';
import { ExportError } from './generate';
import { importFlowSource } from './import-flow';
import { buildProject } from './project';

export interface CodegenHost {
  getFlow(arg: { id: string }): Promise<SavedFlow>;
  saveFlow(arg: { flow: unknown }): Promise<SavedFlow>;
  flowExists(id: string): boolean;
  /** The named connections the flow picks (written into the export). */
  connectionsFor(flow: Flow): ExportedConnection[];
  /** Connections an imported file carries: created or updated under their ids before the flow is saved. */
  importConnections(list: readonly ExportedConnection[]): Promise<void>;
}

const ORDER = ['flow.ts', 'README.md', 'package.json', 'tsconfig.json', 'eslint.config.mjs'];

export async function exportFlowCode(host: CodegenHost, { flowId, target }: { flowId: string; target: CodeTarget }): Promise<ExportedCode> {
  const saved = await host.getFlow({ id: flowId });
  try {
    const { files } = buildProject(saved.flow, { target, connections: host.connectionsFor(saved.flow) });
    return { files: Object.entries(files).map(([name, text]) => ({ name, text })).sort((a, b) => ORDER.indexOf(a.name) - ORDER.indexOf(b.name)) };
  } catch (e) {
    if (e instanceof ExportError) throw new EngineError('invalid_flow', e.message, saved.problems);
    throw e;
  }
}

export async function importFlowCode(host: CodegenHost, { text }: { text: string }): Promise<CodeImportResult> {
  const first = importFlowSource(text);
  if (!first.ok) return { ok: false, issues: first.issues };
  // First the connections the file carries, so the flow that picks them validates.
  await host.importConnections(first.connections);
  const exists = host.flowExists(first.flow.id);
  let flow: Flow = first.flow;
  if (exists) {
    // Edits come back into the flow they were exported from: keep its edge ids where the edges still exist.
    const again = importFlowSource(text, { existing: (await host.getFlow({ id: first.flow.id })).flow });
    if (again.ok) flow = again.flow;
  }
  return { ok: true, saved: await host.saveFlow({ flow }), updated: exists };
}
