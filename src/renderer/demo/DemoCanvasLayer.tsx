/** What the demo adds to the canvas while the demo flow is open: the demo bar, and the tour's first start. */
import { useEffect } from 'react';
import { useSession } from '../stores/session-store';
import { useEditor } from '../stores/editor-store';
import { DemoBar } from './DemoBar';
import { useDemo, useDemoFlowId } from './demo-store';
import { tour } from './tour-state';

export function DemoCanvasLayer() {
  const flowId = useSession((s) => s.currentFlowId);
  const demoFlowId = useDemoFlowId();
  const enabled = useDemo((s) => s.status?.enabled === true);
  const hasNodes = useEditor((s) => (s.flow?.nodes.length ?? 0) > 0);
  const isDemo = flowId === demoFlowId;
  useEffect(() => {
    // The first time the demo flow opens on an engine that runs the demo: start the tour.
    if (isDemo && enabled && hasNodes) tour.maybeAutoStart();
  }, [isDemo, enabled, hasNodes]);
  return isDemo ? <DemoBar /> : null;
}
