/**
 * Branded ids: a RunId cannot be passed where a NodeId is expected, although both are strings
 * on the wire. Brands are erased at runtime; parse functions at the boundaries apply them.
 */
declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };

export type FlowId = Brand<string, 'FlowId'>;
export type NodeId = Brand<string, 'NodeId'>;
export type EdgeId = Brand<string, 'EdgeId'>;
export type RunId = Brand<string, 'RunId'>;

export const asFlowId = (s: string) => s as FlowId;
export const asNodeId = (s: string) => s as NodeId;
export const asEdgeId = (s: string) => s as EdgeId;
export const asRunId = (s: string) => s as RunId;

/** Short random id with a readable prefix (`run_…`, `flow_…`). Uses Web Crypto, available in Node 20 and browsers. */
export function newId(prefix: string): string {
  const bytes = new Uint8Array(10);
  globalThis.crypto.getRandomValues(bytes);
  let out = '';
  for (const b of bytes) out += (b % 36).toString(36);
  return `${prefix}_${out}`;
}
