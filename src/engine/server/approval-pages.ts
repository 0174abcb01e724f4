/**
 * Decision-link pages: `GET/POST /approve/<token>`, served by the web server without app chrome.
 * Plain server-rendered HTML (every value escaped), a form POST that works with JavaScript off, a
 * CSRF token bound to a SameSite cookie, a CSP that allows no script at all. The page never sees the
 * main UI's token: the link token only decides this one request, once.
 */
import type http from 'node:http';
import { randomBytes } from 'node:crypto';
import { EngineError } from '../../shared/api';
import { describeDecision, type ApprovalItem, type DecisionRecord, type EditField } from '../../shared/approvals';
import { getPath } from '../../shared/template';
import type { Approvals } from '../approvals/approvals';
import type { ApprovalRow } from '../approvals/approval-store';

const COOKIE = 'millrace_approval_csrf';
const MAX_BODY = 256 * 1024;

export async function handleApprovalPage(req: http.IncomingMessage, res: http.ServerResponse, approvals: Approvals, port: number): Promise<void> {
  const raw = new URL(req.url ?? '/', 'http://localhost').pathname.slice('/approve/'.length);
  // Tokens are base64url: anything that needs decoding is forged, and is refused like any other.
  const token = /^[A-Za-z0-9_-]*$/.test(raw) ? raw : '';
  if (req.method === 'GET' || req.method === 'HEAD') return showPage(req, res, approvals, token);
  if (req.method === 'POST') return decide(req, res, approvals, token, port);
  res.writeHead(405, { allow: 'GET, POST' }).end();
}

function showPage(req: http.IncomingMessage, res: http.ServerResponse, approvals: Approvals, token: string) {
  const row = approvals.byToken(token);
  if (!row) return send(res, 404, page('Link not valid', `<p class="msg bad">This decision link is not valid. Ask for a new one from the Millrace inbox.</p>`));
  const item = approvals.item(row);
  const closed = closedMessage(row, item);
  if (closed) return send(res, closed.status, page(item.title, closed.html + reviewBlock(item)));
  const existing = readCookie(req);
  const cookie = existing ?? randomBytes(24).toString('base64url');
  send(res, 200, page(item.title, formHtml(item, approvals.csrf(cookie, token), {}, {})), existing ? undefined : cookie);
}

async function decide(req: http.IncomingMessage, res: http.ServerResponse, approvals: Approvals, token: string, port: number) {
  // A cross-site form post arrives with a foreign Origin; browsers send it on every POST.
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://127.0.0.1:${port}` && origin !== `http://localhost:${port}`) {
    return send(res, 403, page('Refused', `<p class="msg bad">This form can only be sent from its own page.</p>`));
  }
  const body = await readBody(req);
  if (body === null) return send(res, 413, page('Refused', `<p class="msg bad">The form is too large.</p>`));
  const form = new URLSearchParams(body);
  const row = approvals.byToken(token);
  if (!row) return send(res, 404, page('Link not valid', `<p class="msg bad">This decision link is not valid. Ask for a new one from the Millrace inbox.</p>`));
  const cookie = readCookie(req);
  if (!cookie || !approvals.csrfMatches(form.get('csrf') ?? '', cookie, token)) {
    return send(res, 403, page('Refused', `<p class="msg bad">The form expired or did not come from this page. <a href="">Open the link again</a>.</p>`));
  }
  const item = approvals.item(row);
  const action = form.get('action');
  if (action !== 'approve' && action !== 'reject') return send(res, 400, page('Refused', `<p class="msg bad">Choose approve or reject.</p>`));
  const fields = item.fields;
  const edits: Record<string, unknown> = {};
  if (action === 'approve') {
    for (const f of fields) edits[f.path] = f.type === 'boolean' ? form.get(`field:${f.path}`) === 'on' : (form.get(`field:${f.path}`) ?? '');
  }
  const name = (form.get('name') ?? '').trim().slice(0, 100);
  const by = `${name || item.assignee || 'decision link'} (link)`;
  try {
    const result = await approvals.decide(
      { requestId: row.id, action, edits, comment: (form.get('comment') ?? '').slice(0, 10_000), payloadHash: form.get('payloadHash') ?? '' },
      { by, via: 'link' },
    );
    if (result.accepted) {
      return send(res, 200, page(item.title, `<p class="msg ok" data-outcome="accepted">${esc(capital(describeDecision(result.decision)))}. Thank you — the run continues.</p>${decisionHtml(result.decision)}`));
    }
    return send(res, 409, page(item.title, `<p class="msg bad" data-outcome="${esc(result.reason)}">${esc(result.message)}</p>${result.decision ? decisionHtml(result.decision) : ''}`));
  } catch (e) {
    if (e instanceof EngineError && e.code === 'invalid_argument') {
      const errors = fieldErrors(e.message, fields);
      const values = Object.fromEntries(fields.map((f) => [f.path, form.get(`field:${f.path}`) ?? '']));
      return send(res, 422, page(item.title, `<p class="msg bad">${esc(e.message)}</p>` + formHtml(item, approvals.csrf(cookie, token), values, errors)));
    }
    if (e instanceof EngineError) return send(res, 503, page('Not recorded', `<p class="msg bad">${esc(e.message)}</p><p>Nothing was decided. <a href="">Try again</a>.</p>`));
    throw e;
  }
}

function closedMessage(row: ApprovalRow, item: ApprovalItem): { status: number; html: string } | null {
  if (row.status === 'replaced') {
    return { status: 410, html: `<p class="msg bad" data-outcome="replaced">This request was replaced${row.replaced_by ? ` by run ${esc(row.replaced_by)}` : ''}: the data changed. Decide the new request instead.</p>` };
  }
  if (item.decision) return { status: 200, html: `<p class="msg" data-outcome="already-decided">Already decided: ${esc(describeDecision(item.decision))}.</p>${decisionHtml(item.decision)}` };
  if (item.status === 'void') return { status: 410, html: `<p class="msg bad">The run has ended; nothing is waiting for this decision.</p>` };
  return null;
}

function formHtml(item: ApprovalItem, csrf: string, values: Record<string, string>, errors: Record<string, string>): string {
  const inputs = item.fields.map((f) => fieldHtml(f, values[f.path] ?? displayValue(getPath(item.data, f.path)), errors[f.path])).join('');
  return `${reviewBlock(item)}
<form method="post" class="decide">
  <input type="hidden" name="csrf" value="${esc(csrf)}">
  <input type="hidden" name="payloadHash" value="${esc(item.payloadHash)}">
  ${inputs ? `<fieldset><legend>Edit before approving</legend>${inputs}</fieldset>` : ''}
  <label>Comment / reason<textarea name="comment" rows="3"></textarea></label>
  <label>Your name<input name="name" maxlength="100" placeholder="${esc(item.assignee || 'optional')}"></label>
  <div class="actions"><button name="action" value="approve" class="approve">Approve</button><button name="action" value="reject" class="reject">Reject</button></div>
</form>`;
}

function fieldHtml(f: EditField, value: string, error: string | undefined): string {
  const name = `field:${f.path}`;
  const label = esc(f.label ?? f.path) + (f.required ? ' *' : '');
  const err = error ? `<span class="err">${esc(error)}</span>` : '';
  if (f.type === 'boolean') return `<label class="check"><input type="checkbox" name="${esc(name)}" ${value === 'true' ? 'checked' : ''}> ${label}</label>${err}`;
  if (f.type === 'enum') {
    const opts = (f.options ?? []).map((o) => `<option ${o === value ? 'selected' : ''}>${esc(o)}</option>`).join('');
    return `<label>${label}<select name="${esc(name)}">${f.required ? '' : '<option value=""></option>'}${opts}</select></label>${err}`;
  }
  if (f.type === 'text') return `<label>${label}<textarea name="${esc(name)}" rows="4">${esc(value)}</textarea></label>${err}`;
  const type = f.type === 'number' || f.type === 'integer' ? 'text" inputmode="decimal' : 'text';
  return `<label>${label}<input type="${type}" name="${esc(name)}" value="${esc(value)}"></label>${err}`;
}

function reviewBlock(item: ApprovalItem): string {
  const context = Object.entries({ ...(item.runInput !== null ? { 'source (run input)': item.runInput } : {}), ...item.context })
    .map(([k, v]) => `<h3>${esc(k)}</h3><pre>${esc(JSON.stringify(v, null, 2))}</pre>`)
    .join('');
  return `<p class="meta">${esc(item.flowName)} · ${esc(item.nodeName)} · run ${esc(item.runId)}</p>
${item.instructions ? `<p class="instructions">${esc(item.instructions)}</p>` : ''}
<div class="cols">${context ? `<section>${context}</section>` : ''}<section><h3>Data to review</h3><pre>${esc(JSON.stringify(item.data, null, 2))}</pre></section></div>`;
}

function decisionHtml(d: DecisionRecord): string {
  const changes = d.changes.map((c) => `<li><code>${esc(c.path)}</code>: ${esc(JSON.stringify(c.before))} → ${esc(JSON.stringify(c.after))}</li>`).join('');
  return `<dl class="decision"><dt>Action</dt><dd>${esc(d.action)}</dd><dt>By</dt><dd>${esc(d.by)}</dd><dt>At</dt><dd>${esc(new Date(d.at).toISOString())}</dd>${d.comment ? `<dt>Comment</dt><dd>${esc(d.comment)}</dd>` : ''}${changes ? `<dt>Changes</dt><dd><ul>${changes}</ul></dd>` : ''}</dl>`;
}

/** Field errors from the engine's message ("edits were refused: path: why; path: why"). */
function fieldErrors(message: string, fields: EditField[]): Record<string, string> {
  const out: Record<string, string> = {};
  const list = message.replace(/^.*?refused: /, '').split('; ');
  for (const part of list) {
    const f = fields.find((x) => part.startsWith(`${x.path}: `));
    if (f) out[f.path] = part.slice(f.path.length + 2);
  }
  return out;
}

const displayValue = (v: unknown) => (v === undefined || v === null ? '' : typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v));
const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function page(title: string, body: string): { html: string; nonce: string } {
  const nonce = randomBytes(16).toString('base64');
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin"><title>${esc(title)} · Millrace approval</title>
<style nonce="${nonce}">
body{font:15px/1.45 system-ui,sans-serif;max-width:960px;margin:24px auto;padding:0 16px;color:#1d232b;background:#f6f7f9}
h1{font-size:20px;margin:0 0 4px}h3{font-size:13px;text-transform:uppercase;color:#5b6673;margin:12px 0 4px}
.meta{color:#5b6673;font-size:13px;margin:0 0 12px}.instructions{background:#fff;border-left:3px solid #3b6ef5;padding:8px 12px}
.cols{display:flex;gap:16px;flex-wrap:wrap}.cols section{flex:1 1 300px;min-width:0}
pre{background:#fff;border:1px solid #d8dde3;border-radius:6px;padding:10px;white-space:pre-wrap;word-break:break-word;max-height:420px;overflow:auto;font-size:13px}
form{background:#fff;border:1px solid #d8dde3;border-radius:8px;padding:12px 16px;margin-top:16px}
fieldset{border:0;padding:0;margin:0 0 8px}legend{font-weight:600;margin-bottom:6px}
label{display:block;margin:8px 0;font-size:13px;color:#39424d}label.check{display:flex;gap:6px;align-items:center}
input,select,textarea{display:block;width:100%;box-sizing:border-box;font:inherit;padding:6px 8px;border:1px solid #c3cad3;border-radius:5px;margin-top:3px}
label.check input{width:auto;display:inline}.err{color:#b42318;font-size:12px}
.actions{display:flex;gap:8px;margin-top:12px}button{font:inherit;padding:8px 18px;border-radius:6px;border:1px solid transparent;cursor:pointer}
.approve{background:#1f7a3e;color:#fff}.reject{background:#fff;color:#b42318;border-color:#b42318}
.msg{padding:10px 12px;border-radius:6px;background:#eef2f7}.msg.ok{background:#e3f4e8;color:#14532d}.msg.bad{background:#fdecea;color:#8a1c12}
dl.decision{display:grid;grid-template-columns:max-content 1fr;gap:4px 12px;background:#fff;border:1px solid #d8dde3;border-radius:6px;padding:10px}dt{color:#5b6673}dd{margin:0}
</style></head><body><h1>${esc(title)}</h1>${body}</body></html>`;
  return { html, nonce };
}

function send(res: http.ServerResponse, status: number, p: { html: string; nonce: string }, setCookie?: string) {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    // No script at all; styles only from this response; the form posts only back here.
    'content-security-policy': `default-src 'none'; style-src 'nonce-${p.nonce}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    // same-origin, not no-referrer: the token must never reach another site, but our own form post
    // needs its real Origin (with no-referrer browsers send "Origin: null", which we refuse).
    'referrer-policy': 'same-origin',
    'cache-control': 'no-store',
    ...(setCookie ? { 'set-cookie': `${COOKIE}=${setCookie}; Path=/approve; HttpOnly; SameSite=Strict` } : {}),
  });
  res.end(p.html);
}

function readCookie(req: http.IncomingMessage): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, v] = part.trim().split('=');
    if (k === COOKIE && v && /^[A-Za-z0-9_-]{16,64}$/.test(v)) return v;
  }
  return null;
}

function readBody(req: http.IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        resolve(null);
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

