/**
 * Who may ask the background for what. Every message is checked against its sender:
 * - the extension's own pages (sender URL under the extension's base URL, sent by this extension) get the full
 *   service, one of its own method names at a time;
 * - content scripts on the capture sites get the capture protocol only, with the registry taken from the page's
 *   origin, never from the message;
 * - anything else is refused. A compromised hub.docker.com or quay.io renderer can therefore save a token as a new
 *   credential for its own registry, and nothing more: no listing, updating or deleting, no other provider.
 */
import { z } from 'zod';
import { CREDENTIALS_NAME_PATTERN, credentialsNameProblem } from '../../shared/name-rules';
import type { LatchkeyService, Result } from './api';
import { type CaptureTarget, captureTargets, rememberCaptureWorkspace, targetWorkspace } from './capture-targets';
import type { Protocol } from './messages';
import { i18n } from '#i18n';

/** The parts of runtime.MessageSender the checks read. */
export interface Sender {
  id?: string;
  url?: string;
  origin?: string;
  tab?: unknown;
}

export interface Self {
  /** This extension's id (runtime.id). */
  id: string;
  /** This extension's base URL (runtime.getURL('/')), e.g. chrome-extension://<id>/. */
  base: string;
}

/** The capture sites and the registry each one's tokens are for. A Map: page origins never touch a prototype. */
export const CAPTURE_SITES: ReadonlyMap<string, string> = new Map([
  ['https://hub.docker.com', 'docker.io'],
  ['https://quay.io', 'quay.io'],
]);

/** The full service's methods an extension page may call; holdCapture stays inside the background. */
export const PAGE_METHODS = new Set<keyof LatchkeyService>([
  'testConnection', 'userInfo', 'workspaces', 'opening', 'listCredentials', 'validateCredentialsName', 'createCredentials', 'updateCredentials',
  'checkRegistryLogin', 'deleteCredentials', 'pendingCapture', 'savePendingCapture', 'dropPendingCapture',
  'listSecrets', 'validateSecretName', 'createSecret', 'updateSecret', 'deleteSecret', 'refreshExpiryBadge', 'forgetLists',
]);

export class Refused extends Error {}

function originOf(sender: Sender): string | null {
  if (sender.origin) return sender.origin;
  try {
    return sender.url ? new URL(sender.url).origin : null;
  } catch {
    return null;
  }
}

/** True for the extension's own pages: sent by this extension from a URL under its base (not a web page's frame). */
export function isExtensionPage(sender: Sender, self: Self): boolean {
  if (sender.id !== self.id || !sender.url?.startsWith(self.base)) return false;
  const origin = originOf(sender);
  return origin === null || `${origin}/` === self.base;
}

/** The registry a content script's page is for, or null when the sender is not a capture site's content script. */
export function captureRegistry(sender: Sender, self: Self): string | null {
  if (sender.id !== self.id || !sender.tab || isExtensionPage(sender, self)) return null;
  const origin = originOf(sender);
  return (origin && CAPTURE_SITES.get(origin)) ?? null;
}

const PageCallSchema = z.object({ method: z.string().max(40), args: z.array(z.unknown()).max(4) }).strict();

/** One full-service call from an extension page. */
export function callFromPage(service: LatchkeyService, call: unknown, sender: Sender, self: Self): Promise<unknown> {
  if (!isExtensionPage(sender, self)) throw new Refused('Refused: only Latchkey’s own pages may use its full service.');
  const parsed = PageCallSchema.safeParse(call);
  if (!parsed.success) throw new Refused('Refused: a page call is { method, args[] }.');
  const { method, args } = parsed.data;
  if (!PAGE_METHODS.has(method as keyof LatchkeyService)) throw new Refused(`Refused: '${method.slice(0, 40)}' is not a Latchkey service method.`);
  const fn = service[method as keyof LatchkeyService] as (...a: unknown[]) => unknown;
  return Promise.resolve(fn(...args));
}

const TargetsRequest = z.object({ nameBase: z.string().max(120) }).strict();
const SaveRequest = z
  .object({
    workspaceId: z.string().regex(/^\d{1,20}$/),
    name: z.string().regex(CREDENTIALS_NAME_PATTERN),
    userName: z.string().trim().min(1).max(255),
    token: z.string().min(1).max(4096),
    skipRegistryCheck: z.boolean(),
    expiresAt: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  })
  .strict();

function captureOnly(sender: Sender, self: Self): string {
  const registry = captureRegistry(sender, self);
  if (!registry) throw new Refused('Refused: only Latchkey’s capture helpers on Docker Hub and Quay may save a captured token.');
  return registry;
}

/** Content scripts: where a captured token may be saved (ids, labels, roles and a suggested name; no listing). */
export async function captureTargetsFor(service: LatchkeyService, req: unknown, sender: Sender, self: Self): Promise<Result<CaptureTarget[]>> {
  captureOnly(sender, self);
  const parsed = TargetsRequest.safeParse(req);
  if (!parsed.success) throw new Refused('Refused: captureTargets takes { nameBase } (at most 120 characters).');
  return captureTargets(service, parsed.data.nameBase);
}

/** Content scripts: save the one token the user clicked Save for, as a new container-reg credential for the sender's registry. */
export async function captureSaveFor(service: LatchkeyService, req: unknown, sender: Sender, self: Self): Promise<Result<null>> {
  const registry = captureOnly(sender, self);
  const parsed = SaveRequest.safeParse(req);
  if (!parsed.success) {
    // A name the user typed wrong is theirs to fix; any other problem is a malformed request.
    const name = (req as { name?: unknown } | null)?.name;
    const onlyName = parsed.error.issues.every((i) => i.path.join('.') === 'name');
    if (onlyName && typeof name === 'string' && credentialsNameProblem(name))
      return { ok: false, status: 400, field: 'name', message: i18n.t('capture.nameProblem', [credentialsNameProblem(name) ?? '']) };
    throw new Refused(`Refused: captureSave takes { workspaceId, name, userName, token, skipRegistryCheck }: ${parsed.error.issues.map((i) => i.path.join('.') || 'request').join(', ')} invalid.`);
  }
  const d = parsed.data;
  const target = await targetWorkspace(service, d.workspaceId);
  if (!target.ok) return target;
  const res = await service.createCredentials(
    target.data,
    { credentials: { name: d.name, provider: 'container-reg', ...(d.expiresAt ? { expiresAt: d.expiresAt } : {}), keys: { userName: d.userName, password: d.token, registry } } },
    d.skipRegistryCheck,
  );
  if (!res.ok) return res;
  await rememberCaptureWorkspace(d.workspaceId);
  return { ok: true, data: null };
}

/** A handler for one message type: its data and sender in, its answer out (or a thrown refusal). */
export type Handler = (data: unknown, sender: Sender) => Promise<unknown>;
export type Answer = { res: unknown } | { err: { name: string; message: string; stack: string } };

/** The handlers for the background's message types, keyed in a Map so a message's type never reaches a prototype. */
export function messageHandlers(service: LatchkeyService, self: Self): ReadonlyMap<keyof Protocol, Handler> {
  return new Map<keyof Protocol, Handler>([
    ['page', (data, sender) => callFromPage(service, data, sender, self)],
    ['captureTargets', (data, sender) => captureTargetsFor(service, data, sender, self)],
    ['captureSave', (data, sender) => captureSaveFor(service, data, sender, self)],
  ]);
}

/**
 * Answers one runtime message in @webext-core/messaging's wire format ({ type, data } in; { res } or { err } out),
 * so pages and content scripts send with its typed `sendMessage`. Receiving is done here rather than by its
 * `onMessage`, whose per-type lookup on a plain object answers types such as 'constructor' from Object.prototype:
 * here an unknown type is refused like an unknown method or sender.
 */
export async function answer(handlers: ReadonlyMap<string, Handler>, message: unknown, sender: Sender): Promise<Answer> {
  const type = (message as { type?: unknown } | null)?.type;
  const handler = typeof type === 'string' ? handlers.get(type) : undefined;
  try {
    if (!handler) throw new Refused(`Refused: '${String(type).slice(0, 40)}' is not a Latchkey message.`);
    return { res: await handler((message as { data?: unknown }).data, sender) };
  } catch (err) {
    // Refusals say what was refused; anything else is reported without its details (they could carry a value).
    const text = err instanceof Refused ? err.message : 'The Latchkey background could not complete this request.';
    return { err: { name: 'Error', message: text, stack: '' } };
  }
}
