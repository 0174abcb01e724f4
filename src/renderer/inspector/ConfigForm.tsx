/** The generic settings form of a node: one field per config key, errors beside each field. */
import { useMemo } from 'react';
import type { AnyNodeDefinition } from '../../shared/node-kit';
import type { FlowNode } from '../../shared/flow/schema';
import { editorStore } from '../stores/editor-store';
import { configErrors, describeConfig, type FieldSpec } from './schema-fields';
import { SecretPicker } from '../llm/SecretPicker';
import { JsonWidget, NumberWidget, PairsWidget, SelectWidget, SwitchWidget, TextWidget, type WidgetProps } from './widgets';

function Widget(props: WidgetProps & { errors: Record<string, string[]> }) {
  switch (props.spec.widget) {
    case 'text':
    case 'textarea':
    case 'template':
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
      return <PairsWidget {...props} />;
    case 'secret':
      return <TextWidget {...props} />;
  }
}

function Field({ spec, node, errors }: { spec: FieldSpec; node: FlowNode; errors: Record<string, string[]> }) {
  const own = errors[spec.name] ?? [];
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
      </label>
      <Widget
        spec={spec}
        value={node.config[spec.name]}
        invalid={own.length > 0}
        testId={testId}
        errors={errors}
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
  const fields = useMemo(() => (only ? only.flatMap((name) => all.filter((f) => f.name === name)) : all), [all, only]);
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
