/** Fuzzing, shard 3: see fuzz.ts (the shards share the documented routes between them). */
import { fuzzShard } from './fuzz';

fuzzShard(2);
