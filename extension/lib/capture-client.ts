/** The capture channel as a content script sees it: where to save, and saving the one token the user chose. */
import type { CaptureSave } from './capture-targets';
import { messenger } from './messages';

export const captureChannel = {
  targets: (nameBase: string) => messenger.sendMessage('captureTargets', { nameBase }),
  save: (req: CaptureSave & { token: string }) => messenger.sendMessage('captureSave', req),
};
