/** Entry point: apply the theme before the first paint, start the engine connection, render. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '@xyflow/react/dist/style.css';
import './styles/tokens.css';
import './styles/base.css';
import './styles/layout.css';
import './styles/overlays.css';
import './styles/canvas.css';
import './styles/run-overlay.css';
import './styles/inspector.css';
import './styles/runs.css';
import './styles/traces.css';
import './styles/triggers.css';
import './styles/codegen.css';
import { App } from './App';
import { useSession } from './stores/session-store';
import { hasUnsavedChanges, saveNow, startApp } from './actions';
import { isConnected } from './engine-client';

const applyTheme = (theme: string) => {
  document.documentElement.dataset['theme'] = theme;
  document.documentElement.style.colorScheme = theme;
};
applyTheme(useSession.getState().theme);
useSession.subscribe((s, prev) => {
  if (s.theme !== prev.theme) applyTheme(s.theme);
});
document.documentElement.dataset['appState'] = 'loading';

window.addEventListener('beforeunload', (event) => {
  if (!hasUnsavedChanges()) return;
  // Flushing sends the save synchronously over the open connection; only warn when it cannot.
  const failedBefore = useSession.getState().save.status === 'error';
  void saveNow();
  if (!isConnected() || failedBefore) event.preventDefault();
});
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'hidden') void saveNow();
});

startApp();

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
