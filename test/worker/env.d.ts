// Types of `env` and `exports` from "cloudflare:workers" inside the worker tests.
import type { D1Migration } from 'cloudflare:test';
import type { Env as WorkerEnv } from '../../worker/src/env';

declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {
      TEST_MIGRATIONS: D1Migration[];
      ACCESS_TEST_PRIVATE_JWK: string;
      TEST_REGISTRY_BASIC: string;
      TEST_REGISTRY_TOKEN: string;
      /** JSON: the hostile listener's personas (test/peers/hostile.ts), name → host:port, and its control URL. */
      TEST_HOSTILE: string;
    }
    interface GlobalProps {
      mainModule: typeof import('../../worker/src/index');
    }
  }
}
