// Crash-consistent windows. Raw records and the window aggregates that count them are written in
// different transactions (records with their source offsets; aggregates after the aggregator
// folded and published them), so a kill -9 between the two leaves aggregates that miss records.
// The repair is bounded by a clean mark kept in the store:
//
// - checkpoint (every few seconds and at a clean stop): take the store's committed seq S; every
//   record up to S has been folded into the aggregator (a write's then-callbacks run before any
//   timer), so publish what is pending, let the late-window recomputes finish, wait until the
//   store saved those aggregates, then mark S clean. A failed window save skips the mark.
// - rebuild (at start, before anything is served): every window with a record above the mark is
//   recomputed from its raw records and saved as its next revision, then the mark moves up.
//
// A crash between a save and its mark only makes the next start recompute a few more windows.
import type { WindowAggregate } from '../../shared/events.ts';
import type { Store } from '../store/store.ts';

export interface CheckpointConfig {
  /** How often the clean mark is moved up, ms. */
  everyMs: number;
  /** Top quintuples kept per recomputed window. */
  topN: number;
}

export const defaultCheckpointConfig: CheckpointConfig = { everyMs: 5_000, topN: 10 };

type CheckpointStore = Pick<
  Store,
  | 'committedSeq'
  | 'markWindowsClean'
  | 'windowsToRebuild'
  | 'flush'
  | 'metrics'
  | 'loadWindows'
  | 'recomputeWindow'
  | 'saveWindow'
>;

export function createWindowCheckpoint(
  config: CheckpointConfig,
  deps: {
    store: CheckpointStore;
    /** Publishes every window changed since its last publication (the aggregator's flush). */
    publishPending: () => void;
    /** Resolves when the late-window recomputes scheduled so far were published. */
    lateIdle: () => Promise<void>;
    warn: (msg: string) => void;
  },
) {
  const { store } = deps;
  let marked = 0;
  let timer: ReturnType<typeof setInterval> | null = null;
  let running: Promise<void> = Promise.resolve();
  const m = { marks: 0, skipped: 0, rebuilt: 0, markedSeq: 0 };

  async function checkpoint(): Promise<void> {
    const through = store.committedSeq();
    if (through <= marked) return;
    const failedBefore = store.metrics().windowsFailed;
    deps.publishPending();
    await deps.lateIdle();
    await store.flush();
    if (store.metrics().windowsFailed !== failedBefore) {
      // An aggregate was not saved: the next start recomputes from the last good mark.
      m.skipped++;
      return;
    }
    await store.markWindowsClean(through);
    marked = through;
    m.marks++;
    m.markedSeq = through;
  }

  /** One checkpoint after those under way (they never overlap); errors are warned, not thrown. */
  function run(): Promise<void> {
    running = running.then(checkpoint).catch((err: unknown) => {
      m.skipped++;
      deps.warn(`window checkpoint: ${(err as Error).message}`);
    });
    return running;
  }

  return {
    /**
     * Recomputes from raw records every window whose records came after the last clean mark (or,
     * for a store never marked, every window from `fallbackFrom` on), and saves each as its next
     * revision; then marks the store clean. Returns the number of windows recomputed.
     */
    async rebuild(
      windowMsOf: (topicId: string) => number | null,
      fallbackFrom: number,
      now: number,
    ) {
      const plan = await store.windowsToRebuild(fallbackFrom);
      let n = 0;
      for (const [topicId, windowStart] of plan.windows) {
        const windowMs = windowMsOf(topicId);
        if (windowMs === null) continue; // a deleted topic: its rows go with it
        const [stored] = await store.loadWindows(topicId, windowStart, windowStart + windowMs);
        const base = await store.recomputeWindow(topicId, windowStart, windowMs, config.topN);
        const agg: WindowAggregate = {
          ...base,
          revision: (stored?.revision ?? 0) + 1,
          publishedAt: stored?.publishedAt ?? now,
        };
        store.saveWindow(agg);
        n++;
      }
      await store.flush();
      if (store.metrics().windowsFailed > 0)
        throw new Error('recomputed windows could not be saved; the store is not writable');
      await store.markWindowsClean(plan.seq);
      marked = plan.seq;
      m.rebuilt += n;
      m.markedSeq = plan.seq;
      return { windows: n, cleanSeq: plan.cleanSeq, seq: plan.seq };
    },
    start() {
      timer ??= setInterval(() => void run(), config.everyMs);
      timer.unref?.();
    },
    /** Stops the timer and moves the mark up once more (call after the sources stopped). */
    async stop() {
      if (timer !== null) clearInterval(timer);
      timer = null;
      await run();
    },
    /** Moves the mark up now (tests). */
    run,
    metrics: () => ({ ...m }),
  };
}

export type WindowCheckpoint = ReturnType<typeof createWindowCheckpoint>;
