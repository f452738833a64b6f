// Lines taken in per minute by a topic, stacked by result: accepted, filtered, rejected. Pure.
import type { IngestMinute } from '../../shared/api.ts';
import { formatCount, formatHm } from '../lib/format.ts';
import type { AppOption } from './option-types.ts';
import { palette, type ThemeName } from './palette.ts';
import { tooltipHeader, tooltipRow } from './tooltip.ts';

export const INGEST_IDS = {
  accepted: 'ingest-accepted',
  filtered: 'ingest-filtered',
  rejected: 'ingest-rejected',
} as const;

export function buildIngestOption(
  minutes: readonly IngestMinute[],
  opts: { theme: ThemeName },
): AppOption {
  const p = palette(opts.theme);
  const byT = new Map(minutes.map((m) => [m.t, m]));
  const series = (id: string, name: string, color: string, value: (m: IngestMinute) => number) => ({
    type: 'bar' as const,
    id,
    name,
    stack: 'lines',
    barMaxWidth: 14,
    itemStyle: { color },
    emphasis: { disabled: true },
    data: minutes.map((m) => [m.t, value(m)]),
  });
  return {
    aria: { enabled: true },
    animation: false,
    grid: {
      left: 8,
      right: 16,
      top: 34,
      bottom: 4,
      outerBoundsMode: 'same',
      outerBoundsContain: 'axisLabel',
    },
    legend: { top: 0, right: 8, itemWidth: 10, itemHeight: 10, textStyle: { color: p.textMuted } },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      formatter: (params: unknown) => {
        const first = (Array.isArray(params) ? params[0] : params) as
          { axisValue?: number } | undefined;
        const m = first?.axisValue !== undefined ? byT.get(Number(first.axisValue)) : undefined;
        if (!m) return '';
        return (
          tooltipHeader(`${formatHm(m.t)} – ${formatHm(m.t + 60_000)}`) +
          tooltipRow(p.accept, 'Accepted', formatCount(m.accepted)) +
          tooltipRow(p.textMuted, 'Filtered', formatCount(m.filtered)) +
          tooltipRow(p.reject, 'Rejected', formatCount(m.rejected))
        );
      },
    },
    xAxis: { type: 'time', axisLabel: { formatter: '{HH}:{mm}', hideOverlap: true } },
    yAxis: {
      type: 'value',
      min: 0,
      axisLabel: { formatter: (v: number) => formatCount(v) },
    },
    series: [
      series(INGEST_IDS.accepted, 'Accepted', p.accept, (m) => m.accepted),
      series(INGEST_IDS.filtered, 'Filtered', p.textMuted, (m) => m.filtered),
      series(INGEST_IDS.rejected, 'Rejected', p.reject, (m) => m.rejected),
    ],
  };
}
