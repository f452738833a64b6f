// Capture-window aggregation: folds flow records into per-topic capture windows (each topic at its
// own window length) and publishes each changed window as a new revision of its full aggregate
// through `onWindow`.
//
// Contract: a record is counted in exactly one window exactly once, or returned as skipped with a
// reason. A window's revision N holds everything folded before it, so a consumer that keeps, per
// (topicId, windowStart), the highest revision never counts a record twice nor misses one.
import { alignToWindow, MIN_WINDOW_MS, windowStartOf } from '../../shared/capture-window.ts';
import type { StreamStatus, WindowAggregate } from '../../shared/events.ts';
import type { FlowRecord } from '../../shared/record.ts';
import type { Clock } from '../clock.ts';
import { checkAggregatorConfig, type AggregatorConfig } from './config.ts';
import {
  createWindowState,
  foldTraffic,
  snapshotOf,
  streamStatusOf,
  type WindowState,
} from './window-state.ts';

export { AggregatorConfigError, defaultAggregatorConfig, type AggregatorConfig } from './config.ts';

/**
 * Why a record was not aggregated: no `start` to place it by; its window is older than the
 * horizon (the store takes it); it starts too far ahead of the clock; or it is an OK record
 * without an action (in neither ACCEPT nor REJECT totals, so in no part of any window).
 */
export type SkipReason = 'no-start' | 'beyond-horizon' | 'future' | 'no-action';

export interface SkippedRecord {
  /** Index of the record in the batch given to add(). */
  index: number;
  reason: SkipReason;
  record: FlowRecord;
}

export interface AddResult {
  /** Records folded into a window (traffic or log status). */
  aggregated: number;
  /** Records not aggregated, in batch order; empty in the usual case. The caller reports them. */
  skipped: SkippedRecord[];
}

export interface AggregatorMetrics {
  /** OK records folded into traffic totals. */
  recordsAggregated: number;
  /** NODATA and SKIPDATA records folded into stream status. */
  statusRecords: number;
  /** Records folded into a window that had already been published. */
  lateRecords: number;
  skipped: Record<SkipReason, number>;
  /** Publications, every revision included. */
  windowsPublished: number;
  /** Publications with revision > 1 (the window changed after its first publication). */
  republished: number;
  /** onWindow threw; the window still counts as published. */
  publishErrors: number;
  /** Records of complete quintuples left to topOther (tracker full or compacted). */
  topOverflowRecords: number;
  windowsEvicted: number;
  windowsCompacted: number;
  /** Gauges. */
  topics: number;
  windowsInMemory: number;
  trackedQuintuples: number;
}

export interface AggregatorDeps {
  clock: Clock;
  /** The window length (ms) a topic aggregates in; asked when a topic's window is first created. */
  windowMsOf: (topicId: string) => number;
  /** Receives each publication: a fresh, deeply frozen aggregate. Called synchronously in flush(). */
  onWindow: (agg: WindowAggregate) => void;
  /** Told when onWindow throws. */
  onError?: (err: unknown, agg: WindowAggregate) => void;
}

interface TopicState {
  /** The topic's window length, ms (fixed while the topic has windows in memory). */
  windowMs: number;
  windows: Map<number, WindowState>;
  /** Newest published window's latest revision. */
  latest: WindowAggregate | null;
}

export function createAggregator(config: AggregatorConfig, deps: AggregatorDeps) {
  const cfg = checkAggregatorConfig(config);
  const { clock, onWindow } = deps;
  const topics = new Map<string, TopicState>();
  const dirty = new Set<WindowState>();
  const unsettled = new Set<WindowState>();
  // Windows starting before this were evicted and are never created again, so a window's revisions
  // keep increasing even if the clock goes back.
  let evictedBefore = -Infinity;
  let timer: ReturnType<typeof setInterval> | null = null;
  let windowsInMemory = 0;
  let trackedQuintuples = 0;
  const m = {
    recordsAggregated: 0,
    statusRecords: 0,
    lateRecords: 0,
    skipped: { 'no-start': 0, 'beyond-horizon': 0, future: 0, 'no-action': 0 },
    windowsPublished: 0,
    republished: 0,
    publishErrors: 0,
    topOverflowRecords: 0,
    windowsEvicted: 0,
    windowsCompacted: 0,
  };

  function topicOf(topicId: string): TopicState {
    let t = topics.get(topicId);
    if (t === undefined) {
      t = { windowMs: deps.windowMsOf(topicId), windows: new Map(), latest: null };
      topics.set(topicId, t);
    }
    return t;
  }

  function windowOf(topicId: string, windowStart: number): WindowState {
    const topic = topicOf(topicId);
    let w = topic.windows.get(windowStart);
    if (w === undefined) {
      w = createWindowState(topicId, windowStart, topic.windowMs, cfg.topCapacity);
      topic.windows.set(windowStart, w);
      unsettled.add(w);
      windowsInMemory++;
    }
    return w;
  }

  /** Folds one batch of one log stream; records may span several windows. */
  function add(topicId: string, streamId: string, records: readonly FlowRecord[]): AddResult {
    const result: AddResult = { aggregated: 0, skipped: [] };
    const now = clock.now();
    const windowMs = topicOf(topicId).windowMs;
    // Windows starting before this are beyond the horizon (they end at or before now - horizon).
    const oldest = Math.max(alignToWindow(now - cfg.horizonMs, MIN_WINDOW_MS), evictedBefore);
    const latestStartSec = (now + cfg.futureToleranceMs) / 1000;
    // Batches are usually one window of one stream: keep the current window and stream status.
    let w: WindowState | null = null;
    let status!: StreamStatus; // set with w
    let admitted = 0;
    let overflow = 0;

    const skip = (index: number, reason: SkipReason, record: FlowRecord) => {
      m.skipped[reason]++;
      result.skipped.push({ index, reason, record });
    };

    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      if (r.start === null) {
        skip(i, 'no-start', r);
        continue;
      }
      if (r.start > latestStartSec) {
        skip(i, 'future', r);
        continue;
      }
      const windowStart = windowStartOf(r.start, windowMs);
      if (windowStart < oldest) {
        skip(i, 'beyond-horizon', r);
        continue;
      }
      const ls = r.logStatus;
      // logStatus null (a format without log-status) is read as OK.
      if ((ls === null || ls === 'OK') && r.action === null) {
        skip(i, 'no-action', r);
        continue;
      }
      if (w === null || w.windowStart !== windowStart) {
        w = windowOf(topicId, windowStart);
        status = streamStatusOf(w, streamId);
        if (!w.dirty) {
          w.dirty = true;
          dirty.add(w);
        }
      }
      if (w.published !== null) m.lateRecords++;
      result.aggregated++;
      if (ls === 'NODATA') {
        status.nodata++;
        m.statusRecords++;
      } else if (ls === 'SKIPDATA') {
        status.skipdata++;
        m.statusRecords++;
      } else {
        status.ok++;
        m.recordsAggregated++;
        const done = foldTraffic(w, r, r.action === 'REJECT');
        if (done === 'new') admitted++;
        else if (done === 'overflow') overflow++;
      }
    }
    trackedQuintuples += admitted;
    m.topOverflowRecords += overflow;
    return result;
  }

  function publish(w: WindowState, now: number): void {
    w.dirty = false;
    w.revision++;
    const agg = snapshotOf(w, w.revision, now, cfg.topN);
    w.published = agg;
    const topic = topicOf(w.topicId);
    if (topic.latest === null || topic.latest.windowStart <= w.windowStart) topic.latest = agg;
    m.windowsPublished++;
    if (w.revision > 1) m.republished++;
    try {
      onWindow(agg);
    } catch (err) {
      m.publishErrors++;
      deps.onError?.(err, agg);
    }
  }

  /** Compacts windows that have settled and evicts those beyond the horizon. */
  function sweep(now: number): void {
    for (const w of unsettled) {
      if (w.windowStart + w.windowMs + cfg.settleMs > now) continue;
      unsettled.delete(w);
      w.settled = true;
      // Trade-off: a late record for a quintuple compacted out now only counts in topOther.
      trackedQuintuples -= w.top.compact(cfg.topKeep);
      m.windowsCompacted++;
    }
    const oldest = alignToWindow(now - cfg.horizonMs, MIN_WINDOW_MS);
    if (oldest <= evictedBefore) return;
    evictedBefore = oldest;
    for (const [topicId, topic] of topics) {
      for (const [windowStart, w] of topic.windows) {
        if (windowStart >= oldest) continue;
        topic.windows.delete(windowStart);
        unsettled.delete(w);
        dirty.delete(w);
        trackedQuintuples -= w.top.size;
        windowsInMemory--;
        m.windowsEvicted++;
        if (topic.latest?.windowStart === windowStart) topic.latest = null;
      }
      if (topic.windows.size === 0) topics.delete(topicId);
    }
  }

  /**
   * Publishes every window changed since its last publication (oldest first), then compacts and
   * evicts. Returns the number of windows published.
   */
  function flush(): number {
    const now = clock.now();
    const pending = Array.from(dirty).sort(
      (a, b) =>
        a.windowStart - b.windowStart ||
        (a.topicId < b.topicId ? -1 : a.topicId > b.topicId ? 1 : 0),
    );
    // onWindow may call add(): what it folds is published by the next flush.
    dirty.clear();
    let i = 0;
    try {
      for (; i < pending.length; i++) publish(pending[i]!, now);
    } finally {
      // Only if onError threw: what was not published stays pending.
      for (let j = i + 1; j < pending.length; j++) {
        pending[j]!.dirty = true;
        dirty.add(pending[j]!);
      }
    }
    sweep(now);
    return pending.length;
  }

  /**
   * Takes back windows published before a restart (from the store), so snapshots have their history
   * and a late record updates them with the next revision. A window already in memory, or beyond
   * the horizon, is left alone. Restored top lists hold what was published (topN): quintuples
   * outside it count in topOther from then on, as after compaction.
   */
  function restore(aggs: readonly WindowAggregate[]): number {
    const now = clock.now();
    const oldest = Math.max(alignToWindow(now - cfg.horizonMs, MIN_WINDOW_MS), evictedBefore);
    let restored = 0;
    for (const agg of aggs) {
      const t = topicOf(agg.topicId);
      // A window of another length (the topic was recreated with another window) is not restored.
      if (agg.windowStart < oldest || t.windows.has(agg.windowStart) || agg.windowMs !== t.windowMs)
        continue;
      const w = windowOf(agg.topicId, agg.windowStart);
      unsettled.delete(w);
      w.settled = true;
      Object.assign(w.accept, agg.accept);
      Object.assign(w.reject, agg.reject);
      for (const p of agg.byProtocol) w.byProtocol.set(p.protocol, { ...p });
      for (const p of agg.regionPairs) w.regionPairs.set(`${p.src}\u0000${p.dst}`, { ...p });
      for (const st of agg.streams) w.streams.set(st.streamId, { ...st });
      w.top.restore(agg.top, agg.topOther.records === 0, agg.topTruncated);
      trackedQuintuples += w.top.size;
      w.revision = agg.revision;
      w.published = agg;
      const topic = topicOf(agg.topicId);
      if (topic.latest === null || topic.latest.windowStart <= agg.windowStart) topic.latest = agg;
      restored++;
    }
    return restored;
  }

  /** Drops every window of a topic (it was deleted); nothing of it is published any more. */
  function forget(topicId: string): void {
    const topic = topics.get(topicId);
    if (topic === undefined) return;
    for (const w of topic.windows.values()) {
      unsettled.delete(w);
      dirty.delete(w);
      trackedQuintuples -= w.top.size;
      windowsInMemory--;
    }
    topics.delete(topicId);
  }

  /** Published aggregates of `topicId` with windowStart in [fromMs, toMs), oldest first. */
  function windows(topicId: string, fromMs: number, toMs: number): WindowAggregate[] {
    const topic = topics.get(topicId);
    if (topic === undefined) return [];
    const out: WindowAggregate[] = [];
    for (const w of topic.windows.values()) {
      if (w.published !== null && w.windowStart >= fromMs && w.windowStart < toMs) {
        out.push(w.published);
      }
    }
    return out.sort((a, b) => a.windowStart - b.windowStart);
  }

  return {
    /** Runs flush() every flushIntervalMs (when > 0). */
    start(): void {
      if (timer !== null || cfg.flushIntervalMs <= 0) return;
      timer = setInterval(flush, cfg.flushIntervalMs);
      timer.unref?.();
    },
    /** Stops the timer and publishes what is pending, so nothing folded is left unpublished. */
    stop(): void {
      if (timer !== null) clearInterval(timer);
      timer = null;
      flush();
    },
    add,
    flush,
    restore,
    forget,
    windows,
    /** Newest published window of `topicId` (its latest revision), or null. */
    latest: (topicId: string): WindowAggregate | null => topics.get(topicId)?.latest ?? null,
    /** Topics with windows in memory. */
    topicIds: (): string[] => Array.from(topics.keys()),
    metrics: (): AggregatorMetrics => ({
      ...m,
      skipped: { ...m.skipped },
      topics: topics.size,
      windowsInMemory,
      trackedQuintuples,
    }),
  };
}

export type Aggregator = ReturnType<typeof createAggregator>;
