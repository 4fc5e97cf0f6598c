/**
 * Runs local peers in their own Node process (as AWS would be a separate process), for tests, benchmarks and
 * trying Latchkey by hand:  node test/peers/serve.ts [--port 4566] [--no-registries]
 * Also starts two docker-registry instances (Basic and token auth) when Debian's docker-registry is installed.
 * Prints one JSON line {"secretsManagerUrl", "registryBasicHost", "registryTokenHost"} when ready; stops on SIGTERM/SIGINT, and with --exit-with-stdin when
 * stdin closes (so a parent that dies takes its peers with it).
 */
import { existsSync } from 'node:fs';
import { REGISTRY_BINARY, startRegistries } from './registry.ts';
import { startSecretsManagerPeer } from './secrets-manager.ts';

const portArg = process.argv.indexOf('--port');
const port = portArg > 0 ? Number(process.argv[portArg + 1]) : 0;
const peer = await startSecretsManagerPeer(port);
// The registries need Debian's docker-registry; without it only the Secrets Manager stand-in runs.
const registries = existsSync(REGISTRY_BINARY) && !process.argv.includes('--no-registries') ? await startRegistries() : null;
process.stdout.write(`${JSON.stringify({ secretsManagerUrl: peer.url, registryBasicHost: registries?.basicHost ?? null, registryTokenHost: registries?.tokenHost ?? null })}\n`);

const stop = async () => {
  await Promise.all([peer.close(), registries?.close()]);
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
if (process.argv.includes('--exit-with-stdin')) process.stdin.on('end', stop).resume();
