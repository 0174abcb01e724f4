import { describe, expect, it } from 'vitest';
import { TemplateError, nodeScope, parsePath, parseRef, renderField, renderTemplate, renderTemplateText, templateError } from './template';
import type { Upstream } from './node-kit';
import { NodeError } from './services';

const upstream: Upstream = {
  nodes: {
    n_classify: { name: 'Classify', status: 'done', outputs: { data: { category: 'fraud', score: 0.9 }, text: '{"category":"fraud"}' } },
    n_branch: { name: 'Big order', status: 'skipped', outputs: {} },
  },
  trigger: { op: 'insert', new: { id: 42, note: 'say "hi"' } },
};
const scope = nodeScope({ runInput: null, upstream }, { verdict: 'Order looks legitimate', n: 0, tags: ['a'] });

describe('references to upstream nodes and the trigger', () => {
  it('parses $node["id"] and quoted keys', () => {
    expect(parsePath('$node["n_classify"].data.category')).toEqual(['$node', 'n_classify', 'data', 'category']);
    expect(parsePath("x['a b'][0]")).toEqual(['x', 'a b', 0]);
    expect(parsePath('x["quo\\"te"]')).toEqual(['x', 'quo"te']);
  });

  it('resolves $node, $trigger and the direct input side by side', () => {
    expect(renderTemplate('{{ $node["n_classify"].data.category }}', scope)).toBe('fraud');
    expect(renderTemplate('{{ $trigger.new.id }}', scope)).toBe(42);
    expect(renderTemplate('{{ $json.verdict }} / {{ verdict }}', scope)).toBe('Order looks legitimate / Order looks legitimate');
    expect(renderTemplate('order {{ $trigger.new.id }} is {{ $node["n_classify"].data.category }}', scope)).toBe('order 42 is fraud');
  });

  it('falls back to the run input for $trigger when the host passes no upstream data', () => {
    expect(renderTemplate('{{ $trigger.a }}', nodeScope({ runInput: { a: 1 } }, {}))).toBe(1);
  });

  it('names the node (not its id) when a referenced node was skipped or is not upstream', () => {
    expect(() => renderTemplate('{{ $node["n_branch"].out }}', scope)).toThrow(/"Big order" was skipped in this run/);
    expect(() => renderTemplate('{{ $node["n_other"].out }}', scope)).toThrow(/node "n_other" has no output here/);
    expect(renderTemplate('{{ $node["n_branch"].out? }}', scope)).toBeUndefined();
    expect(renderTemplate('{{ $node["n_branch"].out ?? "n/a" }}', scope)).toBe('n/a');
  });

  it('reports a missing field with the path and the keys that were there', () => {
    expect(() => renderTemplate('{{ $node["n_classify"].data.categry }}', scope)).toThrow(
      '{{ $node["Classify"].data.categry }}: $node["Classify"].data has no "categry" (it has: category, score)',
    );
    expect(() => renderTemplate('{{ tags[3] }}', scope)).toThrow('{{ tags[3] }}: tags has 1 item, so there is no [3]');
    expect(() => renderTemplate('{{ verdict.x }}', scope)).toThrow('verdict is a string, so it has no "x"');
    expect(() => renderTemplate('{{ new.id }}', scope)).toThrow(/the input has no "new" \(it has: verdict, n, tags\)/);
  });
});

describe('defaults and optional values', () => {
  it('uses the default when missing or null, never for 0, false or ""', () => {
    const s = { zero: 0, no: false, empty: '', nil: null };
    expect(renderTemplate('{{ zero ?? 5 }}', s)).toBe(0);
    expect(renderTemplate('{{ no ?? true }}', s)).toBe(false);
    expect(renderTemplate('{{ empty ?? "x" }}', s)).toBe('');
    expect(renderTemplate('{{ nil ?? "x" }}', s)).toBe('x');
    expect(renderTemplate('{{ gone ?? [1, 2] }}', s)).toEqual([1, 2]);
    expect(renderTemplate("{{ gone ?? 'single' }}", s)).toBe('single');
    expect(renderTemplate('{{ gone ?? "a ?? b" }}', s)).toBe('a ?? b');
  });

  it('renders an optional miss as nothing in text', () => {
    expect(renderTemplateText('[{{ gone? }}]', {})).toBe('[]');
  });

  it('refuses a default that is not a literal', () => {
    expect(() => parseRef('a ?? b')).toThrow(TemplateError);
    expect(templateError('{{ a ?? none }}')).toMatch(/default after \?\? must be a literal/);
    expect(templateError('{{ a ?? "none" }}')).toBeNull();
    expect(templateError('{{ a? }}')).toBeNull();
    expect(templateError('{{ $node["x"].data }}')).toBeNull();
  });
});

describe('JSON-safe interpolation', () => {
  it('quotes strings and serialises objects outside JSON strings', () => {
    const body = renderTemplateText('{"orderId": {{ $trigger.new.id }}, "verdict": {{ $json.verdict }}, "all": {{ $node["n_classify"].data }}}', scope, 'json');
    expect(JSON.parse(body)).toEqual({ orderId: 42, verdict: 'Order looks legitimate', all: { category: 'fraud', score: 0.9 } });
  });

  it('escapes inside a JSON string literal instead of quoting', () => {
    const body = renderTemplateText('{"note": "note: {{ $trigger.new.note }} (id {{ $trigger.new.id }})", "x": "{{ $node["n_classify"].data }}"}', scope, 'json');
    expect(JSON.parse(body)).toEqual({ note: 'note: say "hi" (id 42)', x: '{"category":"fraud","score":0.9}' });
  });

  it('inserts null for an optional miss, and a whole-value template is JSON too', () => {
    expect(renderTemplateText('{"a": {{ gone? }}}', {}, 'json')).toBe('{"a": null}');
    expect(renderTemplateText('{{ $json }}', nodeScope({ runInput: null }, 'plain text'), 'json')).toBe('"plain text"');
  });

  it('text mode keeps strings bare (the bug the issue reported, now only in text fields)', () => {
    expect(renderTemplateText('{{ $json }}', nodeScope({ runInput: null }, 'plain text'), 'text')).toBe('plain text');
  });
});

describe('renderField', () => {
  it('turns a template failure into a NodeError on the field', () => {
    let err: unknown;
    try {
      renderField('{{ nope }}', scope, 'body');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NodeError);
    expect((err as NodeError).details).toEqual({ field: 'body', permanent: true });
    expect((err as NodeError).message).toMatch(/^body: \{\{ nope \}\}: the input has no "nope"/);
  });
});
