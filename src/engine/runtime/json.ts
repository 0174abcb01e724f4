import { NodeError } from '../../shared/services';

/** JSON text of a value, or a NodeError naming what is not serialisable (bigint, function, NaN…). */
export function assertJson(value: unknown, what: string): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value, (_k, v: unknown) => {
      if (typeof v === 'bigint' || typeof v === 'function' || typeof v === 'symbol') throw new Error(`contains a ${typeof v}`);
      if (typeof v === 'number' && !Number.isFinite(v)) throw new Error(`contains ${v}`);
      return v;
    });
  } catch (e) {
    throw new NodeError(`${what} is not JSON-serialisable: ${(e as Error).message}`, { permanent: true });
  }
  return json ?? 'null';
}
