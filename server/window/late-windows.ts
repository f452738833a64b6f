// Late records for windows the in-memory aggregator no longer holds (older than its horizon): the
// store has them, so the window is recomputed from its raw records and published as the next
// revision of what was stored. Pending windows are bounded; the excess is counted, not queued.
import type { WindowAggregate } from '../../shared/events.ts';
import type { Clock } from '../clock.ts';
import type { Store } from '../store/store.ts';

export interface LateWindowsConfig {
  /** Windows waiting for a recompute at most; more are counted in `overflow`. */
  maxPending: number;
  /** Late records are gathered this long before the store is asked, ms. */
  delayMs: number;
  topN: number;
}

export const defaultLateWindowsConfig: LateWindowsConfig = {
  maxPending: 1000,
  delayMs: 1000,
  topN: 20,
};

export function createLateWindows(
  config: LateWindowsConfig,
  deps: {
    store: Store;
    clock: Clock;
    onWindow: (agg: WindowAggregate) => void;
    warn: (msg: string) => void;
  },
) {
  const pending = new Map<string, { topicId: string; windowStart: number; windowMs: number }>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  let running: Promise<void> = Promise.resolve();
  const m = { scheduled: 0, republished: 0, overflow: 0, failed: 0 };

  async function run() {
    timer = null;
    const batch = [...pending.values()];
    pending.clear();
    await deps.store.flush();
    for (const { topicId, windowStart, windowMs } of batch) {
      try {
        const [stored] = await deps.store.loadWindows(topicId, windowStart, windowStart + windowMs);
        const base = await deps.store.recomputeWindow(topicId, windowStart, windowMs, config.topN);
        deps.onWindow({
          ...base,
          revision: (stored?.revision ?? 0) + 1,
          publishedAt: deps.clock.now(),
        });
        m.republished++;
      } catch (err) {
        m.failed++;
        deps.warn(
          `late window ${topicId} ${new Date(windowStart).toISOString()}: ${(err as Error).message}`,
        );
      }
    }
  }

  return {
    /** A record of this window arrived after the aggregator let the window go. */
    schedule(topicId: string, windowStart: number, windowMs: number) {
      const key = `${topicId}@${windowStart}`;
      if (!pending.has(key)) {
        if (pending.size >= config.maxPending) {
          m.overflow++;
          return;
        }
        pending.set(key, { topicId, windowStart, windowMs });
        m.scheduled++;
      }
      timer ??= setTimeout(() => {
        running = running.then(run);
      }, config.delayMs);
    },
    /** Resolves when everything scheduled so far has been published. */
    async idle() {
      if (timer !== null) {
        clearTimeout(timer);
        running = running.then(run);
      }
      await running;
    },
    stop() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      pending.clear();
    },
    metrics: () => ({ ...m, pending: pending.size }),
  };
}
