/** The TypeScript export dialog (code, copy, zip) and the list of edits an import could not bring back. */
import { useRef } from 'react';
import { Icon } from '../ui/icons';
import { copyText, downloadZip, importCodeFile, loadCode, openCodeExport } from './code-actions';
import { useCode, type CodeDialog } from './code-store';

function ExportBody({ d }: { d: Extract<CodeDialog, { kind: 'export' }> }) {
  const file = d.code?.files.find((f) => f.name === d.file) ?? d.code?.files[0];
  return (
    <>
      <div className="code-export__bar">
        <div className="code-export__targets" role="radiogroup" aria-label="Target">
          {(['standalone', 'dbos'] as const).map((t) => (
            <label key={t} className={`code-export__target${d.target === t ? ' is-active' : ''}`} data-testid={`code-target-${t}`}>
              <input type="radio" name="code-target" checked={d.target === t} onChange={() => void loadCode(t)} />
              {t === 'standalone' ? 'Standalone (embedded engine)' : 'DBOS (Postgres, many workers)'}
            </label>
          ))}
        </div>
        <div className="code-export__files" role="tablist">
          {d.code?.files.map((f) => (
            <button key={f.name} type="button" role="tab" aria-selected={f.name === file?.name} className={`code-export__file${f.name === file?.name ? ' is-active' : ''}`} onClick={() => useCode.getState().update({ file: f.name })}>
              {f.name}
            </button>
          ))}
        </div>
      </div>
      {d.error ? (
        <p className="code-export__error" data-testid="code-error">
          <Icon name="alert" size={14} /> {d.error}
        </p>
      ) : file ? (
        <pre className="code-export__code" data-testid="code-view" tabIndex={0}>
          <code>{file.text}</code>
        </pre>
      ) : (
        <p className="code-export__loading">
          <span className="mr-spinner mr-spinner--small" /> Generating…
        </p>
      )}
      <p className="code-export__hint">
        Run it: <code>npm install</code> then <code>{d.target === 'dbos' ? 'DBOS_SYSTEM_DATABASE_URL=… npx tsx flow.ts --json' : 'npx tsx flow.ts --json'}</code>. Edit config values and use{' '}
        <em>Import TypeScript</em> to bring them back.
      </p>
    </>
  );
}

export function CodeDialogs() {
  const d = useCode((s) => s.dialog);
  const close = useCode((s) => s.close);
  if (!d) return null;
  const title = d.kind === 'export' ? `Export "${d.flowName}" as TypeScript` : `${d.fileName} cannot come back`;
  const flowTs = d.kind === 'export' ? d.code?.files.find((f) => f.name === (d.file || 'flow.ts')) : undefined;
  return (
    <div className="dialog-backdrop" onMouseDown={(e) => e.target === e.currentTarget && close()}>
      <div className={`dialog${d.kind === 'export' ? ' dialog--wide' : ''}`} role="dialog" aria-modal="true" aria-label={title} data-testid={`code-dialog-${d.kind}`}>
        <div className="dialog__header">
          <h2>{title}</h2>
          <button type="button" className="icon-button" aria-label="Close" onClick={close}>
            <Icon name="close" />
          </button>
        </div>
        <div className="dialog__body">
          {d.kind === 'export' ? (
            <ExportBody d={d} />
          ) : (
            <>
              <p className="dialog__intro">Nothing was saved. These edits are not config values the canvas can hold (new calls, control flow, computed values) or are not valid:</p>
              <ul className="problem-list" data-testid="code-issues">
                {d.issues.map((i, n) => (
                  <li key={n} className="problem problem--config">
                    <Icon name="alert" size={14} />
                    <span>
                      <strong>line {i.line}</strong>: {i.message}
                    </span>
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
        <div className="dialog__footer">
          {d.kind === 'export' && d.code ? (
            <>
              <button type="button" className="button" data-testid="code-copy" onClick={() => flowTs && void copyText(flowTs.text)}>
                <Icon name="copy" size={14} /> Copy {flowTs?.name ?? 'flow.ts'}
              </button>
              <button type="button" className="button button--primary" data-testid="code-zip" onClick={() => d.code && downloadZip(d.flowName, d.code)}>
                <Icon name="download" size={14} /> Download project (.zip)
              </button>
            </>
          ) : (
            <button type="button" className="button button--primary" onClick={close}>
              Close
            </button>
          )}
        </div>
      </div>
    </div>
  );
}

/** The two top-bar buttons: Export → TypeScript, Import → TypeScript file. */
export function CodeButtons() {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button type="button" className="icon-button icon-button--bar" title="Export as TypeScript" aria-label="Export as TypeScript" data-testid="code-export-button" onClick={() => void openCodeExport()}>
        <Icon name="code" size={17} />
      </button>
      <button type="button" className="icon-button icon-button--bar" title="Import a TypeScript file (flow.ts)" aria-label="Import a TypeScript file" data-testid="code-import-button" onClick={() => input.current?.click()}>
        <Icon name="upload" size={17} />
        <span className="code-import__ts">TS</span>
      </button>
      <input
        ref={input}
        type="file"
        accept=".ts,text/typescript"
        hidden
        data-testid="code-import-input"
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = '';
          if (file) void importCodeFile(file);
        }}
      />
      <CodeDialogs />
    </>
  );
}
