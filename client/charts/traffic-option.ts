// Traffic volume over time: ACCEPT and REJECT stacked, in bits/s (bytes × 8 / 60) or packets/s.
import type { WindowAggregate } from '../../shared/events.ts';
import {
  bytesToBps,
  formatBits,
  formatClock,
  formatPercent,
  formatPps,
  packetsToPps,
} from '../lib/format.ts';
import { HISTORY_MS, WINDOW_MS } from '../lib/windows.ts';
import type { AppOption } from './option-types.ts';
import { palette, type ThemeName } from './palette.ts';
import { tooltipHeader, tooltipRow } from './tooltip.ts';

export type TrafficMetric = 'bits' | 'packets';

export interface TrafficOptions {
  theme: ThemeName;
  metric: TrafficMetric;
}

/** Stable series ids: updates merge into these. */
export const TRAFFIC_SERIES = { accept: 'traffic-accept', reject: 'traffic-reject' } as const;

/** A window's ACCEPT or REJECT value in the chosen metric, per second. */
export function trafficValue(
  w: WindowAggregate,
  action: 'accept' | 'reject',
  metric: TrafficMetric,
): number {
  const t = w[action];
  return metric === 'bits' ? bytesToBps(t.bytes) : packetsToPps(t.packets);
}

/** Axis and tooltip label of a value in the chosen metric. */
export function formatTrafficValue(value: number, metric: TrafficMetric): string {
  return metric === 'bits' ? formatBits(value) : formatPps(value);
}

function axisValueOf(params: unknown): number | null {
  const first = Array.isArray(params) ? params[0] : params;
  const v = (first as { axisValue?: unknown; value?: unknown } | undefined)?.axisValue;
  return typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : null;
}

export function buildTrafficOption(
  windows: readonly WindowAggregate[],
  opts: TrafficOptions,
): AppOption {
  const p = palette(opts.theme);
  const { metric } = opts;
  const byStart = new Map(windows.map((w) => [w.windowStart, w]));
  const newest = windows.at(-1)?.windowStart;
  const line = (action: 'accept' | 'reject') => {
    const data = windows.map((w) => [w.windowStart, trafficValue(w, action, metric)]);
    // A stacked line is drawn at the stack's total: an all-zero band gets no line, so it cannot
    // be mistaken for traffic of its own (a REJECT-only topic shows no ACCEPT line on top).
    const any = data.some(([, v]) => (v ?? 0) > 0);
    return {
      type: 'line' as const,
      id: TRAFFIC_SERIES[action],
      name: action === 'accept' ? 'ACCEPT' : 'REJECT',
      stack: 'traffic',
      showSymbol: false,
      symbol: 'circle',
      symbolSize: 5,
      lineStyle: {
        width: any ? (action === 'accept' ? 1.5 : 1) : 0,
        color: action === 'accept' ? p.accept : p.reject,
      },
      itemStyle: { color: action === 'accept' ? p.accept : p.reject },
      areaStyle: { color: action === 'accept' ? p.acceptFill : p.rejectFill },
      emphasis: { disabled: true },
      data,
    };
  };
  return {
    aria: { enabled: true },
    animationDurationUpdate: 400,
    grid: {
      left: 8,
      right: 16,
      top: 34,
      bottom: 4,
      outerBoundsMode: 'same',
      outerBoundsContain: 'axisLabel',
    },
    legend: {
      top: 0,
      right: 8,
      itemWidth: 14,
      itemHeight: 8,
      icon: 'roundRect',
      data: ['ACCEPT', 'REJECT'],
    },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'line' },
      formatter: (params: unknown) => {
        const t = axisValueOf(params);
        const w = t === null ? undefined : byStart.get(t);
        if (!w) return '';
        const total = w.accept.bytes + w.reject.bytes;
        return (
          tooltipHeader(
            `${formatClock(w.windowStart)} – ${formatClock(w.windowStart + WINDOW_MS)}`,
          ) +
          tooltipRow(
            p.accept,
            'ACCEPT',
            formatTrafficValue(trafficValue(w, 'accept', metric), metric),
          ) +
          tooltipRow(
            p.reject,
            'REJECT',
            formatTrafficValue(trafficValue(w, 'reject', metric), metric),
          ) +
          tooltipRow(
            null,
            'Total',
            formatTrafficValue(
              trafficValue(w, 'accept', metric) + trafficValue(w, 'reject', metric),
              metric,
            ),
          ) +
          tooltipRow(null, 'REJECT share', formatPercent(total > 0 ? w.reject.bytes / total : 0)) +
          tooltipRow(null, 'Revision', String(w.revision))
        );
      },
    },
    xAxis: {
      type: 'time',
      ...(newest !== undefined ? { min: newest - HISTORY_MS + WINDOW_MS, max: newest } : {}),
      axisLabel: { formatter: '{HH}:{mm}', hideOverlap: true },
      splitNumber: 6,
    },
    yAxis: {
      type: 'value',
      min: 0,
      splitNumber: 4,
      axisLabel: { formatter: (v: number) => formatTrafficValue(v, metric) },
    },
    // REJECT first: it is the bottom band of the stack, on the axis, so a small REJECT stays visible
    // and the top edge of the stack is the ACCEPT colour.
    series: [line('reject'), line('accept')],
  };
}
