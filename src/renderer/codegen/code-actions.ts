/** Export → TypeScript and Import → TypeScript file: the engine calls behind the top bar buttons. */
import { strToU8, zipSync } from 'fflate';
import type { CodeTarget, ExportedCode } from '../../shared/codegen-api';
import { engine } from '../engine-client';
import { editorStore } from '../stores/editor-store';
import { useSession } from '../stores/session-store';
import { describeError, saveNow, showSavedFlow } from '../actions';
import { useCode } from './code-store';

export async function openCodeExport(target: CodeTarget = 'standalone'): Promise<void> {
  const flow = editorStore.getState().flow;
  if (!flow) return;
  await saveNow();
  useCode.getState().open({ kind: 'export', flowId: flow.id, flowName: flow.name, target, code: null, error: null, file: 'flow.ts' });
  await loadCode(target);
}

export async function loadCode(target: CodeTarget): Promise<void> {
  const d = useCode.getState().dialog;
  if (d?.kind !== 'export') return;
  useCode.getState().update({ target, code: null, error: null });
  try {
    const code = await engine().exportFlowCode({ flowId: d.flowId, target });
    useCode.getState().update({ code });
  } catch (error) {
    useCode.getState().update({ error: describeError(error) });
  }
}

export function folderName(flowName: string): string {
  return flowName.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').toLowerCase() || 'flow';
}

/** The project as a zip: one folder named after the flow. */
export function zipProject(flowName: string, code: ExportedCode): Uint8Array {
  const dir = folderName(flowName);
  return zipSync(Object.fromEntries(code.files.map((f) => [`${dir}/${f.name}`, strToU8(f.text)])));
}

export function downloadZip(flowName: string, code: ExportedCode): void {
  const bytes = zipProject(flowName, code);
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'application/zip' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = `${folderName(flowName)}.zip`;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    useSession.getState().toast('success', 'Copied to the clipboard');
  } catch {
    useSession.getState().toast('error', 'The browser did not allow copying; select the code and copy it by hand.');
  }
}

export async function importCodeFile(file: File): Promise<void> {
  await saveNow();
  try {
    const result = await engine().importFlowCode({ text: await file.text() });
    if (!result.ok) {
      useCode.getState().open({ kind: 'import-issues', fileName: file.name, issues: result.issues });
      return;
    }
    showSavedFlow(result.saved);
    useSession.getState().toast('success', `${result.updated ? 'Updated' : 'Imported'} "${result.saved.flow.name}" from ${file.name}`);
  } catch (error) {
    useSession.getState().toast('error', `Could not import ${file.name}: ${describeError(error)}`);
  }
}
