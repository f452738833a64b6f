// The time charts' points: one per step bucket, from live windows (a 60 s bucket per window) or
// from the history API's series. Rates are per second over the whole bucket: bytes × 8 / step s.
import type { SeriesPoint } from '../../shared/api.ts';
import type { WindowAggregate } from '../../shared/events.ts';
import { streamsReported } from './completeness.ts';

/** A bucket of a time chart. `t` is its start; it covers [t, t + step). */
export interface ChartPoint extends SeriesPoint {
  /** Live windows: the revision shown. */
  revision?: number;
  /** Still filling (streams yet to report, or the bucket reaches past the newest complete window). */
  pending: boolean;
  /** Live windows: streams that reported, of `streamsTotal`. */
  streamsReported?: number;
  streamsTotal?: number;
  /**
   * History buckets cut by the range's ends: the part of the step the range covers, ms. Its rate
   * is its bytes over this time (a bucket still filling is not read as a drop).
   */
  coveredMs?: number;
}

export type Metric = 'bits' | 'packets';
export type ActionKey = 'accept' | 'reject';

/** Live windows as 60 s points; windows starting at or after `completeUntil` are pending. */
export function pointsFromWindows(
  windows: readonly WindowAggregate[],
  completeUntil: number | null,
  streamIds?: readonly string[],
): ChartPoint[] {
  return windows.map((w) => ({
    t: w.windowStart,
    acceptBytes: w.accept.bytes,
    acceptPackets: w.accept.packets,
    acceptRecords: w.accept.records,
    rejectBytes: w.reject.bytes,
    rejectPackets: w.reject.packets,
    rejectRecords: w.reject.records,
    windows: 1,
    revision: w.revision,
    pending: completeUntil === null ? false : w.windowStart >= completeUntil,
    ...(streamIds
      ? { streamsReported: streamsReported(w, streamIds), streamsTotal: streamIds.length }
      : {}),
  }));
}

/** History buckets; a bucket reaching past `completeUntil` (still filling) is pending. */
export function pointsFromSeries(
  series: readonly SeriesPoint[],
  step: number,
  completeUntil: number | null,
  span?: { from: number; to: number },
): ChartPoint[] {
  const points = series.map((p): ChartPoint => {
    const point: ChartPoint = {
      ...p,
      pending: completeUntil !== null && p.t + step > completeUntil,
    };
    const covered = span ? coveredMs(p.t, step, span) : step;
    if (covered < step) point.coveredMs = covered;
    return point;
  });
  return fillGaps(points, step);
}

/** The part of bucket [t, t + step) inside [from, to), ms (at least 1). */
export function coveredMs(t: number, step: number, span: { from: number; to: number }): number {
  return Math.max(1, Math.min(t + step, span.to) - Math.max(t, span.from));
}

export const bytesOf = (p: SeriesPoint, a: ActionKey): number =>
  a === 'accept' ? p.acceptBytes : p.rejectBytes;
export const packetsOf = (p: SeriesPoint, a: ActionKey): number =>
  a === 'accept' ? p.acceptPackets : p.rejectPackets;

/** Per-second rate of a bucket's bytes (as bits) or packets over a step of `stepMs`. */
export function rate(value: number, metric: Metric, stepMs: number): number {
  const seconds = stepMs / 1000;
  return metric === 'bits' ? (value * 8) / seconds : value / seconds;
}

/** The ACCEPT or REJECT rate of a bucket in the metric, over the time it covers. */
export function pointRate(
  p: SeriesPoint & { coveredMs?: number },
  a: ActionKey,
  metric: Metric,
  stepMs: number,
): number {
  return rate(metric === 'bits' ? bytesOf(p, a) : packetsOf(p, a), metric, p.coveredMs ?? stepMs);
}

/** REJECTed share of a bucket's bytes or packets, 0..1 (0 when it carried nothing). */
export function rejectShare(p: SeriesPoint, basis: 'bytes' | 'packets'): number {
  const a = basis === 'bytes' ? p.acceptBytes : p.acceptPackets;
  const r = basis === 'bytes' ? p.rejectBytes : p.rejectPackets;
  return a + r > 0 ? r / (a + r) : 0;
}

/** The bucket drawn nearest to x (points sit at their start), within one step; null if none. */
export function nearestPoint(
  points: readonly ChartPoint[],
  x: number,
  stepMs: number,
): ChartPoint | null {
  let best: ChartPoint | null = null;
  let bestD = Infinity;
  for (const p of points) {
    const d = Math.abs(p.t - x);
    if (d < bestD) {
      best = p;
      bestD = d;
    }
  }
  return best && bestD <= stepMs ? best : null;
}

/** `points` (sorted) with a zero point in every missing bucket between the first and the last. */
export function fillGaps(points: readonly ChartPoint[], stepMs: number): ChartPoint[] {
  const out: ChartPoint[] = [];
  for (const p of points) {
    const prev = out.at(-1);
    if (prev) {
      // Bounded: a gap never adds more points than the series could hold at this step.
      for (let t = prev.t + stepMs, n = 0; t < p.t && n < 10_000; t += stepMs, n++) {
        out.push({ ...EMPTY, t, pending: prev.pending && p.pending });
      }
    }
    out.push(p);
  }
  return out;
}

const EMPTY: Omit<ChartPoint, 't' | 'pending'> = {
  acceptBytes: 0,
  acceptPackets: 0,
  acceptRecords: 0,
  rejectBytes: 0,
  rejectPackets: 0,
  rejectRecords: 0,
  windows: 0,
};
