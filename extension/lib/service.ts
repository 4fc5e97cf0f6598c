/**
 * The background's Latchkey service as seen from the extension's own pages (popup, options, capture page): each
 * call is one `page` message; the background refuses it from anything but an extension page.
 */
import type { LatchkeyService } from './api';
import { sendMessage } from './messages';

type Remote<T> = { [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never };

export const latchkey = new Proxy({} as Remote<Omit<LatchkeyService, 'holdCapture'>>, {
  get: (_target, method) => (typeof method === 'string' ? (...args: unknown[]) => sendMessage('page', { method, args }) : undefined),
});
