// Figures the dashboard computes from its windows: KPIs, stream health, publication delay. Pure.
import { coveredMs } from './series.ts';
import type { SeriesPoint } from '../../shared/api.ts';
import type { Totals, WindowAggregate } from '../../shared/events.ts';
import { bytesToBps, packetsToPps } from './format.ts';

export interface Kpis {
  windowStart: number;
  windowMs: number;
  revision: number;
  bitsPerSecond: number;
  packetsPerSecond: number;
  /** REJECTed share of bytes, 0..1. */
  rejectShare: number;
  /** Records per minute in the window. */
  recordsPerMinute: number;
  /** The same figures of the window before, when there is one, for trends. */
  previous: {
    bitsPerSecond: number;
    packetsPerSecond: number;
    rejectShare: number;
    recordsPerMinute: number;
  } | null;
}

const totalBytes = (w: WindowAggregate) => w.accept.bytes + w.reject.bytes;
const totalPackets = (w: WindowAggregate) => w.accept.packets + w.reject.packets;

/** REJECTed share of a window's bytes, 0 when the window carried nothing. */
export function rejectShareOf(w: WindowAggregate): number {
  const total = totalBytes(w);
  return total > 0 ? w.reject.bytes / total : 0;
}

function figures(w: WindowAggregate) {
  return {
    bitsPerSecond: bytesToBps(totalBytes(w), w.windowMs),
    packetsPerSecond: packetsToPps(totalPackets(w), w.windowMs),
    rejectShare: rejectShareOf(w),
    recordsPerMinute: ((w.accept.records + w.reject.records) * 60_000) / w.windowMs,
  };
}

/** The KPIs of the newest window, or null before any window. */
export function computeKpis(windows: readonly WindowAggregate[]): Kpis | null {
  const latest = windows.at(-1);
  if (!latest) return null;
  const before = windows.at(-2);
  const previous =
    before && before.windowStart === latest.windowStart - latest.windowMs ? figures(before) : null;
  return {
    windowStart: latest.windowStart,
    windowMs: latest.windowMs,
    revision: latest.revision,
    ...figures(latest),
    previous,
  };
}

export interface StreamHealth {
  /** Distinct streams that wrote records in the windows. */
  active: number;
  /** Records per log-status, summed over the windows. */
  ok: number;
  nodata: number;
  skipdata: number;
  /** Streams with at least one NODATA / SKIPDATA record. */
  nodataStreams: number;
  skipdataStreams: number;
}

export function streamHealth(windows: readonly WindowAggregate[]): StreamHealth {
  const seen = new Set<string>();
  const nodataStreams = new Set<string>();
  const skipdataStreams = new Set<string>();
  let ok = 0;
  let nodata = 0;
  let skipdata = 0;
  for (const w of windows) {
    for (const s of w.streams) {
      seen.add(s.streamId);
      ok += s.ok;
      nodata += s.nodata;
      skipdata += s.skipdata;
      if (s.nodata > 0) nodataStreams.add(s.streamId);
      if (s.skipdata > 0) skipdataStreams.add(s.streamId);
    }
  }
  return {
    active: seen.size,
    ok,
    nodata,
    skipdata,
    nodataStreams: nodataStreams.size,
    skipdataStreams: skipdataStreams.size,
  };
}

/** Longest usual delay we accept from the data: beyond it the estimate is not trusted. */
const MAX_DELAY_MS = 10 * 60_000;

/**
 * The topic's usual publication delay: median of (publishedAt - window end) over the windows, in
 * server milliseconds, clamped to 0..10 min. Late revisions push it up a little, which is harmless.
 */
export function usualDelay(windows: readonly WindowAggregate[]): number {
  if (windows.length === 0) return 0;
  const delays = windows
    .map((w) => w.publishedAt - (w.windowStart + w.windowMs))
    .sort((a, b) => a - b);
  const median = delays[Math.floor(delays.length / 2)] ?? 0;
  return Math.min(MAX_DELAY_MS, Math.max(0, median));
}

/**
 * A log stream's state from the newest window: writing records, writing only NODATA/SKIPDATA,
 * absent, or waiting (a new flow log's first records are not due yet).
 */
export type StreamState = 'ok' | 'nodata' | 'skipdata' | 'silent' | 'waiting';

export interface StreamRow {
  id: string;
  name: string;
  state: StreamState;
  /** Records per log-status over the windows. */
  ok: number;
  nodata: number;
  skipdata: number;
  /** Start of the newest window the stream wrote to, or null. */
  lastSeen: number | null;
  /** A flow log of the topic collects it; false: records of a resource no flow log collects. */
  claimed: boolean;
  /** Its flow log collects (false: collection switched off). */
  enabled: boolean;
  /** When a waiting stream's first records are due (epoch ms), else null. */
  expectedBy: number | null;
}

const STATE_ORDER: Record<StreamState, number> = {
  skipdata: 0,
  nodata: 1,
  silent: 2,
  waiting: 3,
  ok: 4,
};

/**
 * One row per configured stream (plus any unknown stream the windows name), problems first:
 * SKIPDATA, NODATA, silent, then OK; by name within a state.
 */
export function streamRows(
  streams: ReadonlyArray<{
    id: string;
    name: string;
    enabled?: boolean;
    /** Its flow log is new and its first records are due then: it waits, it is not silent. */
    expectedBy?: number | null;
  }>,
  windows: readonly WindowAggregate[],
  /** Streams of flow logs not listed in `streams` (a CCN instance's other regions). */
  claims: (streamId: string) => boolean = () => false,
): StreamRow[] {
  const rows = new Map<string, StreamRow>();
  for (const s of streams) {
    const expectedBy = s.expectedBy ?? null;
    rows.set(s.id, {
      id: s.id,
      name: s.name,
      state: expectedBy !== null ? 'waiting' : 'silent',
      ok: 0,
      nodata: 0,
      skipdata: 0,
      lastSeen: null,
      claimed: true,
      enabled: s.enabled ?? true,
      expectedBy,
    });
  }
  for (const w of windows) {
    for (const st of w.streams) {
      let row = rows.get(st.streamId);
      if (!row) {
        row = {
          id: st.streamId,
          name: st.streamId,
          state: 'silent',
          ok: 0,
          nodata: 0,
          skipdata: 0,
          lastSeen: null,
          claimed: claims(st.streamId),
          enabled: true,
          expectedBy: null,
        };
        rows.set(st.streamId, row);
      }
      row.ok += st.ok;
      row.nodata += st.nodata;
      row.skipdata += st.skipdata;
      if (row.lastSeen === null || w.windowStart > row.lastSeen) row.lastSeen = w.windowStart;
      // Records came: no longer waiting (the newest window says what it is now).
      row.expectedBy = null;
      if (row.state === 'waiting') row.state = 'silent';
    }
  }
  const latest = windows.at(-1);
  for (const st of latest?.streams ?? []) {
    const row = rows.get(st.streamId);
    if (!row) continue;
    row.state =
      st.skipdata > 0 ? 'skipdata' : st.ok > 0 ? 'ok' : st.nodata > 0 ? 'nodata' : 'silent';
  }
  return [...rows.values()].sort(
    (a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state] || a.name.localeCompare(b.name),
  );
}

export interface RangeKpis {
  /** Averages over the time the range covers (bytes over seconds, as every rate). */
  bitsPerSecond: number;
  packetsPerSecond: number;
  rejectShare: number;
  records: number;
  /** Capture windows in the range with traffic. */
  windows: number;
  /** Highest bucket bit rate (each bucket over the time it covers), and its bucket start. */
  peakBitsPerSecond: number;
  peakAt: number | null;
}

/**
 * Headline figures of a history range: its totals and series, the step, the window length (ms),
 * and the span [from, to) the data covers. The average is the bytes over the span's time and each
 * bucket's rate its bytes over the part of the span it covers, so the peak is never below the
 * average (a weighted mean of the buckets' rates is at most their maximum).
 */
export function rangeKpis(
  totals: { accept: Totals; reject: Totals },
  series: readonly SeriesPoint[],
  step: number,
  _windowMs: number,
  span: { from: number; to: number },
): RangeKpis {
  const windows = series.reduce((n, p) => n + p.windows, 0);
  const seconds = Math.max(0, span.to - span.from) / 1000;
  const bytes = totals.accept.bytes + totals.reject.bytes;
  const packets = totals.accept.packets + totals.reject.packets;
  let peak = 0;
  let peakAt: number | null = null;
  for (const p of series) {
    const bps = ((p.acceptBytes + p.rejectBytes) * 8) / (coveredMs(p.t, step, span) / 1000);
    if (bps > peak) {
      peak = bps;
      peakAt = p.t;
    }
  }
  return {
    bitsPerSecond: seconds > 0 ? (bytes * 8) / seconds : 0,
    packetsPerSecond: seconds > 0 ? packets / seconds : 0,
    rejectShare: bytes > 0 ? totals.reject.bytes / bytes : 0,
    records: totals.accept.records + totals.reject.records,
    windows,
    peakBitsPerSecond: peak,
    peakAt,
  };
}
