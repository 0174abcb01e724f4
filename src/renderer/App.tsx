/** The application shell: top bar, flows and palette on the left, canvas, inspector on the right. */
import { useEffect } from 'react';
import { ReactFlowProvider } from '@xyflow/react';
import { appState, useSession } from './stores/session-store';
import { handleShortcut } from './canvas/shortcuts';
import { Canvas } from './canvas/Canvas';
import { Palette } from './palette/Palette';
import { FlowList } from './flows/FlowList';
import { DataFolderUsage } from './flows/DataFolderUsage';
import { Inspector } from './inspector/Inspector';
import { TopBar } from './ui/TopBar';
import { Overlays } from './ui/Overlays';
import { ApprovalsPanel } from './approvals/ApprovalsPanel';
import { DemoCanvasLayer } from './demo/DemoCanvasLayer';
import { Tour } from './demo/Tour';

function onKeyDown(event: KeyboardEvent) {
  if (event.defaultPrevented || event.isComposing) return;
  if (handleShortcut(event)) event.preventDefault();
}

function LoadingScreen() {
  const connection = useSession((s) => s.connection);
  const detail = useSession((s) => s.connectionDetail);
  return (
    <div className="loading-screen">
      <span className="logo logo--large" aria-hidden="true">
        <span />
        <span />
        <span />
      </span>
      {connection === 'bad-token' ? (
        <>
          <div className="loading-screen__title" data-testid="bad-token">This link&apos;s token is not valid</div>
          <div className="muted">{detail}</div>
        </>
      ) : connection === 'no-engine' ? (
        <>
          <div className="loading-screen__title">Cannot reach the engine</div>
          <div className="muted">{detail}</div>
        </>
      ) : (
        <>
          <div className="loading-screen__title">{connection === 'disconnected' ? 'Waiting for the engine…' : 'Connecting to the engine…'}</div>
          <span className="mr-spinner" />
        </>
      )}
    </div>
  );
}

export function App() {
  const state = useSession(appState);
  const loaded = useSession((s) => s.loaded);
  const panels = useSession((s) => s.panels);

  useEffect(() => {
    document.documentElement.dataset['appState'] = state;
  }, [state]);

  useEffect(() => {
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);

  return (
    <div className="app" data-app-state={state}>
      {loaded ? (
        <ReactFlowProvider>
          <TopBar />
          <div className={`workspace${panels.left ? '' : ' workspace--no-left'}${panels.right ? '' : ' workspace--no-right'}`} data-testid="workspace">
            {panels.left ? (
              <aside className="sidebar sidebar--left">
                <FlowList />
                <Palette />
                <DataFolderUsage />
              </aside>
            ) : null}
            <main className="canvas-wrap">
              <Canvas />
              <DemoCanvasLayer />
            </main>
            {panels.right ? <Inspector /> : null}
          </div>
        </ReactFlowProvider>
      ) : (
        <LoadingScreen />
      )}
      {loaded ? <ApprovalsPanel /> : null}
      {loaded ? <Tour /> : null}
      <Overlays />
    </div>
  );
}
