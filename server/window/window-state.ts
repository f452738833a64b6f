// The running state of one topic's capture window, and the immutable aggregate published from it.
import type {
  ProtocolTotals,
  RegionPairTotals,
  StreamStatus,
  Totals,
  WindowAggregate,
} from '../../shared/events.ts';
import type { FlowRecord } from '../../shared/record.ts';
import { createTopTracker, type TopAdd, type TopTracker } from './top.ts';

export interface WindowState {
  readonly topicId: string;
  /** Epoch ms, a multiple of windowMs. */
  readonly windowStart: number;
  /** The topic's window length, ms. */
  readonly windowMs: number;
  readonly accept: Totals;
  readonly reject: Totals;
  readonly byProtocol: Map<number, ProtocolTotals>;
  readonly top: TopTracker;
  /** Keyed by `src` NUL `dst`. */
  readonly regionPairs: Map<string, RegionPairTotals>;
  readonly streams: Map<string, StreamStatus>;
  /** Revision of `published`; 0 before the first publication. */
  revision: number;
  /** The latest published aggregate (frozen), or null before the first publication. */
  published: WindowAggregate | null;
  /** Changed since the last publication. */
  dirty: boolean;
  /** The quintuple tracker was compacted (the window is settled). */
  settled: boolean;
}

export function createWindowState(
  topicId: string,
  windowStart: number,
  windowMs: number,
  topCapacity: number,
): WindowState {
  return {
    topicId,
    windowStart,
    windowMs,
    accept: { bytes: 0, packets: 0, records: 0 },
    reject: { bytes: 0, packets: 0, records: 0 },
    byProtocol: new Map(),
    top: createTopTracker(topCapacity),
    regionPairs: new Map(),
    streams: new Map(),
    revision: 0,
    published: null,
    dirty: false,
    settled: false,
  };
}

export function streamStatusOf(w: WindowState, streamId: string): StreamStatus {
  let s = w.streams.get(streamId);
  if (s === undefined) {
    s = { streamId, ok: 0, nodata: 0, skipdata: 0 };
    w.streams.set(streamId, s);
  }
  return s;
}

/**
 * Folds one OK record with a known action into the window's traffic (null bytes/packets count as 0).
 * Returns what the quintuple tracker did. The caller counts the record in its stream status.
 */
export function foldTraffic(w: WindowState, r: FlowRecord, reject: boolean): TopAdd {
  const bytes = r.bytes ?? 0;
  const packets = r.packets ?? 0;
  const t = reject ? w.reject : w.accept;
  t.bytes += bytes;
  t.packets += packets;
  t.records++;

  // A record without a protocol (custom formats) is in the totals but in no byProtocol entry.
  if (r.protocol !== null) {
    let p = w.byProtocol.get(r.protocol);
    if (p === undefined) {
      p = { protocol: r.protocol, bytes: 0, packets: 0, records: 0 };
      w.byProtocol.set(r.protocol, p);
    }
    p.bytes += bytes;
    p.packets += packets;
    p.records++;
  }

  if (r.srcRegion !== null && r.dstRegion !== null) {
    const key = `${r.srcRegion}\u0000${r.dstRegion}`;
    let rp = w.regionPairs.get(key);
    if (rp === undefined) {
      rp = {
        src: r.srcRegion,
        dst: r.dstRegion,
        acceptBytes: 0,
        acceptPackets: 0,
        rejectBytes: 0,
        rejectPackets: 0,
        records: 0,
      };
      w.regionPairs.set(key, rp);
    }
    if (reject) {
      rp.rejectBytes += bytes;
      rp.rejectPackets += packets;
    } else {
      rp.acceptBytes += bytes;
      rp.acceptPackets += packets;
    }
    rp.records++;
  }

  return w.top.add(r, bytes, packets, reject);
}

function deepFreeze<T>(o: T): T {
  if (o !== null && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/**
 * The full state of the window as a fresh, deeply frozen plain object (shares nothing mutable with
 * the aggregator). `topOther` is the totals minus `top`, so top + topOther always equals the totals.
 */
export function snapshotOf(
  w: WindowState,
  revision: number,
  publishedAt: number,
  topN: number,
): WindowAggregate {
  const top = w.top.top(topN);
  const topOther: Totals = {
    bytes: w.accept.bytes + w.reject.bytes,
    packets: w.accept.packets + w.reject.packets,
    records: w.accept.records + w.reject.records,
  };
  for (const q of top) {
    topOther.bytes -= q.bytes;
    topOther.packets -= q.packets;
    topOther.records -= q.records;
  }
  const byProtocol = Array.from(w.byProtocol.values(), (p) => ({ ...p })).sort(
    (a, b) => b.bytes - a.bytes || a.protocol - b.protocol,
  );
  const regionPairs = Array.from(w.regionPairs.values(), (p) => ({ ...p })).sort(
    (a, b) =>
      b.acceptBytes + b.rejectBytes - (a.acceptBytes + a.rejectBytes) ||
      (a.src < b.src ? -1 : a.src > b.src ? 1 : 0) ||
      (a.dst < b.dst ? -1 : a.dst > b.dst ? 1 : 0),
  );
  const streams = Array.from(w.streams.values(), (s) => ({ ...s })).sort((a, b) =>
    a.streamId < b.streamId ? -1 : a.streamId > b.streamId ? 1 : 0,
  );
  return deepFreeze({
    topicId: w.topicId,
    windowStart: w.windowStart,
    windowMs: w.windowMs,
    revision,
    publishedAt,
    accept: { ...w.accept },
    reject: { ...w.reject },
    byProtocol,
    top,
    topOther,
    topTruncated: w.top.truncated,
    regionPairs,
    streams,
  });
}
