// Traffic volume over time: ACCEPT and REJECT stacked, in bits/s or packets/s averaged over each
// bucket (bytes × 8 / step seconds). Live windows are 60 s buckets; history buckets are 1 min,
// 5 min or 1 h. Buckets still filling (streams yet to report) are drawn dashed and faded.
import type { Action } from '../../shared/record.ts';
import { formatBits, formatBytes, formatInteger, formatPercent, formatPps } from '../lib/format.ts';
import {
  nearestPoint,
  pointRate,
  rejectShare,
  type ActionKey,
  type ChartPoint,
  type Metric,
} from '../lib/series.ts';
import { MIN_WINDOW_MS } from '../../shared/capture-window.ts';
import {
  alertMarkArea,
  bucketGrid,
  bucketLegend,
  type AlertMark,
  bucketLabel,
  bucketXAxis,
  isLongSpan,
  pointAt,
  type BucketSpan,
} from './bucket-axis.ts';
import type { AppOption } from './option-types.ts';
import { palette, type ThemeName } from './palette.ts';
import { emptyNote, tooltipHeader, tooltipRow } from './tooltip.ts';

export type TrafficMetric = Metric;

/** The traffic chart's legend series, in its legend's order (the URL's `hide` takes these). */
export const TRAFFIC_LEGEND = ['ACCEPT', 'REJECT'] as const;

export interface TrafficOptions {
  theme: ThemeName;
  metric: TrafficMetric;
  /** Bucket length, ms: the topic's window for live windows (default: the shortest window). */
  step?: number;
  /** [from, to) the chart spans (history); default: the last hour up to the newest point. */
  span?: BucketSpan;
  /** Shown when there are no points. */
  emptyText?: string;
  /** Windows where an alert fired, shaded behind the traffic. */
  marks?: readonly AlertMark[];
  /** Legend names clicked off ('ACCEPT', 'REJECT'): not drawn; the value axis fits the rest. */
  hidden?: readonly string[];
}

export type { AlertMark };

/** Stable series ids: updates merge into these (the same set in live and history modes). */
export const TRAFFIC_SERIES = {
  accept: 'traffic-accept',
  reject: 'traffic-reject',
  acceptPending: 'traffic-accept-pending',
  rejectPending: 'traffic-reject-pending',
} as const;

/** Axis and tooltip label of a value in the chosen metric. */
export function formatTrafficValue(value: number, metric: TrafficMetric): string {
  return metric === 'bits' ? formatBits(value) : formatPps(value);
}

/** Why a bucket is dashed, for its tooltip. */
export function pendingNote(p: ChartPoint): string {
  if (p.streamsTotal !== undefined && p.streamsReported !== undefined) {
    return `${p.streamsReported} of ${p.streamsTotal} streams reported`;
  }
  return 'still filling: its newest windows are not complete';
}

/** What a click at data coordinates (x, y) of the traffic chart hits: a bucket and its band. */
export interface TrafficHit {
  point: ChartPoint;
  /** The band under the pointer; undefined above the stack (the whole bucket). */
  action?: Action;
}

/**
 * The bucket nearest x; REJECT is the bottom band of the stack, ACCEPT the one on top of it (a
 * band `hidden` by its legend is not in the stack). A REJECT band thinner than `tolerance` (y
 * units, a few pixels) still takes clicks that close to the axis, and so do clicks just under
 * the axis.
 */
export function trafficHit(
  points: readonly ChartPoint[],
  step: number,
  metric: TrafficMetric,
  x: number,
  y: number,
  tolerance = 0,
  hidden: readonly string[] = [],
): TrafficHit | null {
  const point = nearestPoint(points, x, step);
  if (!point || y < -tolerance) return null;
  const at = Math.max(0, y);
  const reject = hidden.includes('REJECT') ? 0 : pointRate(point, 'reject', metric, step);
  const accept = hidden.includes('ACCEPT') ? 0 : pointRate(point, 'accept', metric, step);
  if (reject > 0 && at <= Math.max(reject, tolerance)) return { point, action: 'REJECT' };
  if (accept > 0 && at <= reject + accept) return { point, action: 'ACCEPT' };
  return { point };
}

export function buildTrafficOption(points: readonly ChartPoint[], opts: TrafficOptions): AppOption {
  const p = palette(opts.theme);
  const { metric } = opts;
  const step = opts.step ?? MIN_WINDOW_MS;
  const span = opts.span ?? null;
  const byStart = new Map(points.map((w) => [w.t, w]));
  const long = isLongSpan(span);
  // Dashed trailing part: from the newest complete point (so the lines join) to the end.
  const firstPending = points.findIndex((w) => w.pending);
  const solid = firstPending < 0 ? points : points.slice(0, firstPending);
  const pending = firstPending < 0 ? [] : points.slice(Math.max(0, firstPending - 1));
  const value = (w: ChartPoint, a: ActionKey) => pointRate(w, a, metric, step);
  const hidden = opts.hidden ?? [];
  // A few points over a wide axis (a week of which only hours are stored) would be invisible lines.
  const symbols = points.length > 0 && points.length <= 24;

  const line = (action: ActionKey, part: 'solid' | 'pending') => {
    const shown = part === 'solid' ? solid : pending;
    const data = shown.map((w) => [w.t, value(w, action)]);
    // A stacked line is drawn at the stack's total: an all-zero band gets no line, so it cannot
    // be mistaken for traffic of its own (a REJECT-only topic shows no ACCEPT line on top).
    const any = points.some((w) => value(w, action) > 0);
    const color = action === 'accept' ? p.accept : p.reject;
    const dashed = part === 'pending';
    return {
      type: 'line' as const,
      id: dashed
        ? action === 'accept'
          ? TRAFFIC_SERIES.acceptPending
          : TRAFFIC_SERIES.rejectPending
        : TRAFFIC_SERIES[action],
      name: action === 'accept' ? 'ACCEPT' : 'REJECT',
      stack: dashed ? 'traffic-pending' : 'traffic',
      showSymbol: symbols,
      symbol: 'circle',
      symbolSize: 5,
      lineStyle: {
        width: any ? (action === 'accept' ? 1.5 : 1) : 0,
        color,
        type: dashed ? ('dashed' as const) : ('solid' as const),
        opacity: dashed ? 0.8 : 1,
      },
      itemStyle: { color },
      areaStyle: {
        color: action === 'accept' ? p.acceptFill : p.rejectFill,
        opacity: dashed ? 0.35 : 1,
      },
      emphasis: { disabled: true },
      data,
    };
  };
  return {
    aria: { enabled: true },
    animationDurationUpdate: 300,
    title: emptyNote(
      !points.some((w) => w.acceptBytes + w.rejectBytes > 0),
      opts.emptyText ?? 'No traffic in this range',
      p.textMuted,
    ),
    grid: bucketGrid(),
    legend: bucketLegend(TRAFFIC_LEGEND, hidden),
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'line' },
      formatter: (params: unknown) => {
        const w = pointAt(byStart, params);
        if (!w) return '';
        const total = w.acceptBytes + w.rejectBytes;
        return (
          tooltipHeader(bucketLabel(w.t, step, long)) +
          // A band clicked off in the legend is left out, as from the plot; the total stays.
          (hidden.includes('ACCEPT')
            ? ''
            : tooltipRow(p.accept, 'ACCEPT', formatTrafficValue(value(w, 'accept'), metric))) +
          (hidden.includes('REJECT')
            ? ''
            : tooltipRow(p.reject, 'REJECT', formatTrafficValue(value(w, 'reject'), metric))) +
          tooltipRow(
            null,
            'Total',
            formatTrafficValue(value(w, 'accept') + value(w, 'reject'), metric),
          ) +
          tooltipRow(null, 'REJECT share', formatPercent(rejectShare(w, 'bytes'))) +
          tooltipRow(
            null,
            metric === 'bits' ? 'Bytes' : 'Packets',
            metric === 'bits'
              ? formatBytes(total)
              : formatInteger(w.acceptPackets + w.rejectPackets),
          ) +
          (w.revision !== undefined ? tooltipRow(null, 'Revision', String(w.revision)) : '') +
          (w.pending ? tooltipRow(p.warn, 'Incomplete', pendingNote(w)) : '')
        );
      },
    },
    xAxis: bucketXAxis(points, step, span, 6),
    yAxis: {
      type: 'value',
      min: 0,
      splitNumber: 4,
      axisLabel: { formatter: (v: number) => formatTrafficValue(v, metric) },
    },
    // REJECT first: it is the bottom band of the stack, on the axis, so a small REJECT stays visible
    // and the top edge of the stack is the ACCEPT colour.
    series: [
      {
        ...line('reject', 'solid'),
        // Alert episodes, shaded (silent: a click still opens the bucket under it).
        markArea: alertMarkArea(opts.marks ?? [], p.rejectFill),
      },
      line('accept', 'solid'),
      line('reject', 'pending'),
      line('accept', 'pending'),
    ],
  };
}
