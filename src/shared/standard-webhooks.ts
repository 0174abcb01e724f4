/**
 * Signing by the Standard Webhooks scheme (https://www.standardwebhooks.com): the signed content is
 * `${webhook-id}.${webhook-timestamp}.${body}`, HMAC-SHA256 keyed with the base64 secret after its
 * `whsec_` prefix, sent as `webhook-signature: v1,<base64>`. Web Crypto only (runs in Node and in
 * the browser), so node files can use it; verified in tests with the `standardwebhooks` package.
 */

function base64ToBytes(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function bytesToBase64(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** Throws a readable error for a secret that is not `whsec_<base64>` (or bare base64). */
export function webhookSecretBytes(secret: string): Uint8Array {
  const b64 = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) throw new Error('the signing secret must look like whsec_<base64>');
  const bytes = base64ToBytes(b64);
  if (bytes.length < 16) throw new Error('the signing secret is too short (at least 16 bytes after whsec_)');
  return bytes;
}

export async function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', webhookSecretBytes(secret) as BufferSource, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`${id}.${timestampSeconds}.${body}`));
  return `v1,${bytesToBase64(new Uint8Array(mac))}`;
}
