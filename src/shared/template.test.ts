import { describe, expect, it } from 'vitest';
import { TemplateError, getPath, parsePath, renderTemplate, renderTemplateText, templateError, templateRefs, withJson } from './template';

describe('parsePath', () => {
  it.each<[string, (string | number)[]]>([
    ['a', ['a']],
    ['a.b.c', ['a', 'b', 'c']],
    ['items[0]', ['items', 0]],
    ['items[12].sku', ['items', 12, 'sku']],
    ['grid[1][2]', ['grid', 1, 2]],
    ['$json', ['$json']],
    ['$json[0]', ['$json', 0]],
  ])('%s → %j', (path, parts) => {
    expect(parsePath(path)).toEqual(parts);
  });

  it.each(['', 'a..b', 'a.', '.a', 'a.[0]', 'a[x]', 'a[', 'a]', 'a[-1]', 'a[0]b'])('refuses %j', (path) => {
    expect(() => parsePath(path)).toThrow(TemplateError);
  });
});

describe('getPath', () => {
  const scope = { customer: { name: 'Ada', emails: ['a@x', 'b@x'] }, n: 0, list: [[1, 2]] };

  it('follows dotted paths and indexes', () => {
    expect(getPath(scope, 'customer.name')).toBe('Ada');
    expect(getPath(scope, 'customer.emails[1]')).toBe('b@x');
    expect(getPath(scope, 'list[0][1]')).toBe(2);
    expect(getPath(scope, 'n')).toBe(0);
  });

  it('returns undefined for missing paths and for paths through non-objects', () => {
    expect(getPath(scope, 'customer.phone')).toBeUndefined();
    expect(getPath(scope, 'customer.emails[5]')).toBeUndefined();
    expect(getPath(scope, 'n.x')).toBeUndefined();
    expect(getPath(scope, 'customer.name.length')).toBeUndefined();
    expect(getPath(null, 'a')).toBeUndefined();
  });

  it.each(['__proto__', 'constructor', 'customer.__proto__', 'customer.constructor.name', 'toString', 'hasOwnProperty'])(
    'resolves the inherited %s to nothing',
    (path) => {
      expect(getPath(scope, path)).toBeUndefined();
    },
  );

  it('resolves an array length, which is an own property', () => {
    expect(getPath(scope, 'customer.emails.length')).toBe(2);
  });

  it('does resolve an own property named __proto__ (data from JSON.parse)', () => {
    const data = JSON.parse('{"__proto__": {"x": 1}}') as unknown;
    expect(getPath(data, '__proto__.x')).toBe(1);
    expect(({} as Record<string, unknown>)['x']).toBeUndefined();
  });
});

describe('renderTemplate', () => {
  const scope = { amount: 42, ok: true, tags: ['a', 'b'], customer: { name: 'Ada' }, empty: null };

  it('returns the raw value for a template that is exactly one reference', () => {
    expect(renderTemplate('{{ amount }}', scope)).toBe(42);
    expect(renderTemplate('{{amount}}', scope)).toBe(42);
    expect(renderTemplate('{{   ok   }}', scope)).toBe(true);
    expect(renderTemplate('{{ tags }}', scope)).toEqual(['a', 'b']);
    expect(renderTemplate('{{ customer }}', scope)).toBe(scope.customer);
    expect(renderTemplate('{{ empty }}', scope)).toBeNull();
    expect(renderTemplate('{{ missing? }}', scope)).toBeUndefined();
  });

  it('interpolates text otherwise, with JSON for objects and nothing for optional missing values', () => {
    expect(renderTemplate('total: {{ amount }}', scope)).toBe('total: 42');
    expect(renderTemplate(' {{ amount }}', scope)).toBe(' 42');
    expect(renderTemplate('{{ customer.name }}/{{ tags[1] }}', scope)).toBe('Ada/b');
    expect(renderTemplate('c={{ customer }}', scope)).toBe('c={"name":"Ada"}');
    expect(renderTemplate('[{{ missing? }}][{{ empty }}]', scope)).toBe('[][]');
    expect(renderTemplate('{{ ok }}!', scope)).toBe('true!');
  });

  it('treats two references as interpolation, not a whole value', () => {
    expect(renderTemplate('{{ amount }}{{ amount }}', scope)).toBe('4242');
  });

  it('leaves text without references unchanged', () => {
    expect(renderTemplate('plain { text }', scope)).toBe('plain { text }');
  });

  it('never resolves inherited names: they are missing', () => {
    expect(renderTemplate('[{{ constructor? }}][{{ __proto__? }}][{{ toString? }}]', scope)).toBe('[][][]');
    expect(() => renderTemplate('{{ constructor }}', scope)).toThrow(/the input has no "constructor"/);
  });

  it('renderTemplateText always yields text', () => {
    expect(renderTemplateText('{{ amount }}', scope)).toBe('42');
    expect(renderTemplateText('{{ tags }}', scope)).toBe('["a","b"]');
    expect(renderTemplateText('{{ missing? }}', scope)).toBe('');
  });
});

describe('templateRefs', () => {
  it('lists every referenced path, trimmed', () => {
    expect(templateRefs('{{ a.b }} and {{c[0]}} and {{ a.b }}')).toEqual(['a.b', 'c[0]', 'a.b']);
    expect(templateRefs('none')).toEqual([]);
  });
});

describe('templateError', () => {
  it.each(['', 'plain', '{{ a }}', 'x {{ a.b[0] }} y {{ $json }}', '{ "json": {{ a }} }', '{"a": {"b": 1}}', '{"order": {"id": {{ id }}}}', 'a }}'])('accepts %j', (t) => {
    expect(templateError(t)).toBeNull();
  });

  it.each<[string, RegExp]>([
    ['{{ a', /unclosed/],
    ['{{ a }} {{', /unclosed/],
    ['}} {{', /unclosed/],
    ['{{ a {{ b }} }}', /unclosed/],
    ['{{ }}', /empty/],
    ['{{}}', /empty/],
    ['{{ a..b }}', /bad reference "\{\{ a\.\.b \}\}"/],
    ['{{ a[x] }}', /bad reference/],
  ])('reports %j', (t, message) => {
    expect(templateError(t)).toMatch(message);
  });
});

describe('withJson', () => {
  it('exposes the input fields and the whole input as $json', () => {
    const input = { a: 1 };
    const scope = withJson(input);
    expect(scope).toEqual({ a: 1, $json: input });
    expect(scope['$json']).toBe(input);
  });

  it('exposes only $json for arrays and primitives', () => {
    expect(withJson([1, 2])).toEqual({ $json: [1, 2] });
    expect(withJson('x')).toEqual({ $json: 'x' });
    expect(withJson(undefined)).toEqual({ $json: undefined });
  });

  it('lets $json win over an input field of the same name', () => {
    const input = { $json: 'field' };
    expect(withJson(input)['$json']).toBe(input);
  });
});
