/**
 * Keyboard shortcuts: one table drives both the key handler and the "?" help overlay, so the
 * overlay cannot list a shortcut that does not exist.
 */
import { editorStore } from '../stores/editor-store';
import { useSession } from '../stores/session-store';
import { runFlow, saveNow } from '../actions';

export interface KeyInfo {
  key: string;
  ctrl?: boolean;
  shift?: boolean;
}

export interface Shortcut {
  keys: string[];
  label: string;
  /** Also handled while typing in a field (the field's own undo/copy win otherwise). */
  inFields?: boolean;
  matches(k: KeyInfo): boolean;
  run(): void;
}

const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
export const MOD = isMac ? '⌘' : 'Ctrl';

const editor = () => editorStore.getState();
const session = () => useSession.getState();
const lower = (k: KeyInfo) => k.key.toLowerCase();

export const SHORTCUTS: Shortcut[] = [
  { keys: [MOD, 'Enter'], label: 'Run the flow', inFields: true, matches: (k) => !!k.ctrl && k.key === 'Enter', run: () => void runFlow() },
  { keys: [MOD, 'S'], label: 'Save now', inFields: true, matches: (k) => !!k.ctrl && lower(k) === 's', run: () => void saveNow() },
  { keys: [MOD, 'Z'], label: 'Undo', matches: (k) => !!k.ctrl && !k.shift && lower(k) === 'z', run: () => editor().undo() },
  {
    keys: [MOD, 'Shift', 'Z'],
    label: `Redo (also ${MOD}+Y)`,
    matches: (k) => !!k.ctrl && ((k.shift && lower(k) === 'z') || lower(k) === 'y'),
    run: () => editor().redo(),
  },
  { keys: [MOD, 'C'], label: 'Copy selected nodes', matches: (k) => !!k.ctrl && lower(k) === 'c', run: () => void editor().copy() },
  {
    keys: [MOD, 'X'],
    label: 'Cut selected nodes',
    matches: (k) => !!k.ctrl && lower(k) === 'x',
    run: () => {
      if (editor().copy()) editor().deleteSelection();
    },
  },
  { keys: [MOD, 'V'], label: 'Paste', matches: (k) => !!k.ctrl && lower(k) === 'v', run: () => editor().paste() },
  {
    keys: [MOD, 'D'],
    label: 'Duplicate selected nodes',
    matches: (k) => !!k.ctrl && lower(k) === 'd',
    run: () => {
      if (editor().copy()) editor().paste();
    },
  },
  { keys: [MOD, 'A'], label: 'Select everything', matches: (k) => !!k.ctrl && lower(k) === 'a', run: () => editor().selectAll() },
  {
    keys: ['Delete'],
    label: 'Delete selection (also Backspace)',
    matches: (k) => !k.ctrl && (k.key === 'Delete' || k.key === 'Backspace'),
    run: () => editor().deleteSelection(),
  },
  {
    keys: ['L'],
    label: 'Auto-layout (left to right)',
    matches: (k) => !k.ctrl && lower(k) === 'l',
    run: () => {
      editor().autoLayout();
      session().requestFit();
    },
  },
  { keys: ['F'], label: 'Fit the flow in view', matches: (k) => !k.ctrl && lower(k) === 'f', run: () => session().requestFit() },
  {
    keys: ['Esc'],
    label: 'Clear selection / close dialog (in a text field: leave the field)',
    inFields: true,
    matches: (k) => k.key === 'Escape',
    run: () => {
      if (session().dialog) session().closeDialog();
      else editor().setSelection({ nodes: [], edges: [] });
    },
  },
  { keys: ['?'], label: 'Show these shortcuts', matches: (k) => k.key === '?', run: () => session().openDialog({ kind: 'shortcuts' }) },
];

/** Multi-select and canvas gestures are React Flow's; listed for the help overlay only. */
export const GESTURES: { keys: string[]; label: string }[] = [
  { keys: ['Shift', 'drag'], label: 'Select with a box' },
  { keys: [MOD, 'click'], label: 'Add a node to the selection' },
  { keys: ['drag'], label: 'Pan the canvas (scroll to zoom)' },
  { keys: ['click palette'], label: 'Add a node in the middle of the view' },
];

function isEditable(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/** Handles a keydown; returns true when it was a shortcut (the caller prevents the default). */
export function handleShortcut(event: KeyboardEvent): boolean {
  const info: KeyInfo = { key: event.key, ctrl: event.ctrlKey || event.metaKey, shift: event.shiftKey };
  const inField = isEditable(event.target);
  // With a dialog open only Esc and field-safe shortcuts apply; the canvas is behind it.
  const dialogOpen = session().dialog !== null;
  // Copying text the user selected (run output, labels) must keep working.
  if (info.ctrl && lower(info) === 'c' && (window.getSelection()?.toString() ?? '') !== '') return false;
  // Esc while typing leaves the field (and closes a dialog), but keeps the node selected: the
  // inspector the user is typing in must not vanish under them.
  if (info.key === 'Escape' && inField && !dialogOpen) {
    if (event.target instanceof HTMLElement) event.target.blur();
    return true;
  }
  for (const shortcut of SHORTCUTS) {
    if (!shortcut.matches(info)) continue;
    if ((inField || dialogOpen) && !shortcut.inFields) return false;
    shortcut.run();
    return true;
  }
  return false;
}
