/**
 * App-level state around the editor: connection, flow list, save state, theme, panels, toasts
 * and dialogs. Plain data only; async work with the engine lives in ../actions.
 */
import { create } from 'zustand';
import type { FlowSummary } from '../../shared/api';
import type { FlowProblem } from '../../shared/flow/problems';
import type { ConnectionStatus } from '../engine-client';
import type { SaveState } from './autosave';

export type Theme = 'light' | 'dark';
export type AppState = 'loading' | 'ready' | 'disconnected';
export type SideTab = 'node' | 'runs';
export type NodeTab = 'config' | 'run';

export interface Toast {
  id: number;
  kind: 'info' | 'error' | 'success';
  text: string;
}

export type Dialog =
  | { kind: 'problems'; title: string; intro: string; problems: FlowProblem[]; nodeNames: Record<string, string> }
  | { kind: 'confirm-delete'; flowId: string; flowName: string }
  | { kind: 'shortcuts' }
  | { kind: 'secrets' }
  /** Named Postgres connections (connections/ConnectionsPage.tsx): `edit` opens one (or 'new'); `assignTo` picks the saved one in that node. */
  | { kind: 'connections'; edit?: string; assignTo?: string }
  | { kind: 'confirm-drop-slot'; nodeId: string; slot: string }
  /** Run on a flow started by a Postgres change: pick a recent row or edit a sample (runs/TestRunDialog.tsx). */
  | { kind: 'test-run'; flowId: string; nodeId: string; nodeName: string };

export interface SessionState {
  connection: ConnectionStatus;
  connectionDetail: string | null;
  /** True once connected and the first flow is loaded; stays true across reconnects. */
  loaded: boolean;
  flows: FlowSummary[];
  currentFlowId: string | null;
  flowVersion: number | null;
  save: SaveState;
  theme: Theme;
  /** Side panels folded away (remembered per browser): more canvas on small screens. */
  panels: { left: boolean; right: boolean };
  sideTab: SideTab;
  nodeTab: NodeTab;
  /** Set when a run was refused: nodes with problems are outlined until the next edit. */
  highlightProblems: boolean;
  toasts: Toast[];
  dialog: Dialog | null;
  /** Bumped to ask the canvas to fit the view (after layout, after loading). */
  fitRequest: number;

  setConnection(status: ConnectionStatus, detail?: string): void;
  setLoaded(): void;
  setFlows(flows: FlowSummary[]): void;
  upsertFlow(summary: FlowSummary): void;
  removeFlow(id: string): void;
  setCurrentFlow(id: string | null, version: number | null): void;
  setFlowVersion(version: number): void;
  setSave(save: SaveState): void;
  setTheme(theme: Theme): void;
  toggleTheme(): void;
  togglePanel(side: 'left' | 'right'): void;
  setSideTab(tab: SideTab): void;
  setNodeTab(tab: NodeTab): void;
  setHighlightProblems(on: boolean): void;
  toast(kind: Toast['kind'], text: string): void;
  dismissToast(id: number): void;
  openDialog(dialog: Dialog): void;
  closeDialog(): void;
  requestFit(): void;
}

const THEME_KEY = 'millrace.theme';
const PANELS_KEY = 'millrace.panels';

/** Open unless folded before; a malformed stored value means "both open". */
function initialPanels(): { left: boolean; right: boolean } {
  const open = { left: true, right: true };
  if (typeof window === 'undefined') return open;
  try {
    const stored: unknown = JSON.parse(window.localStorage.getItem(PANELS_KEY) ?? 'null');
    if (typeof stored !== 'object' || stored === null) return open;
    return { left: Reflect.get(stored, 'left') !== false, right: Reflect.get(stored, 'right') !== false };
  } catch {
    return open;
  }
}
const TOAST_MS = 4500;
let nextToastId = 1;

function initialTheme(): Theme {
  if (typeof window === 'undefined') return 'light';
  const stored = window.localStorage.getItem(THEME_KEY);
  if (stored === 'light' || stored === 'dark') return stored;
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function appState(s: Pick<SessionState, 'connection' | 'loaded'>): AppState {
  if (s.connection === 'disconnected' || s.connection === 'no-engine' || s.connection === 'bad-token') return 'disconnected';
  return s.loaded && s.connection === 'connected' ? 'ready' : 'loading';
}

export const useSession = create<SessionState>()((set, get) => ({
  connection: 'connecting',
  connectionDetail: null,
  loaded: false,
  flows: [],
  currentFlowId: null,
  flowVersion: null,
  save: { status: 'saved' },
  theme: initialTheme(),
  panels: initialPanels(),
  sideTab: 'node',
  nodeTab: 'config',
  highlightProblems: false,
  toasts: [],
  dialog: null,
  fitRequest: 0,

  setConnection: (connection, detail) => set({ connection, connectionDetail: detail ?? null }),
  setLoaded: () => set({ loaded: true }),
  setFlows: (flows) => set({ flows: [...flows].sort((a, b) => b.updatedAt - a.updatedAt) }),
  upsertFlow: (summary) =>
    set((s) => ({
      flows: s.flows.some((f) => f.id === summary.id) ? s.flows.map((f) => (f.id === summary.id ? summary : f)) : [summary, ...s.flows],
    })),
  removeFlow: (id) => set((s) => ({ flows: s.flows.filter((f) => f.id !== id) })),
  setCurrentFlow: (currentFlowId, flowVersion) => set({ currentFlowId, flowVersion, highlightProblems: false }),
  setFlowVersion: (flowVersion) => set({ flowVersion }),
  setSave: (save) => set({ save }),
  setTheme: (theme) => {
    window.localStorage.setItem(THEME_KEY, theme);
    set({ theme });
  },
  toggleTheme: () => get().setTheme(get().theme === 'dark' ? 'light' : 'dark'),
  togglePanel: (side) => {
    const panels = { ...get().panels, [side]: !get().panels[side] };
    window.localStorage.setItem(PANELS_KEY, JSON.stringify(panels));
    set({ panels });
    // The canvas just changed width: fit the flow to the space it now has.
    get().requestFit();
  },
  setSideTab: (sideTab) => set({ sideTab }),
  setNodeTab: (nodeTab) => set({ nodeTab }),
  setHighlightProblems: (highlightProblems) => set({ highlightProblems }),
  toast: (kind, text) => {
    const id = nextToastId++;
    set((s) => ({ toasts: [...s.toasts.slice(-3), { id, kind, text }] }));
    // An error stays long enough to read and copy (it can hold SQL to run by hand).
    setTimeout(() => get().dismissToast(id), kind === 'error' ? TOAST_MS * 4 : TOAST_MS);
  },
  dismissToast: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
  openDialog: (dialog) => set({ dialog }),
  closeDialog: () => set({ dialog: null }),
  requestFit: () => set((s) => ({ fitRequest: s.fitRequest + 1 })),
}));
