/**
 * "Detect local servers" in the LLM node's Model section: probes Ollama (11434), LM Studio (1234)
 * and a URL the user types, lists each server's models; a click on a model points the node at it
 * (OpenAI-compatible, that base URL, that model, no key).
 */
import { useState } from 'react';
import type { LlmServerInfo } from '../../shared/api';
import { editorStore } from '../stores/editor-store';
import { detectLlmServers } from './llm-actions';

export function LocalServers({ nodeId }: { nodeId: string }) {
  const [url, setUrl] = useState('');
  const [state, setState] = useState<{ busy: boolean; servers: LlmServerInfo[] | null }>({ busy: false, servers: null });
  const use = (server: LlmServerInfo, model: string) => {
    const set = editorStore.getState().setConfigField;
    set(nodeId, 'provider', 'openai-compatible');
    set(nodeId, 'baseUrl', server.baseUrl);
    set(nodeId, 'model', model);
    set(nodeId, 'apiKey', '');
  };
  const detect = () => {
    setState({ busy: true, servers: null });
    const urls = url.trim() ? [url.trim()] : [];
    void detectLlmServers(urls).then((servers) => setState({ busy: false, servers }));
  };
  return (
    <div className="llm-servers" data-testid="llm-servers">
      <div className="llm-servers__row">
        <input
          className="input"
          placeholder="Other server, e.g. http://127.0.0.1:8080/v1"
          aria-label="Server URL to probe"
          data-testid="llm-servers-url"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
        />
        <button type="button" className="button button--small" data-testid="llm-servers-detect" disabled={state.busy} onClick={detect}>
          {state.busy ? 'Looking…' : 'Detect local servers'}
        </button>
      </div>
      {state.servers?.map((s) => (
        <div key={s.baseUrl} className="llm-servers__server" data-testid="llm-server" data-reachable={s.reachable}>
          <span className="llm-servers__name">
            {s.name} <span className="muted">{s.baseUrl}</span>
          </span>
          {s.models.length > 0 ? (
            <span className="llm-servers__models">
              {s.models.map((m) => (
                <button type="button" key={m} className="chip" data-testid="llm-server-model" onClick={() => use(s, m)} title={`Use ${m} at ${s.baseUrl} (no key needed)`}>
                  {m}
                </button>
              ))}
            </span>
          ) : (
            <span className="muted">{s.error ?? 'no models'}</span>
          )}
        </div>
      ))}
    </div>
  );
}
