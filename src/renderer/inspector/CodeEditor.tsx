/**
 * The Code node's editor: CodeMirror 6 with JavaScript/TypeScript highlighting, and completion of
 * `$json`, `$trigger` and `$node["Name"]…` from the same source as template fields.
 */
import { useEffect, useRef } from 'react';
import { EditorView, basicSetup } from 'codemirror';
import { EditorState, Compartment } from '@codemirror/state';
import { javascript } from '@codemirror/lang-javascript';
import { autocompletion, type CompletionContext, type CompletionResult } from '@codemirror/autocomplete';

interface Props {
  value: string;
  onChange(value: string): void;
  paths: string[];
  typescript: boolean;
  testId: string;
  invalid: boolean;
}

export function CodeEditor({ value, onChange, paths, typescript, testId, invalid }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  // The latest props, read by the long-lived editor's callbacks.
  const latest = useRef({ onChange, paths });
  useEffect(() => {
    latest.current = { onChange, paths };
  }, [onChange, paths]);
  const language = useRef(new Compartment());

  useEffect(() => {
    const complete = (ctx: CompletionContext): CompletionResult | null => {
      const word = ctx.matchBefore(/\$[\w$.[\]"' -]*/);
      if (!word || (word.from === word.to && !ctx.explicit)) return null;
      return { from: word.from, options: latest.current.paths.filter((p) => p.startsWith('$')).map((label) => ({ label, type: 'variable' })), validFor: /^\$[\w$.[\]"' -]*$/ };
    };
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: value,
        extensions: [
          basicSetup,
          language.current.of(javascript({ typescript })),
          autocompletion({ override: [complete] }),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) latest.current.onChange(u.state.doc.toString());
          }),
          EditorView.theme({ '&': { fontSize: '12.5px', maxHeight: '420px' }, '.cm-scroller': { fontFamily: 'var(--mono)' } }),
        ],
      }),
    });
    view.current = v;
    return () => v.destroy();
    // The editor is created once; value and language changes are dispatched below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== value) v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value } });
  }, [value]);

  useEffect(() => {
    view.current?.dispatch({ effects: language.current.reconfigure(javascript({ typescript })) });
  }, [typescript]);

  return <div ref={host} className={`code-editor${invalid ? ' is-invalid' : ''}`} data-testid={testId} />;
}
