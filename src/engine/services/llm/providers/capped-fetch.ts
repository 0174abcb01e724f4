/**
 * fetch with a response size cap, handed to the SDKs: a huge (or endless) body fails as
 * `too-large` after `maxBytes` instead of being buffered whole.
 */
import { ResponseTooLargeError } from '../provider';

export function cappedFetch(maxBytes: number): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    const declared = Number(response.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > maxBytes) {
      await response.body?.cancel();
      throw new ResponseTooLargeError(maxBytes);
    }
    // A declared length under the cap is trusted (fetch enforces it); only open-ended bodies are counted.
    if (!response.body || response.headers.has('content-length')) return response;
    let seen = 0;
    const counted = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          seen += chunk.byteLength;
          if (seen > maxBytes) controller.error(new ResponseTooLargeError(maxBytes));
          else controller.enqueue(chunk);
        },
      }),
    );
    return new Response(counted, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}
