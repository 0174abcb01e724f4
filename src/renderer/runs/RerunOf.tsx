/** "re-run of …a1b2c3": a link to the run a re-run came from. */
import { selectRun } from '../actions';
import { Icon } from '../ui/icons';
import { shortRunId } from './run-status';

export function RerunOf({ parentRunId }: { parentRunId: string }) {
  return (
    <button
      type="button"
      className="link rerun-of"
      data-testid="rerun-of"
      data-parent-run-id={parentRunId}
      title={`Show ${parentRunId}, the run this one re-ran`}
      onClick={(event) => {
        // Inside a runs-list row, the row itself selects on click.
        event.stopPropagation();
        void selectRun(parentRunId);
      }}
    >
      <Icon name="rerun" size={11} />
      re-run of {shortRunId(parentRunId)}
    </button>
  );
}
