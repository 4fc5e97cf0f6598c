/** Starts the local peers the worker tests talk to and tells the worker project where they are. */
import type { TestProject } from 'vitest/node';
import { startAccessPeer } from './access-jwks';

declare module 'vitest' {
  export interface ProvidedContext {
    accessOrigin: string;
    accessPrivateJwk: string;
  }
}

export default async function setup(project: TestProject) {
  const access = await startAccessPeer();
  project.provide('accessOrigin', access.origin);
  project.provide('accessPrivateJwk', access.privateJwk);
  return () => access.close();
}
