/**
 * The background's two message channels, typed in one place.
 * - `page`: the full Latchkey service, for the extension's own pages (popup, options, capture page) only.
 * - `captureTargets` / `captureSave`: what a content script may ask for, and nothing more: where a captured token
 *   may be saved, and saving that one token as a container-reg credential for the sender's own registry.
 * Pages and content scripts send `{ id, type, data, timestamp }` and get `{ res }` or `{ err }` back (the wire format
 * of @webext-core/messaging, kept so nothing changes on the wire); the background answers and checks every sender
 * and type (lib/channels.ts). Sending is the few lines below rather than the library, which weighs more than the
 * content scripts may. Messages are never logged (they carry tokens).
 */
import { browser } from 'wxt/browser';
import type { Result } from './api';
import type { CaptureSave, CaptureTarget } from './capture-targets';

export interface PageCall {
  method: string;
  args: unknown[];
}

export interface Protocol {
  page(call: PageCall): unknown;
  captureTargets(req: { nameBase: string }): Result<CaptureTarget[]>;
  captureSave(req: CaptureSave & { token: string }): Result<null>;
}

type Answer<T> = { res: T; err?: undefined } | { res?: undefined; err: { name?: string; message?: string } };

let nextId = Math.floor(Math.random() * 1e4);

/** Sends one message to the background; its answer, or the refusal it reports as a thrown Error. */
export async function sendMessage<K extends keyof Protocol>(type: K, data: Parameters<Protocol[K]>[0]): Promise<ReturnType<Protocol[K]>> {
  const answer = (await browser.runtime.sendMessage({ id: nextId++, type, data, timestamp: Date.now() })) as Answer<ReturnType<Protocol[K]>> | undefined;
  if (!answer) throw new Error('No response');
  if (answer.err) throw Object.assign(new Error(answer.err.message), { name: answer.err.name ?? 'Error' });
  return answer.res as ReturnType<Protocol[K]>;
}
