/** Top-bar button of the Approvals inbox, with the count of pending requests. */
import { askNotificationPermission, approvalsStore, useApprovals } from './approvals-store';

export function ApprovalsButton() {
  const count = useApprovals((s) => s.pending.length);
  return (
    <button
      type="button"
      className="approvals-button"
      data-testid="approvals-button"
      title="Approvals inbox"
      onClick={() => {
        askNotificationPermission();
        approvalsStore.setState((s) => ({ open: !s.open }));
      }}
    >
      Approvals
      {count > 0 ? (
        <span className="approvals-badge" data-testid="approvals-badge">
          {count}
        </span>
      ) : null}
    </button>
  );
}
