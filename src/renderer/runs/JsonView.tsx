/** Read-only, syntax-coloured JSON. Large values are cut so one huge payload cannot freeze the UI. */
import { useMemo } from 'react';

const MAX_CHARS = 200_000;
const TOKEN = /("(?:\\u[0-9a-fA-F]{4}|\\[^u]|[^\\"])*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;

export function stringify(value: unknown): string {
  if (value === undefined) return '';
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

function highlight(text: string) {
  const parts: (string | { cls: string; text: string })[] = [];
  let last = 0;
  for (const m of text.matchAll(TOKEN)) {
    if (m.index > last) parts.push(text.slice(last, m.index));
    if (m[1] !== undefined) {
      parts.push({ cls: m[2] ? 'json-key' : 'json-string', text: m[1] });
      if (m[2]) parts.push(m[2]);
    } else if (m[3] !== undefined) parts.push({ cls: m[3] === 'null' ? 'json-null' : 'json-bool', text: m[3] });
    else parts.push({ cls: 'json-number', text: m[0] });
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}

export function JsonView({ value, testId, empty = 'No data' }: { value: unknown; testId?: string; empty?: string }) {
  const { parts, cut } = useMemo(() => {
    const full = stringify(value);
    const shown = full.length > MAX_CHARS ? full.slice(0, MAX_CHARS) : full;
    return { parts: highlight(shown), cut: full.length - shown.length };
  }, [value]);
  if (value === undefined) {
    return (
      <pre className="json json--empty" data-testid={testId}>
        {empty}
      </pre>
    );
  }
  return (
    <pre className="json" data-testid={testId}>
      {parts.map((p, i) => (typeof p === 'string' ? p : <span key={i} className={p.cls}>{p.text}</span>))}
      {cut > 0 ? <span className="json-cut">{`\n… ${cut.toLocaleString()} more characters not shown`}</span> : null}
    </pre>
  );
}
