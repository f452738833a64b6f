// The cluster's identity: one id for every process sharing a Redis, written by the first to start.
// A browser's resume ("what changed since the window I hold") is honoured by any front end of the
// same cluster, and refused by one that belongs to another.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

export const INSTANCE_KEY = 'flowdeck:instance';

export async function clusterInstance(redis: Redis): Promise<string> {
  await redis.set(INSTANCE_KEY, `cluster-${randomUUID().slice(0, 13)}`, 'NX');
  const id = await redis.get(INSTANCE_KEY);
  if (!id) throw new Error(`Redis did not keep ${INSTANCE_KEY}`);
  return id;
}
