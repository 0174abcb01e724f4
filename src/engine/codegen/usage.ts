/** The export/import lines of `millrace --help` (kept apart so the CLI loads the TypeScript compiler only when importing). */
export const CODEGEN_USAGE = `  millrace export FLOW.json --out DIR [--target standalone|dbos] [--runtime NPM-SPEC]
                                                        write a TypeScript project (flow.ts) that runs the flow
  millrace import FILE.ts [--out FLOW.json]              read an exported flow.ts back (never runs it)`;
