/**
 * Engine calls of the sink nodes and the effect ledger (split from ../actions.ts, same rules:
 * every engine call goes through an action; failures come back as values, never throws).
 */
import type { EffectReconciliation, EffectRecord, SinkTestResult } from '../../shared/effects';
import type { ColumnInfo } from '../../shared/services';
import { engine } from '../engine-client';
import { describeError, load, type Loaded } from '../actions';


export const listSinkTables = (config: unknown) => load(() => engine().listSinkTables({ config }));
export const listSinkColumns = (type: 'postgres-sink@1' | 'sqlite-sink@1', config: unknown): Promise<Loaded<ColumnInfo[]>> =>
  load(() => engine().listSinkColumns({ type, config }));
export async function testSink(type: string, config: unknown, sample: unknown): Promise<SinkTestResult> {
  try {
    return await engine().testSink({ type, config, sample });
  } catch (error) {
    return { ok: false, key: '', error: describeError(error), logs: [] };
  }
}
export const listRunEffects = (runId: string): Promise<Loaded<EffectRecord[]>> => load(() => engine().listEffects({ runId }));
export const reconcileFlowEffects = (flowId: string): Promise<Loaded<EffectReconciliation>> => load(() => engine().reconcileEffects({ flowId }));
