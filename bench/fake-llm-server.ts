/**
 * A loopback server that answers like an OpenAI chat completion, immediately. Used by benchmarks
 * as the "LLM" an HTTP node calls, so the numbers measure Millrace, not a model.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export async function startFakeLlm(): Promise<{ url: string; requests: () => number; close(): Promise<void> }> {
  let count = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      count++;
      const body = JSON.stringify({
        id: `chatcmpl-${count}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: 'fake-1',
        choices: [{ index: 0, message: { role: 'assistant', content: '{"sentiment":"positive","priority":"high"}' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 42, completion_tokens: 9, total_tokens: 51 },
      });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/chat/completions`,
    requests: () => count,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
