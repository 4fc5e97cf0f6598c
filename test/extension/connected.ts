/**
 * A fresh fake browser for each test, connected as a user connects it (server URL and token stored), with English
 * messages, and its fetch answered by a stand-in worker the test file makes; the real fetch is back after each test.
 */
import { afterEach, beforeEach, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { accessTokenItem, serverUrlItem } from '../../extension/lib/storage';
import { useEnglishMessages } from './messages';

export const SERVER = 'https://latchkey.example.com';

/** Registers the set-up; the answer gives the current test's stand-in worker. */
export function connectedTo<W extends { fetch: typeof fetch }>(token: string, makeWorker: () => W): () => W {
  let worker: W | undefined;
  beforeEach(async () => {
    fakeBrowser.reset();
    useEnglishMessages();
    await serverUrlItem.setValue(SERVER);
    await accessTokenItem.setValue(token);
    worker = makeWorker();
    vi.stubGlobal('fetch', worker.fetch);
  });
  afterEach(() => vi.unstubAllGlobals());
  return () => worker!;
}
