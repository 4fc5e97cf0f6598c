/** What every browser test needs: the local peers, the worker on a fresh D1, a seeded user, and Chromium with the extension. */
import { startDevWorker, startPeers } from '../../scripts/lib/dev-worker.mjs';
import { launchWithExtension } from './browser';

export async function startStack(user: { userName: string; email: string }, vars: (peers: Awaited<ReturnType<typeof startPeers>>) => Record<string, string> = () => ({})) {
  const peers = await startPeers();
  const worker = await startDevWorker({ vars: vars(peers) });
  const { user: created } = await worker.admin('POST', '/users', user);
  const token: string = (await worker.admin('POST', `/users/${created.id}/tokens`, { name: 'e2e' })).accessKey;
  const browser = await launchWithExtension();
  return {
    peers,
    worker,
    browser,
    token,
    userId: created.id as string,
    close: async () => {
      await browser.close();
      await worker.stop();
      await peers.stop();
    },
  };
}
export type Stack = Awaited<ReturnType<typeof startStack>>;
