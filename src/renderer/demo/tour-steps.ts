/**
 * The first-run tour of the demo flow: five steps, each pointing at a real element. Targets are
 * CSS selectors tried in order (the first that is on screen wins); node targets go by node type,
 * so a renamed or moved node is still found. No target on screen: the step shows centred.
 */
export interface TourStep {
  id: 'trigger' | 'llm-trace' | 'approvals' | 'sink' | 'traffic';
  title: string;
  body: string;
  targets: string[];
  /** Where the popover sits relative to its target. */
  placement: 'right' | 'left' | 'bottom' | 'top';
}

export const TOUR_STEPS: readonly TourStep[] = [
  {
    id: 'trigger',
    title: 'A new ticket starts a run',
    body: 'This trigger follows the demo database through logical replication: every row inserted into support_tickets becomes a run within a second. Changes made while Millrace is closed are picked up when it starts again.',
    targets: ['.react-flow__node [data-node-type^="postgres-change@"]'],
    placement: 'bottom',
  },
  {
    id: 'llm-trace',
    title: "The model's answer, and its trace",
    body: 'The LLM node classifies each ticket and drafts a reply as structured output. Offline it answers from recordings (Replay). After a run, the badge on the node shows its status and the footer its tokens and latency; click the node and open the Run tab to read the prompt and the full answer.',
    targets: ['.react-flow__node [data-node-type^="llm-call@"] [data-testid="llm-stats"]', '.react-flow__node [data-node-type^="llm-call@"]'],
    placement: 'bottom',
  },
  {
    id: 'approvals',
    title: 'Urgent tickets wait for a person',
    body: 'Urgent tickets stop at the approval step. Open the Approvals inbox to read the draft, edit it and approve: the run goes on from where it waited, even after a restart.',
    targets: ['[data-testid="approvals-button"]'],
    placement: 'bottom',
  },
  {
    id: 'sink',
    title: 'Every ticket lands once in triaged_tickets',
    body: 'The sink upserts on the ticket id, so a retried run never writes a row twice. To see what it wrote: pick a run and press Effects in the run banner (the effect ledger), or select this node and open its Run tab.',
    targets: ['.react-flow__node [data-node-type^="postgres-sink@"]'],
    placement: 'bottom',
  },
  {
    id: 'traffic',
    title: 'Bring it to life',
    body: 'Simulate traffic inserts tickets into support_tickets through real SQL, at the rate you choose (1–50 per second). Runs light up the canvas and urgent tickets pile up in the inbox.',
    targets: ['[data-testid="demo-traffic"]', '[data-testid="demo-bar"]'],
    placement: 'top',
  },
];
