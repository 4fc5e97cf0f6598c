/** The capture channel as a content script sees it: where to save, and saving the one token the user chose. */
import type { CaptureSave } from './capture-targets';
import { sendMessage } from './messages';

export const captureChannel = {
  targets: (nameBase: string) => sendMessage('captureTargets', { nameBase }),
  save: (req: CaptureSave & { token: string }) => sendMessage('captureSave', req),
};
