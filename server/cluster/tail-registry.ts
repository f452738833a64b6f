// Which live tails exist across a cluster: front ends hold the sockets, the collector holds the
// records. Each front end announces the (topic, query) rooms its sockets tail, with an expiry it
// renews; the collector matches its records for every announced room and broadcasts the batches
// to the room through the socket.io adapter. The collector is the one numbering a room's batches,
// so it keeps each room's sequence number where a front end can read it for a new subscriber.
import type { Redis } from 'ioredis';

const ROOMS = 'flowdeck:tails';
const SEQS = 'flowdeck:tail-seq';

export interface TailRegistry {
  /** Front end: these rooms have sockets here, for another `ttlMs`. */
  announce(keys: readonly string[], ttlMs: number): Promise<void>;
  /** Collector: the rooms some front end announced and that have not expired. */
  rooms(): Promise<string[]>;
  /** Collector: the last batch number sent to a room. */
  saveSeq(key: string, seq: number): Promise<void>;
  /** Front end: the last batch number a room was sent (0: none yet). */
  seqOf(key: string): Promise<number>;
}

export function createTailRegistry(redis: Redis, now: () => number = Date.now): TailRegistry {
  return {
    async announce(keys, ttlMs) {
      if (keys.length === 0) return;
      const until = String(now() + ttlMs);
      await redis.hset(ROOMS, ...keys.flatMap((k) => [k, until]));
    },
    async rooms() {
      const all = await redis.hgetall(ROOMS);
      const t = now();
      const live: string[] = [];
      const gone: string[] = [];
      for (const [key, until] of Object.entries(all)) (Number(until) > t ? live : gone).push(key);
      if (gone.length > 0) {
        await redis.hdel(ROOMS, ...gone);
        await redis.hdel(SEQS, ...gone);
      }
      return live;
    },
    async saveSeq(key, seq) {
      await redis.hset(SEQS, key, String(seq));
    },
    async seqOf(key) {
      return Number((await redis.hget(SEQS, key)) ?? 0);
    },
  };
}
