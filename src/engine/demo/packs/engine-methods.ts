/** EngineApi's demo pack methods: `exportDemoPack` (a flow's session as one file) and `openDemoPack` (import + replay). */
import { EngineError } from '../../../shared/api';
import type { DemoPackSummary } from '../../../shared/demo';
import { MAX_DEMO_PACK_BYTES, formatBytes } from '../../../shared/limits';
import type { NodeRegistry } from '../../../shared/node-kit';
import { buildDemoPack, type ExportHost } from './export-pack';
import { MAX_PACK_CHANGES, PackError, packText, parsePackText, type DemoPack } from './pack-format';
import { playDemoPack, type PlayHost, type PlayOptions, type PlayResult } from './play-pack';

export type PackHost = ExportHost & PlayHost & { registry: NodeRegistry };

export function packSummary(pack: DemoPack): DemoPackSummary {
  return { flowName: pack.flow.name, changes: pack.changes.length, llmAnswers: pack.llmAnswers.entries.length, decisions: pack.decisions.length, createdAt: pack.createdAt };
}

/** `support-ticket-triage.millrace`: the flow's name, file-name safe. */
export function packFileName(flowName: string): string {
  const slug = flowName
    .normalize('NFKD')
    .replace(/[^\w\s-]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '-')
    .slice(0, 60)
    .replace(/-+$/, '');
  return `${slug || 'flow'}.millrace`;
}

export async function exportDemoPack(host: ExportHost, { flowId }: { flowId: string }): Promise<{ fileName: string; text: string; summary: DemoPackSummary }> {
  const pack = await buildDemoPack(host, flowId);
  if (pack.changes.length > MAX_PACK_CHANGES) {
    throw new EngineError('invalid_argument', `"${pack.flow.name}" has ${pack.changes.length} runs; a demo pack holds at most ${MAX_PACK_CHANGES.toLocaleString('en-US')} (delete older runs, or export a copy of the flow with fewer)`);
  }
  const text = packText(pack);
  // A pack this Millrace writes must be one it can open.
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_DEMO_PACK_BYTES) {
    throw new EngineError(
      'invalid_argument',
      `the demo pack of "${pack.flow.name}" would be ${formatBytes(bytes)}, over the limit of ${formatBytes(MAX_DEMO_PACK_BYTES)} (${pack.changes.length} runs); delete older runs of the flow or export a copy of it with fewer runs`,
    );
  }
  return { fileName: packFileName(pack.flow.name), text, summary: packSummary(pack) };
}

/** Parses (refusing hostile or broken packs with every problem listed, before anything is saved), then plays. */
export function readDemoPack(host: Pick<PackHost, 'registry'>, text: string): DemoPack {
  try {
    return parsePackText(text, host.registry);
  } catch (e) {
    if (e instanceof PackError) throw new EngineError('invalid_argument', e.message);
    throw e;
  }
}

export async function openDemoPackWithResult(host: PackHost, { text }: { text: string }, options: PlayOptions = {}): Promise<{ pack: DemoPack; result: PlayResult }> {
  const pack = readDemoPack(host, text);
  return { pack, result: await playDemoPack(host, pack, options) };
}

export async function openDemoPack(host: PackHost, arg: { text: string }): Promise<{ flowId: string; runs: number; summary: DemoPackSummary }> {
  try {
    const { pack, result } = await openDemoPackWithResult(host, arg);
    return { flowId: result.flowId, runs: result.runs.length, summary: packSummary(pack) };
  } catch (e) {
    // A play that stopped part-way (runs that never settle, a full disk) keeps what it played: say so.
    if (e instanceof EngineError) throw e;
    throw new EngineError('internal', `the demo pack was opened but its play stopped: ${e instanceof Error ? e.message : String(e)}; the runs played so far are in the history`);
  }
}
