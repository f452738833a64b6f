// Action ratio: ACCEPT / REJECT split of an explicit range as a donut model (live: the newest
// complete window; history: the whole range), drawn by RatioDonut.svelte; and the REJECT share per
// bucket over time as an ECharts option.
import type { Totals } from '../../shared/events.ts';
import type { Action } from '../../shared/record.ts';
import { formatBytes, formatInteger, formatPercent } from '../lib/format.ts';
import { rejectShare, type ChartPoint } from '../lib/series.ts';
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

export type RatioBasis = 'bytes' | 'packets';

export interface RatioShares {
  accept: number;
  reject: number;
  /** False when the range carried nothing (both shares are 0 then). */
  any: boolean;
}

/** What the donut shows: ACCEPT and REJECT totals over [from, to), and that range in words. */
export interface RatioTotals {
  accept: Totals;
  reject: Totals;
  from: number;
  to: number;
  /** '14:05 window' or '21 Nov 13:00 – 14:00'. */
  label: string;
}

/** ACCEPT and REJECT shares by bytes or packets; they sum to 1 when there is traffic. */
export function ratioShares(
  t: { accept: Totals; reject: Totals } | null | undefined,
  basis: RatioBasis,
): RatioShares {
  if (!t) return { accept: 0, reject: 0, any: false };
  const a = t.accept[basis];
  const r = t.reject[basis];
  const total = a + r;
  if (total <= 0) return { accept: 0, reject: 0, any: false };
  return { accept: a / total, reject: r / total, any: true };
}

/** A donut slice: its share, and what drill-down needs (action, exact totals, the range). */
export interface RatioSliceDatum {
  name: Action;
  value: number;
  action: Action;
  bytes: number;
  packets: number;
  records: number;
  from: number;
  to: number;
}

/** One arc of the donut, in fractions of the circle from 12 o'clock, clockwise. */
export interface DonutArc {
  datum: RatioSliceDatum;
  start: number;
  sweep: number;
  /** Plain text: the slice's share and totals (a title, never HTML). */
  title: string;
}

export interface RatioDonut {
  arcs: DonutArc[];
  /** The REJECT share written in the hole ('' without traffic). */
  center: string;
  /** Legend entries: the action and its share ('' without traffic). */
  legend: Array<{ action: Action; share: string; datum: RatioSliceDatum | null }>;
  /** What the panel says instead of a donut, or null. */
  empty: string | null;
}

/** The smallest arc drawn for a non-zero share (a 0.01% REJECT must stay visible, clickable). */
export const MIN_SWEEP = 0.012;
/** The gap between two arcs, in fractions of the circle. */
export const ARC_GAP = 0.004;

/**
 * The ACCEPT / REJECT donut of `totals` (null: no data yet). ACCEPT starts at 12 o'clock; a tiny
 * share is widened to MIN_SWEEP at the other's expense, so no slice with traffic is invisible.
 */
export function ratioDonut(totals: RatioTotals | null, basis: RatioBasis): RatioDonut {
  const shares = ratioShares(totals, basis);
  if (!totals || !shares.any) {
    return {
      arcs: [],
      center: '',
      legend: (['ACCEPT', 'REJECT'] as const).map((action) => ({ action, share: '', datum: null })),
      empty: totals ? 'No traffic in this range' : 'Waiting for data…',
    };
  }
  const datum = (action: Action): RatioSliceDatum => {
    const t = action === 'ACCEPT' ? totals.accept : totals.reject;
    return {
      name: action,
      value: action === 'ACCEPT' ? shares.accept : shares.reject,
      action,
      bytes: t.bytes,
      packets: t.packets,
      records: t.records,
      from: totals.from,
      to: totals.to,
    };
  };
  const slices = [datum('ACCEPT'), datum('REJECT')].filter((d) => d.value > 0);
  const widen = (v: number) => Math.max(v, MIN_SWEEP);
  const scale = 1 / slices.reduce((n, d) => n + widen(d.value), 0);
  const gap = slices.length > 1 ? ARC_GAP : 0;
  let at = 0;
  const arcs = slices.map((d) => {
    const sweep = widen(d.value) * scale;
    const arc: DonutArc = {
      datum: d,
      start: at + gap / 2,
      sweep: Math.max(0, sweep - gap),
      title:
        `${d.action} · ${totals.label}\n` +
        `Share ${formatPercent(d.value)}\n` +
        `Bytes ${formatBytes(d.bytes)}\n` +
        `Packets ${formatInteger(d.packets)}\n` +
        `Records ${formatInteger(d.records)}`,
    };
    at += sweep;
    return arc;
  });
  return {
    arcs,
    center: formatPercent(shares.reject),
    legend: (['ACCEPT', 'REJECT'] as const).map((action) => {
      const d = datum(action);
      return { action, share: formatPercent(d.value), datum: d.value > 0 ? d : null };
    }),
    empty: null,
  };
}

const SHARE_STEPS: ReadonlyArray<[max: number, interval: number]> = [
  [0.01, 0.0025],
  [0.02, 0.005],
  [0.05, 0.01],
  [0.1, 0.025],
  [0.2, 0.05],
  [0.5, 0.1],
  [1, 0.25],
];

/** Y-axis bounds of a share chart: the smallest round maximum above 1.2 × the largest share. */
export function shareAxis(maxShare: number): { max: number; interval: number } {
  const [max, interval] = SHARE_STEPS.find(([m]) => m >= maxShare * 1.2) ?? [1, 0.25];
  return { max, interval };
}

export const RATIO_TIME_SERIES = {
  bytes: 'reject-share-bytes',
  packets: 'reject-share-packets',
} as const;

export interface RatioTimeOptions {
  theme: ThemeName;
  /** Bucket length, ms: the topic's window for live windows (default: the shortest window). */
  step?: number;
  /** [from, to) the chart spans (history); default: the last hour up to the newest point. */
  span?: BucketSpan;
  /** Windows where an alert fired, shaded. */
  marks?: readonly AlertMark[];
  /** Legend names clicked off ('by bytes', 'by packets'): not drawn; the axis fits the rest. */
  hidden?: readonly string[];
}

/** The REJECT share chart's legend series, in its legend's order (the URL's `hide` takes these). */
export const SHARE_LEGEND = ['by bytes', 'by packets'] as const;

/** REJECT share per bucket, by bytes and by packets, 0..1. */
export function buildRatioTimeOption(
  points: readonly ChartPoint[],
  opts: RatioTimeOptions,
): AppOption {
  const p = palette(opts.theme);
  const step = opts.step ?? MIN_WINDOW_MS;
  const span = opts.span ?? null;
  const long = isLongSpan(span);
  const byStart = new Map(points.map((w) => [w.t, w]));
  const hidden = opts.hidden ?? [];
  const shown = (['bytes', 'packets'] as const).filter((b) => !hidden.includes(`by ${b}`));
  const maxShare = Math.max(0, ...points.flatMap((w) => shown.map((b) => rejectShare(w, b))));
  return {
    aria: { enabled: true },
    animationDurationUpdate: 300,
    title: emptyNote(
      !points.some((w) => w.acceptBytes + w.rejectBytes > 0),
      'No traffic in this range',
      p.textMuted,
    ),
    grid: bucketGrid(),
    legend: bucketLegend(SHARE_LEGEND, hidden),
    tooltip: {
      trigger: 'axis',
      formatter: (params: unknown) => {
        const w = pointAt(byStart, params);
        if (!w) return '';
        return (
          tooltipHeader(`REJECT share · ${bucketLabel(w.t, step, long)}`) +
          // A series clicked off in the legend is left out, as from the plot.
          (shown.includes('bytes')
            ? tooltipRow(p.reject, 'by bytes', formatPercent(rejectShare(w, 'bytes')))
            : '') +
          (shown.includes('packets')
            ? tooltipRow(p.warn, 'by packets', formatPercent(rejectShare(w, 'packets')))
            : '') +
          tooltipRow(null, 'REJECT bytes', formatBytes(w.rejectBytes))
        );
      },
    },
    xAxis: bucketXAxis(points, step, span, 4),
    yAxis: {
      type: 'value',
      min: 0,
      // Small shares stay readable: the axis ends at a round share above the largest one.
      ...shareAxis(maxShare),
      axisLabel: { formatter: (v: number) => formatPercent(v) },
    },
    series: [
      {
        type: 'line',
        id: RATIO_TIME_SERIES.bytes,
        name: 'by bytes',
        showSymbol: false,
        lineStyle: { width: 2, color: p.reject },
        itemStyle: { color: p.reject },
        areaStyle: { color: p.rejectFill, opacity: 0.5 },
        emphasis: { disabled: true },
        markArea: alertMarkArea(opts.marks ?? [], p.rejectFill),
        data: points.map((w) => [w.t, rejectShare(w, 'bytes')]),
      },
      {
        type: 'line',
        id: RATIO_TIME_SERIES.packets,
        name: 'by packets',
        showSymbol: false,
        lineStyle: { width: 1.5, color: p.warn, type: 'dashed' },
        itemStyle: { color: p.warn },
        emphasis: { disabled: true },
        data: points.map((w) => [w.t, rejectShare(w, 'packets')]),
      },
    ],
  };
}
