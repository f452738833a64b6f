// The cluster bus: one Redis stream that collectors write every published window revision and
// every catalog change to, and that every front end reads in order from where it left off. A
// stream, not PUB/SUB: a front end that loses Redis for a moment carries on from its last entry,
// and one that fell further behind than the stream keeps (MAXLEN) is told so and reloads from the
// store. The socket.io adapter carries the same windows to browsers; this bus keeps the front
// ends' snapshots current.
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { WindowAggregate } from '../../shared/events.ts';

export type BusMessage =
  | { kind: 'window'; window: WindowAggregate }
  | { kind: 'catalog'; version: number; origin: string }
  /** Alert episodes or silences changed (stored with the catalog; the rest of it did not). */
  | { kind: 'alerts'; origin: string };

export interface BusConfig {
  /** The stream's key. */
  stream: string;
  /** Entries the stream keeps (approximately: MAXLEN ~). */
  maxLen: number;
  /** Entries read per XREAD, and how long one blocks (ms). */
  readCount: number;
  blockMs: number;
}

export const defaultBusConfig: BusConfig = {
  stream: 'flowdeck:bus',
  maxLen: 100_000,
  readCount: 500,
  blockMs: 2_000,
};

// Entries are written by flowdeck's own collectors; still, what comes off the network is checked
// for its shape before it reaches the caches.
const entrySchema = z.union([
  z.object({
    kind: z.literal('window'),
    window: z
      .object({
        topicId: z.string(),
        windowStart: z.number(),
        revision: z.number(),
        publishedAt: z.number(),
      })
      .passthrough(),
  }),
  z.object({ kind: z.literal('catalog'), version: z.number(), origin: z.string() }),
  z.object({ kind: z.literal('alerts'), origin: z.string() }),
]);

export interface BusFollower {
  /** A message, in stream order. */
  onMessage(message: BusMessage): void;
  /**
   * Entries may have been missed (the reader lost Redis, or fell behind what the stream keeps):
   * what is held must be reloaded from the store. Reading resumes after it settles.
   */
  onGap(reason: string): Promise<void>;
}

/** Stream ids compare as (ms, seq) pairs. */
export function compareIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(Number) as [number, number];
  const [bm, bs] = b.split('-').map(Number) as [number, number];
  return am - bm || as - bs;
}

export function createBus(config: BusConfig, deps: { redis: Redis; warn: (msg: string) => void }) {
  const { redis } = deps;
  let reader: Redis | null = null;
  let stopped = false;
  let loop: Promise<void> | null = null;
  const metrics = { published: 0, publishFailed: 0, read: 0, bad: 0, gaps: 0 };

  async function lastId(): Promise<string> {
    const last = (await redis.xrevrange(config.stream, '+', '-', 'COUNT', 1)) as Array<
      [string, string[]]
    >;
    return last[0]?.[0] ?? '0-0';
  }

  async function firstId(): Promise<string | null> {
    const first = (await redis.xrange(config.stream, '-', '+', 'COUNT', 1)) as Array<
      [string, string[]]
    >;
    return first[0]?.[0] ?? null;
  }

  async function follow(from: string, follower: BusFollower): Promise<void> {
    let last = from;
    let broken = false;
    while (!stopped) {
      try {
        if (broken) {
          // Entries after `last` may be gone (trimmed while this reader was away): check, and
          // reload from the store when they may be.
          const first = await firstId();
          if (first !== null && compareIds(first, last) > 0 && last !== '0-0') {
            metrics.gaps++;
            const tip = await lastId();
            await follower.onGap(`the bus no longer holds entries after ${last}`);
            last = tip;
          }
          broken = false;
        }
        const res = (await reader!.xread(
          'COUNT',
          config.readCount,
          'BLOCK',
          config.blockMs,
          'STREAMS',
          config.stream,
          last,
        )) as Array<[string, Array<[string, string[]]>]> | null;
        for (const [, entries] of res ?? []) {
          for (const [id, fields] of entries) {
            last = id;
            metrics.read++;
            const raw = fields[1];
            let parsed: z.infer<typeof entrySchema>;
            try {
              parsed = entrySchema.parse(JSON.parse(raw ?? ''));
            } catch (err) {
              metrics.bad++;
              deps.warn(`bus: entry ${id} is not a flowdeck message: ${(err as Error).message}`);
              continue;
            }
            follower.onMessage(parsed as BusMessage);
          }
        }
      } catch (err) {
        if (stopped) break;
        if (!broken) deps.warn(`bus: reading ${config.stream} failed: ${(err as Error).message}`);
        broken = true;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  return {
    metrics: () => ({ ...metrics }),
    lastId,
    /** Appends a message; a failure is counted and said, never thrown at the publisher. */
    async publish(message: BusMessage): Promise<void> {
      try {
        await redis.xadd(
          config.stream,
          'MAXLEN',
          '~',
          config.maxLen,
          '*',
          'm',
          JSON.stringify(message),
        );
        metrics.published++;
      } catch (err) {
        metrics.publishFailed++;
        deps.warn(`bus: a ${message.kind} message was not written: ${(err as Error).message}`);
      }
    },
    /** Reads every entry after `from` (a stream id, from lastId() before loading state), in order. */
    start(from: string, follower: BusFollower): void {
      reader = redis.duplicate();
      loop = follow(from, follower);
    },
    async stop(): Promise<void> {
      stopped = true;
      reader?.disconnect();
      await loop?.catch(() => {});
    },
  };
}

export type Bus = ReturnType<typeof createBus>;
