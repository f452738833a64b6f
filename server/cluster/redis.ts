// The Redis connection between flowdeck processes (collectors and front ends): one ioredis client
// per process, plus the duplicates that blocking reads need. Its errors are said once per episode,
// not once per retry.
import { Redis } from 'ioredis';

export interface RedisDeps {
  warn: (msg: string) => void;
}

/** Connects to `url` (redis://[user:pass@]HOST:PORT[/DB]); rejects when the first connect fails. */
export async function connectRedis(url: string, name: string, deps: RedisDeps): Promise<Redis> {
  const redis = new Redis(url, {
    connectionName: `flowdeck-${name}`,
    lazyConnect: true,
    // A command waits for a reconnect at most this many retries, then fails (no unbounded wait).
    maxRetriesPerRequest: 20,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
  });
  let failing = false;
  redis.on('error', (err: Error) => {
    if (failing) return;
    failing = true;
    deps.warn(`redis (${name}): ${err.message}; retrying`);
  });
  redis.on('ready', () => {
    if (failing) deps.warn(`redis (${name}): connected again`);
    failing = false;
  });
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    throw new Error(`cannot reach Redis at ${redactUrl(url)}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return redis;
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}
