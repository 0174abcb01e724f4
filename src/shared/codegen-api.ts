/**
 * TypeScript export/import as the UI sees it: the exported project's files, and importing an
 * edited `flow.ts` back into its flow. Pure types + argument parsers (the work is in
 * src/engine/codegen).
 */
import { z } from 'zod';
import type { SavedFlow } from './api';

export type CodeTarget = 'standalone' | 'dbos';

export interface ExportedCode {
  /** Project files in the order they are shown: flow.ts first. */
  files: { name: string; text: string }[];
}

export type CodeImportResult =
  /** `updated`: the file's flow id exists and got a new version with the edits; else it was created. */
  | { ok: true; saved: SavedFlow; updated: boolean }
  /** Edits that cannot come back (new calls, control flow, computed values) or invalid values, by line. Nothing was saved. */
  | { ok: false; issues: { line: number; message: string }[] };

export interface CodegenApi {
  /** The TypeScript project for a saved flow (refused with `invalid_flow` while the flow has problems). */
  exportFlowCode(arg: { flowId: string; target: CodeTarget }): Promise<ExportedCode>;
  /** Reads an exported flow.ts statically (never runs it) and saves its flow. */
  importFlowCode(arg: { text: string }): Promise<CodeImportResult>;
}

export const codegenApiArgs = {
  exportFlowCode: z.object({ flowId: z.string().min(1).max(64), target: z.enum(['standalone', 'dbos']) }).strict(),
  importFlowCode: z.object({ text: z.string().max(5 * 1024 * 1024) }).strict(),
};
