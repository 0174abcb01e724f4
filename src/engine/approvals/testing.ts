/** Test fixtures for approvals: a Manual trigger → Approval → Write file flow, and small waits. */
import type { Flow } from '../../shared/flow/schema';

export function approvalFlow(id: string, approvalConfig: Record<string, unknown> = {}): Flow {
  return {
    schemaVersion: 1,
    id,
    name: `Approval ${id}`,
    nodes: [
      { id: 't', type: 'manual-trigger@1', name: 'Start', position: { x: 0, y: 0 }, config: { payload: '{"ticket": 1, "category": "bug", "priority": 2}' } },
      {
        id: 'review',
        type: 'approval@1',
        name: 'Review',
        position: { x: 200, y: 0 },
        config: {
          title: 'Check ticket {{ ticket }}',
          instructions: 'Fix the category if the model got it wrong.',
          editableFields: [
            { path: 'category', type: 'enum', options: ['bug', 'billing', 'question'], required: true },
            { path: 'priority', type: 'integer' },
          ],
          ...approvalConfig,
        },
      },
      { id: 'sink', type: 'write-file@2', name: 'Write', position: { x: 400, y: 0 }, config: { path: 'approved.jsonl' } },
      { id: 'rejects', type: 'write-file@2', name: 'Rejects', position: { x: 400, y: 150 }, config: { path: 'rejected.jsonl' } },
      { id: 'escalate', type: 'write-file@2', name: 'Escalate', position: { x: 400, y: 300 }, config: { path: 'escalated.jsonl' } },
    ],
    edges: [
      { id: 'e1', source: 't', sourcePort: 'out', target: 'review', targetPort: 'in' },
      { id: 'e2', source: 'review', sourcePort: 'approved', target: 'sink', targetPort: 'in' },
      { id: 'e3', source: 'review', sourcePort: 'rejected', target: 'rejects', targetPort: 'in' },
      { id: 'e4', source: 'review', sourcePort: 'timedOut', target: 'escalate', targetPort: 'in' },
    ],
  };
}

export async function until(cond: () => boolean | Promise<boolean>, ms = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`${what} not reached within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export interface LinkPage {
  status: number;
  html: string;
  cookie: string | null;
  csrf: string | null;
  payloadHash: string | null;
}

/** Opens a decision link like a browser would (GET, keeping the cookie). */
export async function openLink(url: string, cookie?: string): Promise<LinkPage> {
  const res = await fetch(url, { headers: cookie ? { cookie } : {} });
  const html = await res.text();
  const setCookie = res.headers.get('set-cookie');
  return {
    status: res.status,
    html,
    cookie: setCookie ? setCookie.split(';')[0]! : (cookie ?? null),
    csrf: /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? null,
    payloadHash: /name="payloadHash" value="([^"]+)"/.exec(html)?.[1] ?? null,
  };
}

/** Posts the link page's form. `fields` are the editable fields by path. */
export async function postLink(url: string, p: LinkPage, form: { action: string; comment?: string; name?: string; fields?: Record<string, string> }): Promise<{ status: number; html: string }> {
  const body = new URLSearchParams({ csrf: p.csrf ?? '', payloadHash: p.payloadHash ?? '', action: form.action, comment: form.comment ?? '', name: form.name ?? '' });
  for (const [k, v] of Object.entries(form.fields ?? {})) body.set(`field:${k}`, v);
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...(p.cookie ? { cookie: p.cookie } : {}) }, body: body.toString() });
  return { status: res.status, html: await res.text() };
}
