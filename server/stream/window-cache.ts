// The windows a front end serves snapshots from: each topic's recent windows, loaded from the
// store at start (and after a gap in the bus) and kept current by the bus. Only the newest revision
// of a window is kept, and only windows newer than `keepMs` before the clock: it is bounded by
// topics × windows in that span.
import type { WindowAggregate } from '../../shared/events.ts';
import type { Clock } from '../clock.ts';

export interface WindowCacheConfig {
  /** Windows older than this (ms before now) are let go. */
  keepMs: number;
}

export function createWindowCache(config: WindowCacheConfig, deps: { clock: Clock }) {
  const byTopic = new Map<string, Map<number, WindowAggregate>>();
  const oldest = () => deps.clock.now() - config.keepMs;

  function prune(windows: Map<number, WindowAggregate>): void {
    const limit = oldest();
    for (const start of windows.keys()) if (start < limit) windows.delete(start);
  }

  return {
    /** Keeps `agg` unless a newer revision of its window is held; true when it was kept. */
    put(agg: WindowAggregate): boolean {
      let windows = byTopic.get(agg.topicId);
      if (!windows) byTopic.set(agg.topicId, (windows = new Map()));
      const held = windows.get(agg.windowStart);
      if (held && held.revision >= agg.revision) return false;
      windows.set(agg.windowStart, agg);
      if (windows.size % 64 === 0) prune(windows);
      return true;
    },
    /** Replaces a topic's windows with those loaded from the store (newer ones held stay). */
    load(topicId: string, loaded: readonly WindowAggregate[]): void {
      const windows = new Map<number, WindowAggregate>();
      for (const w of loaded) windows.set(w.windowStart, w);
      for (const [start, w] of byTopic.get(topicId) ?? [])
        if ((windows.get(start)?.revision ?? -1) < w.revision) windows.set(start, w);
      prune(windows);
      byTopic.set(topicId, windows);
    },
    forget(topicId: string): void {
      byTopic.delete(topicId);
    },
    /** Windows of a topic in [from, to), oldest first. */
    windows(topicId: string, fromMs: number, toMs: number): WindowAggregate[] {
      const windows = byTopic.get(topicId);
      if (!windows) return [];
      const out: WindowAggregate[] = [];
      for (const w of windows.values())
        if (w.windowStart >= fromMs && w.windowStart < toMs) out.push(w);
      return out.sort((a, b) => a.windowStart - b.windowStart);
    },
    size(): number {
      let n = 0;
      for (const w of byTopic.values()) n += w.size;
      return n;
    },
  };
}

export type WindowCache = ReturnType<typeof createWindowCache>;
