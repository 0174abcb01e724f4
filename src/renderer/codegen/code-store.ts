/** State of the TypeScript export dialog (kept apart from the session store: its own feature). */
import { create } from 'zustand';
import type { CodeTarget, ExportedCode } from '../../shared/codegen-api';

export type CodeDialog =
  | { kind: 'export'; flowId: string; flowName: string; target: CodeTarget; code: ExportedCode | null; error: string | null; file: string }
  | { kind: 'import-issues'; fileName: string; issues: { line: number; message: string }[] };

interface CodeState {
  dialog: CodeDialog | null;
  open(dialog: CodeDialog): void;
  update(patch: Partial<Extract<CodeDialog, { kind: 'export' }>>): void;
  close(): void;
}

export const useCode = create<CodeState>((set, get) => ({
  dialog: null,
  open: (dialog) => set({ dialog }),
  update: (patch) => {
    const d = get().dialog;
    if (d?.kind === 'export') set({ dialog: { ...d, ...patch } });
  },
  close: () => set({ dialog: null }),
}));
