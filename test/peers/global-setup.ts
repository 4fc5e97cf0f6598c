/** Starts the local peers the worker tests talk to and tells the worker project where they are. */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { TestProject } from 'vitest/node';
import { startAccessPeer } from './access-jwks';
import { startHostilePeer } from './hostile';
import { shardFiles } from '../worker/fuzz-shards';

declare module 'vitest' {
  export interface ProvidedContext {
    accessOrigin: string;
    accessPrivateJwk: string;
    secretsManagerUrl: string;
    registryBasicHost: string;
    registryTokenHost: string;
    hostile: string;
  }
}

/** The Secrets Manager stand-in and the registries run in their own Node process, like the real services. */
async function startPeersProcess() {
  const child = spawn(process.execPath, ['test/peers/serve.ts', '--exit-with-stdin'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the Secrets Manager stand-in exited with ${code}`)));
  });
  const started = JSON.parse(line) as { secretsManagerUrl: string; registryBasicHost: string | null; registryTokenHost: string | null };
  if (!started.registryBasicHost || !started.registryTokenHost) throw new Error('Debian’s docker-registry is needed for the registry tests: apt-get install docker-registry');
  return {
    ...started,
    close: () => new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : (child.once('exit', () => resolve()), child.kill('SIGTERM')))),
  };
}

export default async function setup(project: TestProject) {
  // The fuzz shards deal the documented routes out among SHARDS files: all of them must be there (and no others).
  const shards = readdirSync('test/worker').filter((f) => /^fuzz-\d+\.test\.ts$/.test(f)).map((f) => `test/worker/${f}`).sort();
  if (JSON.stringify(shards) !== JSON.stringify(shardFiles().sort())) throw new Error(`fuzz shards: expected ${shardFiles().join(', ')}, found ${shards.join(', ')}`);
  const [access, secretsManager, hostile] = await Promise.all([startAccessPeer(), startPeersProcess(), startHostilePeer()]);
  project.provide('hostile', JSON.stringify({ hosts: hostile.hosts, control: hostile.control }));
  project.provide('accessOrigin', access.origin);
  project.provide('accessPrivateJwk', access.privateJwk);
  project.provide('secretsManagerUrl', secretsManager.secretsManagerUrl);
  project.provide('registryBasicHost', secretsManager.registryBasicHost!);
  project.provide('registryTokenHost', secretsManager.registryTokenHost!);
  return async () => {
    await Promise.all([access.close(), secretsManager.close(), hostile.close()]);
  };
}
