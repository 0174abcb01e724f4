/** The small state chip on a Postgres change node: live and its lag, reconnecting, slot lost. */
import { useTriggers, triggerKey } from './trigger-store';
import { triggerChip } from './trigger-text';

export function TriggerChip({ flowId, nodeId }: { flowId: string; nodeId: string }) {
  const status = useTriggers((s) => s.statuses[triggerKey(flowId, nodeId)]);
  const chip = triggerChip(status);
  return (
    <div className={`trigger-chip trigger-chip--${chip.tone} trigger-chip--node`} data-testid="node-trigger-chip" title={status?.message ?? status?.health?.warning ?? ''}>
      {chip.text}
    </div>
  );
}
