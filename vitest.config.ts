import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { WxtVitest } from 'wxt/testing/vitest-plugin';
import { ACCESS_AUD_TEST, ADMIN_TOKEN_TEST, PLATFORM_AWS_TEST, RUN_TOKEN_KEY_TEST, VAULT_KEYS_TEST } from './test/worker/keys.ts';

export default defineConfig({
  test: {
    projects: [
      {
        // Worker tests run inside workerd against a real local D1, migrations applied per test file.
        plugins: [
          cloudflareTest(async ({ inject }) => ({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              bindings: {
                VAULT_KEYS: VAULT_KEYS_TEST,
                ADMIN_TOKEN: ADMIN_TOKEN_TEST,
                ACCESS_TEAM_DOMAIN: inject<string>('accessOrigin'),
                ACCESS_AUD: ACCESS_AUD_TEST,
                ACCESS_TEST_PRIVATE_JWK: inject<string>('accessPrivateJwk'),
                AWS_ENDPOINT_URL: inject<string>('secretsManagerUrl'),
                AWS_RETRY_BASE_MS: '5',
                // Role mode: the worker's own identity is an account of the stand-in (test/worker/aws.ts creates it).
                PLATFORM_AWS_ACCESS_KEY_ID: PLATFORM_AWS_TEST.accessKeyId,
                PLATFORM_AWS_SECRET_ACCESS_KEY: PLATFORM_AWS_TEST.secretAccessKey,
                PLATFORM_AWS_PRINCIPAL_ARN: PLATFORM_AWS_TEST.principalArn,
                TEST_REGISTRY_BASIC: inject<string>('registryBasicHost'),
                TEST_REGISTRY_TOKEN: inject<string>('registryTokenHost'),
                // The test registries and the hostile listener all run on 127.0.0.1 over plain HTTP: allowed here as an
                // operator would allow a private registry. Every other loopback and private address stays refused.
                REGISTRY_ALLOWED_HOSTS: '127.0.0.1',
                REGISTRY_ALLOW_INSECURE_LOOPBACK: 'true',
                TEST_HOSTILE: inject<string>('hostile'),
                RUN_TOKEN_KEY: RUN_TOKEN_KEY_TEST,
                TEST_MIGRATIONS: await readD1Migrations('worker/migrations'),
              },
            },
          })),
        ],
        test: {
          name: 'worker',
          include: ['test/worker/**/*.test.ts'],
          setupFiles: ['test/worker/setup.ts'],
          globalSetup: ['test/worker/openapi-setup.ts', 'test/peers/global-setup.ts'],
        },
      },
      {
        // Extension logic and storage, with WXT's fake browser.
        plugins: [WxtVitest({ root: 'extension' })],
        test: { name: 'extension', environment: 'happy-dom', include: ['test/extension/**/*.test.ts'] },
      },
      {
        // Generated shell scripts run for real: bash and Debian's awscli against the local Secrets Manager stand-in.
        test: { name: 'scripts', environment: 'node', include: ['test/scripts/**/*.test.ts'], testTimeout: 60_000 },
      },
      {
        // Seqera's published OpenAPI as the contract, checked with ajv in Node against `wrangler dev` (ajv compiles
        // validators with `new Function`, which workerd forbids).
        test: { name: 'contract', environment: 'node', include: ['test/contract/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 120_000, fileParallelism: false },
      },
      {
        // The built extension in Debian's Chromium against `wrangler dev` with a fresh local D1.
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/e2e/build-extension.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
