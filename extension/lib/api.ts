/**
 * The extension's one way to the worker: Hono's typed client over the worker's own route types, owned by the
 * background and called from the extension's own pages through the page channel (lib/messages.ts); content
 * scripts never reach it (they get the capture channel, lib/channels.ts).
 * Every call returns a Result, so failures cross the messaging boundary intact and name the field when they can.
 */
import { hc } from 'hono/client';
import { browser } from 'wxt/browser';
import { expiresSoon, WARN_DAYS } from './expiry';
import type { CreateCredentialsRequest, Credentials, PipelineSecret, UpdateCredentialsRequest, Workspace } from '../../shared/api';
import type { AppType } from '../../worker/src/index';
import { type CaptureSave, rememberCaptureWorkspace, targetWorkspace } from './capture-targets';
import { type ListsCache, listsItem, listsKey } from './items';
import { readOpening } from './opening';
import { accessTokenItem, serverUrlItem } from './storage';
import { apiWorkspaceId } from './workspaces';
import { i18n } from '#i18n';

/** `reason` says what a status-0 failure was without reading its (translated) message. */
export type Failure = { ok: false; status: number; message: string; field?: string; reason?: 'not-connected' | 'timeout' | 'unreachable' };
export type Result<T> = { ok: true; data: T } | Failure;

type Client = ReturnType<typeof hc<AppType>>;
export type UserInfo = { id: string; userName: string; email: string; personalWorkspaceId: string };

/** The form field a worker message names: "Field 'credentials.keys.secretKey' …" → "secretKey". */
export function fieldOfMessage(message: string): string | undefined {
  const m = /^Field '([\w.[\]]+)'/.exec(message) ?? /^'([\w.]+)' has unknown field/.exec(message);
  if (m) return m[1]!.replace(/^credentials\.(keys\.)?/, '');
  if (/already exist/.test(message)) return 'name';
  if (/^Invalid credentials for container registry/.test(message)) return 'password';
  return undefined;
}

/** How long a call may take before it is reported as unanswered, and how often a read is tried again. */
export const CALL_TIMEOUT_MS = 15_000;
const READ_ATTEMPTS = 2;

/** fetch with a deadline: a server that accepts the connection and never answers is reported, not waited on forever. */
const fetchWithDeadline: typeof fetch = (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(CALL_TIMEOUT_MS) });

async function outcome<T>(server: string, request: () => Promise<Response>, attempts = 1): Promise<Result<T>> {
  let res: Response | undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      res = await request();
      if (res.status < 500 || attempt >= attempts) break;
    } catch (err) {
      if (attempt < attempts) continue;
      const timedOut = (err as Error).name === 'TimeoutError';
      return {
        ok: false,
        status: 0,
        reason: timedOut ? 'timeout' : 'unreachable',
        message: timedOut
          ? i18n.t('errors.timedOutDetail', [server, String(CALL_TIMEOUT_MS / 1000)])
          : i18n.t('errors.cannotReach', [server, (err as Error).message || i18n.t('errors.networkError')]),
      };
    }
    await new Promise((r) => setTimeout(r, 300 * attempt));
  }
  res = res!;
  if (res.ok) return { ok: true, data: (res.status === 204 ? null : await res.json()) as T };
  const body = (await res.json().catch(() => null)) as { message?: unknown } | null;
  const message = typeof body?.message === 'string' ? body.message : i18n.t('errors.serverAnswered', [String(res.status), res.statusText]);
  return { ok: false, status: res.status, message, field: fieldOfMessage(message) };
}

async function connected(): Promise<{ client: Client; server: string; token: string } | Failure> {
  const [server, token] = await Promise.all([serverUrlItem.getValue(), accessTokenItem.getValue()]);
  if (!server || !token) return { ok: false, status: 0, reason: 'not-connected', message: i18n.t('errors.notConnected') };
  return { client: hc<AppType>(server, { headers: { authorization: `Bearer ${token}` }, fetch: fetchWithDeadline }), server, token };
}

let lastOwner: [key: string, owner: Promise<string>] | null = null;
/** Whose lists a cache holds: a SHA-256 of server and token (never the token itself). */
function ownerOf(server: string, token: string): Promise<string> {
  const key = `${server}\n${token}`;
  if (lastOwner?.[0] !== key) {
    const hash = crypto.subtle.digest('SHA-256', new TextEncoder().encode(key));
    lastOwner = [key, hash.then((h) => Array.from(new Uint8Array(h).slice(0, 16), (b) => b.toString(16).padStart(2, '0')).join(''))];
  }
  return lastOwner[1];
}

/** A token selected on a page and offered through the context menu, held in background memory only. */
interface PendingCapture {
  token: string;
  registry: string;
  expires: number;
}
const PENDING_TTL_MS = 10 * 60_000;

function createLatchkeyService() {
  const pending = new Map<string, PendingCapture>();
  const sweepPending = () => {
    for (const [id, p] of pending) if (p.expires < Date.now()) pending.delete(id);
  };

  /**
   * The lists cache (lib/items.ts listsItem). Every change drops it (before it is sent and once it is answered), and
   * so do a refused token or workspace (401, 403) and a lost connection; a list is kept only if nothing was dropped
   * since it was asked for (`generation`), so an answer that predates a change is never stored. Writes run one after
   * another.
   */
  let generation = 0;
  let writing: Promise<void> = Promise.resolve();
  const forgetLists = (): Promise<void> => {
    generation++;
    return (writing = writing.then(() => listsItem.removeValue()).catch(() => undefined));
  };
  function rememberList<K extends 'credentials' | 'secrets'>(owner: Promise<string>, asked: number, workspaceId: string | null, kind: K, list: NonNullable<ListsCache['lists'][string][K]>) {
    writing = writing
      .then(async () => {
        const who = await owner;
        if (asked !== generation) return;
        const cache = await listsItem.getValue();
        const lists = cache?.owner === who ? cache.lists : {};
        const key = listsKey(workspaceId);
        await listsItem.setValue({ owner: who, lists: { ...lists, [key]: { ...lists[key], [kind]: list } } });
      })
      .catch(() => undefined);
  }

  /** Runs a typed call with the stored server and token. Reads (`read: true`) are tried again once after a network
   *  failure or a 5xx; writes are not, so nothing is done twice. `keep` receives a successful answer and its owner. */
  async function call<T>(fn: (c: Client) => Promise<Response>, read = false, keep?: (data: T, owner: Promise<string>, asked: number) => void): Promise<Result<T>> {
    const conn = await connected();
    if ('ok' in conn) return (void forgetLists(), conn);
    const asked = generation;
    const res = await outcome<T>(conn.server, () => fn(conn.client), read ? READ_ATTEMPTS : 1);
    if (res.ok) keep?.(res.data, ownerOf(conn.server, conn.token), asked);
    else if (res.status === 401 || res.status === 403) void forgetLists();
    return res;
  }
  /** A call that changes credentials or secrets: the cached lists are dropped before and after it. */
  async function change<T>(fn: (c: Client) => Promise<Response>): Promise<Result<T>> {
    await forgetLists();
    try {
      return await call<T>(fn);
    } finally {
      void forgetLists();
    }
  }
  const q = (workspaceId: string | null) => (workspaceId ? { workspaceId } : {});
  const skip = (yes: boolean) => (yes ? { skipRegistryCheck: 'true' as const } : {});

  /** The badge's count in progress, and the one queued after it (refreshExpiryBadge). */
  const badge: { running: Promise<number> | null; next: Promise<number> | null } = { running: null, next: null };
  async function countExpiring(): Promise<number> {
    const ws = await service.workspaces();
    let due: string[] = [];
    if (ws.ok)
      for (const w of ws.data.workspaces) {
        const listed = await service.listCredentials(apiWorkspaceId(w));
        if (listed.ok) due = due.concat(listed.data.credentials.filter((c) => expiresSoon(c)).map((c) => c.name));
      }
    await browser.action.setBadgeBackgroundColor({ color: '#b45309' });
    await browser.action.setBadgeText({ text: due.length ? String(due.length) : '' });
    await browser.action.setTitle({
      title: due.length ? i18n.t('expiry.badgeTitle', [String(due.length), String(WARN_DAYS), `${due.slice(0, 5).join(', ')}${due.length > 5 ? ', …' : ''}`]) : i18n.t('app.name'),
    });
    return due.length;
  }

  const service = {
    /** Checks a server and token before they are saved: reachable, a Latchkey server, a valid token. */
    async testConnection(serverUrl: string, token: string): Promise<Result<{ user: UserInfo; version: string }>> {
      const client = hc<AppType>(serverUrl, { headers: { authorization: `Bearer ${token}` }, fetch: fetchWithDeadline });
      const info = await outcome<{ serviceInfo?: { service?: string; version?: string } }>(serverUrl, () => client['service-info'].$get());
      if (!info.ok) return info.status === 0 ? info : { ok: false, status: info.status, message: i18n.t('options.notLatchkeyStatus', [serverUrl, String(info.status)]) };
      if (info.data?.serviceInfo?.service !== 'latchkey') return { ok: false, status: 0, message: i18n.t('options.notLatchkey', [serverUrl]) };
      const user = await outcome<{ user: UserInfo }>(serverUrl, () => client['user-info'].$get());
      if (!user.ok) return { ...user, message: user.status === 401 ? i18n.t('options.tokenRefusedDetail', [user.message]) : user.message };
      return { ok: true, data: { user: user.data.user, version: info.data.serviceInfo.version ?? '' } };
    },
    userInfo: () => call<{ user: UserInfo }>((c) => c['user-info'].$get(), true),
    // Every workspace, not the first page of 100: 1000 is PAGE_MAX in shared/api.ts (not imported: it would bring zod into the popup's first chunk).
    workspaces: () => call<{ workspaces: Workspace[] }>((c) => c.workspaces.$get({ query: { max: '1000' } }), true),
    listCredentials: (workspaceId: string | null) =>
      call<{ credentials: Credentials[] }>((c) => c.credentials.$get({ query: q(workspaceId) }), true, (d, owner, asked) => rememberList(owner, asked, workspaceId, 'credentials', d.credentials)),
    /**
     * The credentials of the workspace the popup opens on (lib/opening.ts), asked for as the popup's script starts,
     * while it reads the same stored values itself; null when this browser session has no workspace list yet (the
     * popup asks for that first).
     */
    async opening(): Promise<{ workspaceId: string; credentials: Result<{ credentials: Credentials[] }> } | null> {
      const { cached } = await readOpening();
      return cached && { workspaceId: cached.id, credentials: await service.listCredentials(apiWorkspaceId(cached)) };
    },
    validateCredentialsName: (workspaceId: string | null, name: string) => call<null>((c) => c.credentials.validate.$get({ query: { ...q(workspaceId), name } })),
    createCredentials: (workspaceId: string | null, body: CreateCredentialsRequest, skipRegistryCheck = false) =>
      change<{ credentialsId: string }>((c) => c.credentials.$post({ query: { ...q(workspaceId), ...skip(skipRegistryCheck) }, json: body })),
    updateCredentials: (workspaceId: string | null, credentialsId: string, body: UpdateCredentialsRequest, skipRegistryCheck = false) =>
      change<null>((c) => c.credentials[':credentialsId'].$put({ param: { credentialsId }, query: { ...q(workspaceId), ...skip(skipRegistryCheck) }, json: body })),
    /** Asks the registry whether a stored container-registry login still works (an empty JSON body, as every POST has). */
    checkRegistryLogin: (workspaceId: string | null, credentialsId: string) =>
      change<null>((c) =>
        c.credentials[':credentialsId'].check.$post({ param: { credentialsId }, query: q(workspaceId) }, { headers: { 'content-type': 'application/json' }, init: { body: '{}' } }),
      ),
    deleteCredentials: (workspaceId: string | null, credentialsId: string) =>
      change<null>((c) => c.credentials[':credentialsId'].$delete({ param: { credentialsId }, query: q(workspaceId) })),
    /** Holds a token selected on a page (context menu) and returns the id the capture page asks about. */
    holdCapture(token: string, registry: string): string {
      sweepPending();
      const id = crypto.randomUUID();
      pending.set(id, { token, registry, expires: Date.now() + PENDING_TTL_MS });
      return id;
    },
    /** What the capture page may show: the registry and a masked token, never the token. */
    async pendingCapture(id: string): Promise<{ registry: string; masked: string } | null> {
      sweepPending();
      const p = pending.get(id);
      return p ? { registry: p.registry, masked: `••••••••${p.token.slice(-4)}` } : null;
    },
    /** Saves a held token as a container-reg credential in a workspace where the user may save (a capture target). */
    async savePendingCapture(id: string, d: CaptureSave & { registry: string }): Promise<Result<null>> {
      const p = pending.get(id);
      if (!p) return { ok: false, status: 0, message: i18n.t('capturePage.expired') };
      const target = await targetWorkspace(service, d.workspaceId);
      if (!target.ok) return target;
      const res = await service.createCredentials(
        target.data,
        { credentials: { name: d.name, provider: 'container-reg', keys: { userName: d.userName, password: p.token, registry: d.registry } } },
        d.skipRegistryCheck,
      );
      if (!res.ok) return res;
      pending.delete(id); // saved: drop the token
      await rememberCaptureWorkspace(d.workspaceId);
      return { ok: true, data: null };
    },
    dropPendingCapture: async (id: string) => void pending.delete(id),
    /**
     * The toolbar badge: how many credentials in the user's workspaces expire within a week (or have expired). Quiet
     * when nothing is due or the extension is not connected. One count runs at a time (it lists every workspace): a
     * call made meanwhile waits for it and one more count after it, which every such call shares, so each caller's
     * answer is at least as new as its call, and ten popups opened during one count add one count, not ten.
     */
    refreshExpiryBadge(): Promise<number> {
      if (!badge.running) return (badge.running = countExpiring().finally(() => (badge.running = null)));
      return (badge.next ??= badge.running.catch(() => 0).then(() => ((badge.next = null), service.refreshExpiryBadge())));
    },
    listSecrets: (workspaceId: string | null) =>
      call<{ pipelineSecrets: PipelineSecret[]; totalSize: number }>((c) => c['pipeline-secrets'].$get({ query: q(workspaceId) }), true, (d, owner, asked) =>
        rememberList(owner, asked, workspaceId, 'secrets', d.pipelineSecrets),
      ),
    /** Drops the cached lists: the options page calls it when it connects or disconnects. */
    forgetLists: () => forgetLists(),
    validateSecretName: (workspaceId: string | null, name: string) => call<null>((c) => c['pipeline-secrets'].validate.$get({ query: { ...q(workspaceId), name } })),
    createSecret: (workspaceId: string | null, name: string, value: string) =>
      change<{ secretId: string }>((c) => c['pipeline-secrets'].$post({ query: q(workspaceId), json: { name, value } })),
    updateSecret: (workspaceId: string | null, secretId: string, value: string) =>
      change<null>((c) => c['pipeline-secrets'][':secretId'].$put({ param: { secretId }, query: q(workspaceId), json: { value } })),
    deleteSecret: (workspaceId: string | null, secretId: string) =>
      change<null>((c) => c['pipeline-secrets'][':secretId'].$delete({ param: { secretId }, query: q(workspaceId) })),
  };
  return service;
}

export type LatchkeyService = ReturnType<typeof createLatchkeyService>;
export { createLatchkeyService };
