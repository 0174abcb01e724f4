/**
 * Read-only, syntax-coloured JSON. Large values are cut (Show all / Copy / Download take the rest)
 * and binary payloads are shown as their size, so one huge payload cannot freeze the UI.
 */
import { useMemo, useState } from 'react';
import { COLLAPSED_CHARS, EXPANDED_CHARS, fullJson, jsonDisplay } from './json-display';
import { formatBytes } from './value-preview';

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
  const [expanded, setExpanded] = useState(false);
  const { parts, hiddenChars, binaries } = useMemo(() => {
    const shown = jsonDisplay(value, expanded ? EXPANDED_CHARS : COLLAPSED_CHARS);
    return { parts: highlight(shown.text), hiddenChars: shown.hiddenChars, binaries: shown.binaries };
  }, [value, expanded]);
  if (value === undefined) {
    return (
      <pre className="json json--empty" data-testid={testId}>
        {empty}
      </pre>
    );
  }
  const large = hiddenChars > 0 || expanded || binaries > 0;
  return (
    <div className="json-wrap">
      {large ? <JsonTools value={value} hiddenChars={hiddenChars} expanded={expanded} onExpand={setExpanded} /> : null}
      <pre className="json" data-testid={testId}>
        {parts.map((p, i) => (typeof p === 'string' ? p : <span key={i} className={p.cls}>{p.text}</span>))}
        {hiddenChars > 0 ? <span className="json-cut" data-testid="json-cut">{`\n… ${hiddenChars.toLocaleString()} more characters${expanded ? ' (download the value to see them)' : ''}`}</span> : null}
      </pre>
    </div>
  );
}

/** Expand, copy and download for a value too large (or too binary) to read in place. */
function JsonTools({ value, hiddenChars, expanded, onExpand }: { value: unknown; hiddenChars: number; expanded: boolean; onExpand: (v: boolean) => void }) {
  const [copied, setCopied] = useState(false);
  const size = useMemo(() => formatBytes(new TextEncoder().encode(fullJson(value)).length), [value]);
  const copy = async () => {
    await navigator.clipboard?.writeText(fullJson(value));
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };
  const download = () => {
    const url = URL.createObjectURL(new Blob([fullJson(value)], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = 'value.json';
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  return (
    <div className="json-tools" data-testid="json-tools">
      <span className="json-tools__size">{size}</span>
      {hiddenChars > 0 && !expanded ? (
        <button type="button" className="link-button" data-testid="json-expand" onClick={() => onExpand(true)}>
          Show all
        </button>
      ) : null}
      {expanded ? (
        <button type="button" className="link-button" data-testid="json-collapse" onClick={() => onExpand(false)}>
          Show less
        </button>
      ) : null}
      <button type="button" className="link-button" data-testid="json-copy" onClick={() => void copy()}>
        {copied ? 'Copied' : 'Copy'}
      </button>
      <button type="button" className="link-button" data-testid="json-download" onClick={download}>
        Download
      </button>
    </div>
  );
}
