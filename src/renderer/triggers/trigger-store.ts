/**
 * Change-trigger state for the UI: the live status of each trigger (from onTriggerStatus) and the
 * last setup check per node. Plain serialisable data; engine calls live in actions.ts.
 */
import { create } from 'zustand';
import type { SetupReport, TriggerStatus } from '../../shared/triggers';

const key = (flowId: string, nodeId: string) => `${flowId}/${nodeId}`;

interface TriggerStoreState {
  statuses: Record<string, TriggerStatus>;
  setups: Record<string, SetupReport>;
  /** What the panel is doing right now for a node (checking, activating, …), for button states. */
  busy: Record<string, string | undefined>;
  setStatus(status: TriggerStatus): void;
  setStatuses(flowId: string, statuses: TriggerStatus[]): void;
  setSetup(flowId: string, nodeId: string, report: SetupReport): void;
  setBusy(flowId: string, nodeId: string, what: string | undefined): void;
}

export const useTriggers = create<TriggerStoreState>((set) => ({
  statuses: {},
  setups: {},
  busy: {},
  setStatus: (status) => set((s) => ({ statuses: { ...s.statuses, [key(status.flowId, status.nodeId)]: status } })),
  setStatuses: (flowId, statuses) =>
    set((s) => {
      const next = Object.fromEntries(Object.entries(s.statuses).filter(([, v]) => v.flowId !== flowId));
      for (const st of statuses) next[key(st.flowId, st.nodeId)] = st;
      return { statuses: next };
    }),
  setSetup: (flowId, nodeId, report) => set((s) => ({ setups: { ...s.setups, [key(flowId, nodeId)]: report } })),
  setBusy: (flowId, nodeId, what) => set((s) => ({ busy: { ...s.busy, [key(flowId, nodeId)]: what } })),
}));

export const triggerKey = key;
export const triggerStore = useTriggers;
