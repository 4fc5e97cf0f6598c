/** Fuzzing, shard 3 of 3: see fuzz.ts (the shards share the documented routes between them). */
import { describe, it } from 'vitest';
import { fuzzShard, SHARD_TIMEOUT } from './fuzz';

describe('fuzzing every request body and query parameter (shard 3 of 3)', () => {
  it('never answers 5xx, names the field of every 400, and changes nothing when it refuses (seed 20261122)', fuzzShard(2), SHARD_TIMEOUT);
});
