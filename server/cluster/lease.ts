// One active collector per cluster, any number on standby. The active one holds a lease in Redis
// (`flowdeck:collector` = its id, expiring after `leaseMs`) and renews it every `renewMs`; a
// standby waits for the lease before it opens anything (it takes no records and does not listen).
// When the active collector stops it releases the lease; when it dies the lease expires, and a
// standby takes over: it starts as a collector does after a crash (windows with records after the
// last clean mark recomputed from the raw records, then the recent windows loaded), so revision
// numbers carry on from the stored ones and every stored record is counted once. A collector
// restarted on the same data directory has the same id and takes its lease back at once.
import type { Redis } from 'ioredis';

export interface LeaseConfig {
  leaseMs: number;
  renewMs: number;
}

export const defaultLeaseConfig: LeaseConfig = { leaseMs: 15_000, renewMs: 3_000 };

export const LEASE_KEY = 'flowdeck:collector';

// Renew or release only the lease this collector holds (a plain PEXPIRE or DEL could touch a
// lease another collector took after ours expired).
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export function createCollectorLease(
  config: LeaseConfig,
  deps: {
    redis: Redis;
    /** This collector. */
    id: string;
    info: (msg: string) => void;
    warn: (msg: string) => void;
    /** The lease was lost while held (Redis unreachable past the lease, or taken): stop collecting. */
    onLost: () => void;
  },
) {
  const { redis, id } = deps;
  let held = false;
  let timer: ReturnType<typeof setInterval> | null = null;
  let stopped = false;
  let lastRenewed = 0;

  async function tryTake(): Promise<boolean> {
    if ((await redis.set(LEASE_KEY, id, 'PX', config.leaseMs, 'NX')) === 'OK') return true;
    // Ours from before a restart on the same data directory.
    return Number(await redis.eval(RENEW, 1, LEASE_KEY, id, String(config.leaseMs))) === 1;
  }

  async function renew(): Promise<void> {
    try {
      if (Number(await redis.eval(RENEW, 1, LEASE_KEY, id, String(config.leaseMs))) === 1) {
        lastRenewed = Date.now();
        return;
      }
      deps.warn(
        `cluster: this collector lost its lease to ${(await redis.get(LEASE_KEY)) ?? 'nobody'}`,
      );
    } catch (err) {
      // Still ours until it expires: try again next round, give up when it must have expired.
      if (Date.now() - lastRenewed < config.leaseMs - config.renewMs) return;
      deps.warn(`cluster: the collector lease could not be renewed: ${(err as Error).message}`);
    }
    held = false;
    if (timer) clearInterval(timer);
    timer = null;
    deps.onLost();
  }

  return {
    held: () => held,
    /** Resolves once this collector holds the lease (at once, or after the active one went). */
    async acquire(): Promise<void> {
      let said = false;
      while (!stopped) {
        if (await tryTake().catch(() => false)) break;
        if (!said) {
          deps.info(
            `cluster: standby; ${(await redis.get(LEASE_KEY).catch(() => null)) ?? 'another collector'} is the active collector`,
          );
          said = true;
        }
        await new Promise((r) => setTimeout(r, config.renewMs));
      }
      if (stopped) throw new Error('stopped while on standby');
      held = true;
      lastRenewed = Date.now();
      if (said) deps.info('cluster: this collector is now the active one');
      timer = setInterval(() => void renew(), config.renewMs);
      timer.unref?.();
    },
    /** Lets the lease go (a standby takes over at its next round). */
    async release(): Promise<void> {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = null;
      if (held) await redis.eval(RELEASE, 1, LEASE_KEY, id).catch(() => {});
      held = false;
    },
  };
}

export type CollectorLease = ReturnType<typeof createCollectorLease>;
