/**
 * Runs local peers in their own Node process (as AWS would be a separate process), for tests, benchmarks and
 * trying Latchkey by hand:  node test/peers/serve.ts secrets-manager [--port 4566]
 * Prints one JSON line {"secretsManagerUrl": …} when ready; stops on SIGTERM/SIGINT, and with --exit-with-stdin when
 * stdin closes (so a parent that dies takes its peers with it).
 */
import { startSecretsManagerPeer } from './secrets-manager.ts';

const portArg = process.argv.indexOf('--port');
const port = portArg > 0 ? Number(process.argv[portArg + 1]) : 0;
const peer = await startSecretsManagerPeer(port);
process.stdout.write(`${JSON.stringify({ secretsManagerUrl: peer.url })}\n`);

const stop = async () => {
  await peer.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
if (process.argv.includes('--exit-with-stdin')) process.stdin.on('end', stop).resume();
