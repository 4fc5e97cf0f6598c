/**
 * The background's two message channels, typed in one place.
 * - `page`: the full Latchkey service, for the extension's own pages (popup, options, capture page) only.
 * - `captureTargets` / `captureSave`: what a content script may ask for, and nothing more: where a captured token
 *   may be saved, and saving that one token as a container-reg credential for the sender's own registry.
 * Pages and content scripts send with @webext-core/messaging; the background answers in its wire format and checks
 * every sender and type (lib/channels.ts). Messages are never logged (they carry tokens).
 */
import { defineExtensionMessaging } from '@webext-core/messaging';
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

const silent = { debug() {}, log() {}, warn() {}, error() {} };
export const messenger = defineExtensionMessaging<Protocol>({ logger: silent });
