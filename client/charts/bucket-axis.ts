// The time axis of the bucket charts (traffic volume, REJECT share): its bounds, labels and grid,
// and the bucket an axis tooltip is about. Pure.
import { formatClock, formatHm } from '../lib/format.ts';
import type { ChartPoint } from '../lib/series.ts';
import { formatDayTime } from '../lib/time-range.ts';
import { MIN_WINDOW_MS } from '../../shared/capture-window.ts';
import { HISTORY_MS } from '../lib/windows.ts';

/** [from, to) a chart spans (history); null: the last hour up to the newest point (live). */
export type BucketSpan = { from: number; to: number } | null;

/** True when `span` is longer than a day: labels then carry the day. */
export function isLongSpan(span: BucketSpan): boolean {
  return span !== null && span.to - span.from > 24 * 3_600_000;
}

/** 'HH:MM – HH:MM' of a bucket, with the day when the chart spans more than a day. */
export function bucketLabel(t: number, step: number, long: boolean): string {
  if (step <= MIN_WINDOW_MS && !long) return `${formatClock(t)} – ${formatClock(t + step)}`;
  return `${long ? formatDayTime(t) : formatHm(t)} – ${formatHm(t + step)}`;
}

/** A time chart's legend: its names, and those `hidden` (clicked off in ChartLegend) unselected. */
export function bucketLegend(names: readonly string[], hidden: readonly string[] = []) {
  return {
    data: [...names],
    selected: Object.fromEntries(names.map((n) => [n, !hidden.includes(n)])),
  };
}

/** Room for the axis labels inside the chart (its legend is a row above it, ChartLegend). */
export function bucketGrid() {
  // Fixed room for the axis labels ('250 Mbps', '0.75%', 'HH:mm' under the plot): ECharts does not
  // measure them to fit the grid on every update (a third of a live update's chart time).
  return {
    left: 64,
    right: 16,
    top: 14,
    bottom: 22,
    outerBoundsMode: 'none' as const,
  };
}

/** The time axis over `span` (its last bucket starts at `span.to - step`), or the live hour. */
export function bucketXAxis(
  points: readonly ChartPoint[],
  step: number,
  span: BucketSpan,
  splitNumber: number,
) {
  const newest = points.at(-1)?.t;
  return {
    type: 'time' as const,
    ...(span
      ? { min: span.from, max: Math.max(span.from, span.to - step) }
      : newest !== undefined
        ? { min: newest - HISTORY_MS + step, max: newest }
        : {}),
    axisLabel: {
      formatter: isLongSpan(span)
        ? {
            year: '{yyyy}',
            month: '{MMM}',
            day: '{d} {MMM}',
            hour: '{HH}:{mm}',
            minute: '{HH}:{mm}',
          }
        : '{HH}:{mm}',
      hideOverlap: true,
    },
    splitNumber,
  };
}

/** The point an axis tooltip's `params` are about (`byStart`: the points by start), if any. */
export function pointAt(
  byStart: ReadonlyMap<number, ChartPoint>,
  params: unknown,
): ChartPoint | undefined {
  const first = Array.isArray(params) ? params[0] : params;
  const v = (first as { axisValue?: unknown } | undefined)?.axisValue;
  const t = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : null;
  return t === null ? undefined : byStart.get(t);
}

/** A span of windows where an alert fired ([from, to), the rule's name): shaded on time charts. */
export interface AlertMark {
  from: number;
  to: number;
  label: string;
}

/** The shading of alert episodes behind a time chart's first series (silent: clicks pass). */
export function alertMarkArea(marks: readonly AlertMark[], fill: string) {
  return {
    silent: true,
    itemStyle: { color: fill, opacity: 0.35 },
    label: { show: false },
    data: marks.map((m): [{ xAxis: number; name: string }, { xAxis: number }] => [
      { xAxis: m.from, name: m.label },
      { xAxis: m.to },
    ]),
  };
}
