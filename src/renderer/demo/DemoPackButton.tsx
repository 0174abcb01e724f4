/** Top-bar button beside the other exports: Export demo pack (this flow, its recorded changes, LLM answers and decisions, as one file). */
import { useEditor } from '../stores/editor-store';
import { Icon } from '../ui/icons';
import { demo } from './demo-actions';
import { useDemo } from './demo-store';

export function DemoPackButton() {
  const flowId = useEditor((s) => s.flow?.id);
  const busy = useDemo((s) => s.busy === 'pack');
  return (
    <button
      type="button"
      className="icon-button icon-button--bar"
      title="Export a demo pack: this flow with its recorded source changes, LLM answers and approval decisions, replayable offline"
      aria-label="Export demo pack"
      data-testid="export-demo-pack"
      disabled={!flowId || busy}
      onClick={() => flowId && void demo.exportPack(flowId)}
    >
      <Icon name="package" size={17} />
    </button>
  );
}
