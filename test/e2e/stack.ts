/** What every browser test needs: the local peers, the worker on a fresh D1, a seeded user, and Chromium with the extension. */
import { startDevWorker, startPeers } from '../../scripts/lib/dev-worker.mjs';
import { launchWithExtension } from './browser';

export async function startStack(user: { userName: string; email: string }, vars: (peers: Awaited<ReturnType<typeof startPeers>>) => Record<string, string> = () => ({})) {
  const peers = await startPeers();
  // Every peer answers plain HTTP on 127.0.0.1: allowed for registry checks here, as an operator allows a private
  // registry; every other loopback and private address stays refused.
  const worker = await startDevWorker({ vars: { REGISTRY_ALLOWED_HOSTS: '127.0.0.1', REGISTRY_ALLOW_INSECURE_LOOPBACK: 'true', ...vars(peers) } });
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
