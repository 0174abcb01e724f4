/** A collapsible JSON tree (objects and arrays fold; long strings wrap). */
export function JsonTree({ value, name, depth = 0 }: { value: unknown; name?: string; depth?: number }) {
  const label = name !== undefined ? <span className="jt__key">{name}: </span> : null;
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value as Record<string, unknown>);
    const brackets = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
    return (
      <details className="jt" open={depth < 2}>
        <summary>
          {label}
          <span className="jt__meta">
            {brackets[0]}
            {entries.length} {Array.isArray(value) ? 'items' : 'fields'}
            {brackets[1]}
          </span>
        </summary>
        <div className="jt__children">
          {entries.map(([k, v]) => (
            <JsonTree key={k} name={k} value={v} depth={depth + 1} />
          ))}
        </div>
      </details>
    );
  }
  const cls = typeof value === 'string' ? 'json-string' : typeof value === 'number' ? 'json-number' : value === null ? 'json-null' : 'json-bool';
  return (
    <div className="jt__leaf">
      {label}
      <span className={cls}>{typeof value === 'string' ? value : JSON.stringify(value)}</span>
    </div>
  );
}
