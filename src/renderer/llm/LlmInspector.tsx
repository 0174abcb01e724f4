/**
 * Settings of an LLM node, in sections: model and key (with a Test button), prompt templates with
 * field completion and a live preview from the selected run, output (text, or JSON with a schema),
 * parameters, cache and reliability. Plain fields reuse the generic form; only prompts, schema,
 * key and optional numbers have their own editors.
 */
import { useMemo, useState } from 'react';
import type { LlmTestResult } from '../../shared/api';
import type { AnyNodeDefinition } from '../../shared/node-kit';
import type { FlowNode } from '../../shared/flow/schema';
import { formatCost, isOfflineProvider, type LlmProviderKind } from '../../shared/llm';
import { LocalServers } from './LocalServers';
import { llmCallConfig, schemaFieldSchema, SCHEMA_FIELD_TYPES } from '../../nodes/llm-call.config';
import { nodeRegistry } from '../../nodes';
import { editorStore, useEditor } from '../stores/editor-store';
import { selectedTrace, useRuns } from '../stores/run-store';
import { testLlmConnection } from './llm-actions';
import { ConfigForm } from '../inspector/ConfigForm';
import { configErrors } from '../inspector/schema-fields';
import { SchemaEditor } from './SchemaEditor';
import { SecretPicker } from './SecretPicker';
import { TemplateField } from '../inspector/TemplateField';
import { fieldPaths, upstreamSample } from './template-assist';
import { formatMs } from './format';
import './llm.css';

const str = (v: unknown) => (typeof v === 'string' ? v : '');

function TestButton({ node }: { node: FlowNode }) {
  const [state, setState] = useState<{ running: boolean; result: LlmTestResult | null }>({ running: false, result: null });
  const r = state.result;
  return (
    <div className="llm-test">
      <button
        type="button"
        className="button button--small"
        data-testid="llm-test"
        disabled={state.running}
        onClick={() => {
          setState({ running: true, result: null });
          void testLlmConnection(node.config).then((result) => setState({ running: false, result }));
        }}
      >
        {state.running ? 'Testing…' : 'Test'}
      </button>
      <span className="field__help">{str(node.config['provider']) === 'replay' ? 'checks the recorded answers' : 'sends a one-token request'}</span>
      {r ? (
        <div className={`llm-test__result ${r.ok ? 'is-ok' : 'is-error'}`} data-testid="llm-test-result">
          {r.ok
            ? `${r.label !== 'live' ? `${r.label} · ` : ''}${r.model} answered “${r.reply}” in ${formatMs(r.latencyMs)} · ${r.totalTokens ?? '?'} tokens · ${formatCost(r.cost)}`
            : r.error}
        </div>
      ) : null}
    </div>
  );
}

/** topP and seed: empty means "not set" (null), which the generic number field cannot say. */
function OptionalNumber({ node, name, label, step, errors }: { node: FlowNode; name: 'topP' | 'seed'; label: string; step: string; errors: string[] }) {
  const value = node.config[name];
  const [draft, setDraft] = useState(typeof value === 'number' ? String(value) : '');
  return (
    <div className="field llm-half" data-field={name}>
      <label className="field__label" htmlFor={`field-${name}`}>
        {label}
      </label>
      <input
        id={`field-${name}`}
        className={`input${errors.length ? ' is-invalid' : ''}`}
        type="number"
        step={step}
        placeholder="not set"
        value={draft}
        onChange={(e) => {
          setDraft(e.target.value);
          const n = Number(e.target.value);
          editorStore.getState().setConfigField(node.id, name, e.target.value.trim() === '' ? null : Number.isFinite(n) ? n : e.target.value);
        }}
      />
      {errors.map((m) => (
        <div className="field__error" key={m}>
          {m}
        </div>
      ))}
    </div>
  );
}

export function LlmInspector({ def, node }: { def: AnyNodeDefinition; node: FlowNode }) {
  const flow = useEditor((s) => s.flow);
  const trace = useRuns(selectedTrace);
  const errors = useMemo(() => configErrors(def, node.config), [def, node.config]);
  const sample = useMemo(() => upstreamSample(flow, trace, node.id, nodeRegistry), [flow, trace, node.id]);
  const paths = useMemo(() => (sample === undefined ? [] : fieldPaths(sample)), [sample]);
  const set = (name: string, value: unknown) => editorStore.getState().setConfigField(node.id, name, value);
  const parsed = llmCallConfig.safeParse(node.config);
  const provider = str(node.config['provider']) || 'openai-compatible';
  const output = str(node.config['output']) || 'text';
  const fields = Array.isArray(node.config['schemaFields'])
    ? // A row being typed (empty or invalid name) stays visible with its error instead of vanishing.
      node.config['schemaFields'].map((f: unknown) => {
        const r = schemaFieldSchema.safeParse(f);
        if (r.success) return r.data;
        const get = (k: string): unknown => (typeof f === 'object' && f !== null ? Reflect.get(f, k) : undefined);
        const name = get('name');
        const type = SCHEMA_FIELD_TYPES.find((t) => t === get('type')) ?? 'string';
        const description = get('description');
        return { name: typeof name === 'string' ? name : '', type, description: typeof description === 'string' ? description : '', required: get('required') !== false };
      })
    : [];

  return (
    <div className="config-form llm-inspector" data-testid="llm-inspector">
      <section className="llm-section">
        <div className="section-title">Model</div>
        <ConfigForm def={def} node={node} fields={isOfflineProvider(provider as LlmProviderKind) ? ['provider', 'model'] : ['provider', 'baseUrl', 'model']} />
        {provider === 'synthetic' ? (
          <div className="llm-note" data-testid="llm-synthetic-note">
            <span className="llm-badge llm-badge--synthetic">synthetic</span> Made-up answers shaped by the output schema, the same for the same prompt; no model is
            called and nothing is sent. For building and running a flow before any key exists.
          </div>
        ) : provider === 'replay' ? (
          <div className="llm-note" data-testid="llm-replay-note">
            <span className="llm-badge llm-badge--replay">replay</span> Answers come from recorded responses (resources/llm-replay, or &lt;data folder&gt;/llm-replay) keyed by the rendered
            request; no model is called. A request with no recording fails clearly.
          </div>
        ) : (
          <>
            <SecretPicker value={str(node.config['apiKey'])} onChange={(v) => set('apiKey', v)} errors={errors['apiKey'] ?? []} />
            <LocalServers nodeId={node.id} />
          </>
        )}
        <TestButton node={node} />
      </section>

      <section className="llm-section">
        <div className="section-title">Prompt</div>
        <div className="field__help llm-sample" data-testid="llm-sample-source">
          {sample === undefined
            ? 'Run the flow once (or select a run) to get field suggestions after {{ and a live preview.'
            : `Type {{ to insert one of ${paths.length} fields from the selected run's data.`}
        </div>
        <TemplateField node={node} label="System prompt" value={str(node.config['system'])} onChange={(v) => set('system', v)} rows={2} testId="field-system" errors={errors['system'] ?? []} mode="text" />
        <TemplateField node={node} label="Prompt" value={str(node.config['prompt'])} onChange={(v) => set('prompt', v)} rows={5} testId="field-prompt" errors={errors['prompt'] ?? []} mode="text" />
      </section>

      <section className="llm-section">
        <div className="section-title">Output</div>
        <ConfigForm def={def} node={node} fields={['output']} />
        {output === 'json' ? (
          <>
            <SchemaEditor fields={fields} raw={str(node.config['schemaJson'])} onFields={(f) => set('schemaFields', f)} onRaw={(r) => set('schemaJson', r)} errors={errors} />
            <ConfigForm def={def} node={node} fields={['jsonMode']} />
            <div className="field__help">Downstream nodes get the parsed object on the “data” port: {'{{ fieldName }}'}.</div>
          </>
        ) : (
          <ConfigForm def={def} node={node} fields={['allowTruncated']} />
        )}
      </section>

      <section className="llm-section">
        <div className="section-title">Parameters</div>
        <ConfigForm def={def} node={node} fields={['temperature', 'maxTokens']} />
        <div className="llm-row">
          <OptionalNumber node={node} name="topP" label="Top p" step="0.05" errors={errors['topP'] ?? []} />
          <OptionalNumber node={node} name="seed" label="Seed" step="1" errors={errors['seed'] ?? []} />
        </div>
        <div className="field" data-field="stop">
          <label className="field__label" htmlFor="field-stop">
            Stop sequences <span className="muted">(one per line)</span>
          </label>
          <textarea
            id="field-stop"
            className={`input input--mono${errors['stop'] ? ' is-invalid' : ''}`}
            rows={2}
            value={Array.isArray(node.config['stop']) ? node.config['stop'].map(String).join('\n') : ''}
            onChange={(e) => set('stop', e.target.value.split('\n').filter((l) => l !== ''))}
          />
        </div>
        <ConfigForm def={def} node={node} fields={['stream', 'cache', ...(node.config['cache'] === true ? ['cacheTtlSeconds'] : [])]} />
      </section>

      <details className="llm-section llm-details">
        <summary className="section-title">Reliability, fallbacks and headers</summary>
        <ConfigForm def={def} node={node} fields={['maxAttempts', 'initialBackoffMs', 'maxBackoffMs', 'maxRetryAfterMs', 'attemptTimeoutMs', 'stallTimeoutMs', 'deadlineMs', 'fallbacks', 'headers']} />
      </details>
      {!parsed.success && errors[''] ? <div className="field__error">{errors['']!.join('; ')}</div> : null}
    </div>
  );
}
