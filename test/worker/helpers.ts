/** Calls the worker as a client would (through its fetch handler, inside workerd) and seeds people. */
import { env, exports } from 'cloudflare:workers';
import { expect } from 'vitest';
import { ADMIN_TOKEN_TEST } from './keys';

export interface Reply<T = any> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

export const BASE = 'https://latchkey.test';

export interface CallOptions {
  token?: string;
  json?: unknown;
  raw?: string;
  headers?: Record<string, string>;
}

/** The request a client makes: bearer token, JSON body (or a raw one), and `{}` for a bodiless state change. */
export function clientRequest(method: string, path: string, opts: CallOptions = {}): Request {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.raw !== undefined) {
    body = opts.raw;
    headers['content-type'] ??= 'application/json';
  } else if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    headers['content-type'] = 'application/json';
  } else if (['POST', 'PUT', 'PATCH'].includes(method.toUpperCase())) {
    // As real clients do: a state change carries a JSON body, empty when there is nothing to say (the worker answers
    // 415 to POST/PUT without Content-Type: application/json; routes.test.ts checks that with raw bodies).
    body = '{}';
    headers['content-type'] = 'application/json';
  }
  return new Request(BASE + path, { method, headers, body });
}

/** An answer with its body read, and parsed when it is JSON. */
export function replyOf<T = any>(res: Response, text: string): Reply<T> {
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  return { status: res.status, body: parsed as T, text, headers: res.headers };
}

export async function call<T = any>(method: string, path: string, opts: CallOptions = {}): Promise<Reply<T>> {
  const res = await exports.default.fetch(clientRequest(method, path, opts));
  return replyOf<T>(res, await res.text());
}

export const admin = (method: string, path: string, json?: unknown) => call(method, `/admin${path}`, { token: ADMIN_TOKEN_TEST, json });

export interface Person {
  id: string;
  userName: string;
  email: string;
  token: string;
  personalWorkspaceId: string;
}

let counter = 0;
export async function seedUser(prefix = 'user'): Promise<Person> {
  const userName = `${prefix}${++counter}${Math.floor(Math.random() * 1e6)}`;
  const created = await admin('POST', '/users', { userName, email: `${userName}@example.com` });
  expect(created.status, created.text).toBe(200);
  const { id, personalWorkspaceId, email } = created.body.user;
  const tok = await admin('POST', `/users/${id}/tokens`, { name: 'tests' });
  expect(tok.status, tok.text).toBe(200);
  return { id, userName, email, token: tok.body.accessKey, personalWorkspaceId };
}

export async function seedOrgWorkspace(members: Array<[Person, string]>): Promise<{ orgId: string; workspaceId: string }> {
  const org = await admin('POST', '/organizations', { name: `org${++counter}${Math.floor(Math.random() * 1e6)}` });
  expect(org.status, org.text).toBe(200);
  const ws = await admin('POST', `/organizations/${org.body.orgId}/workspaces`, { name: 'pipelines' });
  expect(ws.status, ws.text).toBe(200);
  for (const [person, role] of members) {
    const m = await admin('PUT', `/workspaces/${ws.body.workspaceId}/members/${person.id}`, { role });
    expect(m.status, m.text).toBe(204);
  }
  return { orgId: org.body.orgId, workspaceId: ws.body.workspaceId };
}

export const ws = (workspaceId?: string) => (workspaceId ? `?workspaceId=${workspaceId}` : '');

/** Where to POST credentials; container-reg ones skip the registry login check, which registry.test.ts covers. */
export const credentialsPath = (workspaceId: string | undefined, provider: string) =>
  `/credentials${ws(workspaceId)}${provider === 'container-reg' ? `${workspaceId ? '&' : '?'}skipRegistryCheck=true` : ''}`;

/** Every row of every table, for before/after comparisons and leak scans. */
export async function dumpTables(): Promise<Record<string, unknown[]>> {
  const tables = ['users', 'organizations', 'workspaces', 'memberships', 'access_tokens', 'credentials', 'pipeline_secrets', 'audit_events'];
  const out: Record<string, unknown[]> = {};
  for (const t of tables) out[t] = (await env.DB.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all()).results;
  return out;
}
