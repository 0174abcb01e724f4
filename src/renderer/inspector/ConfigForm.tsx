/** The generic settings form of a node: one field per config key, errors beside each field. */
import { useMemo } from 'react';
import type { AnyNodeDefinition } from '../../shared/node-kit';
import type { FlowNode } from '../../shared/flow/schema';
import { editorStore } from '../stores/editor-store';
import { configErrors, describeConfig, type FieldSpec } from './schema-fields';
import { SecretPicker } from '../llm/SecretPicker';
import { JsonWidget, NumberWidget, PairsWidget, SelectWidget, SwitchWidget, TextWidget, type WidgetProps } from './widgets';
import { TemplateField } from './TemplateField';
import { ConnectionPicker } from '../connections/ConnectionPicker';

/** The inline connection fields a picked named connection replaces (src/nodes/pg-connection.ts): hidden while one is picked. */
const INLINE_CONNECTION_FIELDS = new Set(['host', 'port', 'database', 'user', 'password', 'connectionString', 'tls']);

/** How `{{ }}` renders in this field (the node's UI hint; a function when another field decides). */
export function fieldMode(spec: FieldSpec, config: Record<string, unknown>): 'text' | 'json' {
  const m = spec.hint.templateMode;
  return typeof m === 'function' ? m(config) : (m ?? 'text');
}

function Widget(props: WidgetProps & { errors: Record<string, string[]>; node: FlowNode }) {
  const { spec, node } = props;
  switch (spec.widget) {
    case 'template':
    case 'code':
      return (
        <TemplateField
          node={node}
          label={spec.label}
          value={typeof props.value === 'string' ? props.value : ''}
          onChange={props.onChange}
          rows={spec.hint.rows ?? 1}
          testId={props.testId}
          errors={[]}
          mode={spec.widget === 'code' ? 'code' : fieldMode(spec, node.config)}
          bare
        />
      );
    case 'text':
    case 'textarea':
      return <TextWidget {...props} />;
    case 'number':
      return <NumberWidget {...props} />;
    case 'switch':
      return <SwitchWidget {...props} />;
    case 'select':
      return <SelectWidget {...props} />;
    case 'json':
      return <JsonWidget {...props} />;
    case 'key-value':
    case 'field-map':
      return (
        <PairsWidget
          {...props}
          {...(spec.widget === 'field-map'
            ? {
                renderValue: (v: string, set: (next: string) => void, id: string) => (
                  <TemplateField node={node} label={spec.label} value={v} onChange={set} rows={1} testId={id} errors={[]} mode="text" bare />
                ),
              }
            : {})}
        />
      );
    case 'secret':
      return <TextWidget {...props} />;
    case 'pg-connection':
      return null;
  }
}

function Field({ spec, node, errors }: { spec: FieldSpec; node: FlowNode; errors: Record<string, string[]> }) {
  const own = errors[spec.name] ?? [];
  if (spec.widget === 'pg-connection') {
    return <ConnectionPicker node={node} label={spec.label} errors={own} {...(spec.hint.help ? { help: spec.hint.help } : {})} />;
  }
  if (spec.widget === 'secret') {
    const value = node.config[spec.name];
    return (
      <SecretPicker
        field={spec.name}
        label={spec.label}
        emptyLabel="None"
        value={typeof value === 'string' ? value : ''}
        errors={own}
        onChange={(v) => editorStore.getState().setConfigField(node.id, spec.name, v)}
        {...(spec.hint.help ? { help: spec.hint.help } : {})}
      />
    );
  }
  const testId = `field-${spec.name}`;
  const inline = spec.widget === 'switch';
  return (
    <div className={`field${inline ? ' field--inline' : ''}`} data-field={spec.name}>
      <label className="field__label" htmlFor={testId}>
        {spec.label}
        {spec.widget === 'template' ? <span className="field__badge">{'{{ }}'}</span> : null}
        {spec.widget === 'template' && fieldMode(spec, node.config) === 'json' ? (
          <span className="field__badge field__badge--json" data-testid={`${testId}-mode`} title="{{ x }} inserts a JSON value: strings quoted, objects serialised">
            JSON
          </span>
        ) : null}
        {spec.widget === 'code' ? <span className="field__badge">JS</span> : null}
      </label>
      <Widget
        spec={spec}
        value={node.config[spec.name]}
        invalid={own.length > 0}
        testId={testId}
        errors={errors}
        node={node}
        onChange={(value) => editorStore.getState().setConfigField(node.id, spec.name, value)}
      />
      {spec.hint.help ? <div className="field__help">{spec.hint.help}</div> : null}
      {own.map((message) => (
        <div className="field__error" data-testid={`field-error-${spec.name}`} key={message}>
          {message}
        </div>
      ))}
    </div>
  );
}

/** `fields`: only these config keys, in this order (custom inspectors lay out sections with it). */
export function ConfigForm({ def, node, fields: only }: { def: AnyNodeDefinition; node: FlowNode; fields?: readonly string[] }) {
  const all = useMemo(() => describeConfig(def), [def]);
  const named = typeof node.config['connection'] === 'string' && node.config['connection'] !== '' && all.some((f) => f.widget === 'pg-connection');
  const fields = useMemo(() => {
    const picked = only ? only.flatMap((name) => all.filter((f) => f.name === name)) : all;
    return named ? picked.filter((f) => !INLINE_CONNECTION_FIELDS.has(f.name)) : picked;
  }, [all, only, named]);
  const errors = useMemo(() => configErrors(def, node.config), [def, node.config]);
  const general = only ? [] : (errors[''] ?? []);
  if (fields.length === 0) return <div className="muted empty-note">This node has no settings.</div>;
  return (
    <div className="config-form">
      {general.map((message) => (
        <div className="field__error" key={message}>
          {message}
        </div>
      ))}
      {fields.map((spec) => (
        <Field key={spec.name} spec={spec} node={node} errors={errors} />
      ))}
    </div>
  );
}
