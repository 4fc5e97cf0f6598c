/**
 * How many files (fuzz-1.test.ts … fuzz-N.test.ts) share the fuzzed routes, so two workers can run them side by side.
 * The worker project's global setup checks that exactly these files exist, so no route is left out.
 */
export const SHARDS = 3;
export const shardFiles = () => Array.from({ length: SHARDS }, (_, i) => `test/worker/fuzz-${i + 1}.test.ts`);
