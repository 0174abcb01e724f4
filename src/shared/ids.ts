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

/** Random bytes from a pool refilled 4 kB at a time: one Web Crypto call per ~400 ids, not one per id. */
const pool = new Uint8Array(4096);
let poolAt = pool.length;

function randomChars(n: number): string {
  if (poolAt + n > pool.length) {
    globalThis.crypto.getRandomValues(pool);
    poolAt = 0;
  }
  let out = '';
  for (let i = 0; i < n; i++) out += (pool[poolAt++]! % 36).toString(36);
  return out;
}

/** Short random id with a readable prefix (`run_…`, `flow_…`). Uses Web Crypto, available in Node 20 and browsers. */
export function newId(prefix: string): string {
  return `${prefix}_${randomChars(10)}`;
}

/**
 * An id that sorts by creation time: the millisecond clock (9 base-36 characters) then 8 random
 * ones. Run ids are keys of the journal's busiest indexes (runs, node_runs, steps): a random id
 * lands on a random index page and every commit rewrites one such page per run, while ids made
 * later append to the same few pages, so commits (and the fsync after each) stay small.
 */
export function newSortableId(prefix: string): string {
  return `${prefix}_${Date.now().toString(36).padStart(9, '0')}${randomChars(8)}`;
}
