// Action ratio: the newest window's ACCEPT / REJECT split as a donut, and REJECT share over time.
import type { WindowAggregate } from '../../shared/events.ts';
import { formatBytes, formatClock, formatPercent, formatPps, packetsToPps } from '../lib/format.ts';
import { HISTORY_MS, WINDOW_MS } from '../lib/windows.ts';
import type { AppOption } from './option-types.ts';
import { palette, type ThemeName } from './palette.ts';
import { tooltipHeader, tooltipRow } from './tooltip.ts';

export type RatioBasis = 'bytes' | 'packets';

export interface RatioShares {
  accept: number;
  reject: number;
  /** False when the window carried nothing (both shares are 0 then). */
  any: boolean;
}

/** ACCEPT and REJECT shares of a window by bytes or packets; they sum to 1 when there is traffic. */
export function ratioShares(w: WindowAggregate | undefined, basis: RatioBasis): RatioShares {
  if (!w) return { accept: 0, reject: 0, any: false };
  const a = w.accept[basis];
  const r = w.reject[basis];
  const total = a + r;
  if (total <= 0) return { accept: 0, reject: 0, any: false };
  return { accept: a / total, reject: r / total, any: true };
}

export const RATIO_SERIES = 'ratio-now';

export interface RatioOptions {
  theme: ThemeName;
  basis: RatioBasis;
}

/** Donut of the newest window. */
export function buildRatioOption(
  windows: readonly WindowAggregate[],
  opts: RatioOptions,
): AppOption {
  const p = palette(opts.theme);
  const w = windows.at(-1);
  const shares = ratioShares(w, opts.basis);
  return {
    aria: { enabled: true },
    animationDurationUpdate: 400,
    legend: {
      bottom: 0,
      left: 'center',
      itemWidth: 10,
      itemHeight: 10,
      icon: 'roundRect',
      data: ['ACCEPT', 'REJECT'],
      // Plain text (legend labels are drawn on the canvas).
      formatter: (name: string) =>
        shares.any
          ? `${name} ${formatPercent(name === 'ACCEPT' ? shares.accept : shares.reject)}`
          : name,
    },
    tooltip: {
      trigger: 'item',
      formatter: (params: unknown) => {
        const { name, dataIndex } = params as { name?: string; dataIndex?: number };
        if (!w) return '';
        const t = dataIndex === 0 ? w.accept : w.reject;
        return (
          tooltipHeader(`${name ?? ''} · ${formatClock(w.windowStart)}`) +
          tooltipRow(
            null,
            'Share',
            formatPercent(dataIndex === 0 ? shares.accept : shares.reject),
          ) +
          tooltipRow(null, 'Bytes', formatBytes(t.bytes)) +
          tooltipRow(null, 'Packets', String(t.packets)) +
          tooltipRow(null, 'Packets/s', formatPps(packetsToPps(t.packets))) +
          tooltipRow(null, 'Records', String(t.records))
        );
      },
    },
    series: [
      {
        type: 'pie',
        id: RATIO_SERIES,
        radius: ['58%', '80%'],
        center: ['50%', '45%'],
        avoidLabelOverlap: true,
        startAngle: 90,
        label: { show: false },
        labelLine: { show: false },
        itemStyle: { borderColor: p.panel, borderWidth: 2 },
        emphasis: { scale: true, scaleSize: 4 },
        data: shares.any
          ? [
              { name: 'ACCEPT', value: shares.accept, itemStyle: { color: p.accept } },
              {
                name: 'REJECT',
                value: shares.reject,
                itemStyle: { color: p.reject },
                // The REJECT share, written in the hole of the donut (canvas text, not HTML).
                label: {
                  show: true,
                  position: 'center',
                  formatter: `{v|${formatPercent(shares.reject)}}\n{k|REJECT}`,
                  rich: {
                    v: {
                      fontSize: 24,
                      fontWeight: 700,
                      color: shares.reject > 0 ? p.reject : p.text,
                      lineHeight: 30,
                    },
                    k: { fontSize: 11, color: p.textMuted, lineHeight: 16 },
                  },
                },
              },
            ]
          : [],
      },
    ],
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
}

/** REJECT share per window, by bytes and by packets, 0..1. */
export function buildRatioTimeOption(
  windows: readonly WindowAggregate[],
  opts: RatioTimeOptions,
): AppOption {
  const p = palette(opts.theme);
  const newest = windows.at(-1)?.windowStart;
  const byStart = new Map(windows.map((w) => [w.windowStart, w]));
  const maxShare = Math.max(
    0,
    ...windows.map((w) =>
      Math.max(ratioShares(w, 'bytes').reject, ratioShares(w, 'packets').reject),
    ),
  );
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
      data: ['by bytes', 'by packets'],
    },
    tooltip: {
      trigger: 'axis',
      formatter: (params: unknown) => {
        const first = (Array.isArray(params) ? params[0] : params) as { axisValue?: unknown };
        const w = byStart.get(Number(first?.axisValue));
        if (!w) return '';
        return (
          tooltipHeader(`REJECT share · ${formatClock(w.windowStart)}`) +
          tooltipRow(p.reject, 'by bytes', formatPercent(ratioShares(w, 'bytes').reject)) +
          tooltipRow(p.warn, 'by packets', formatPercent(ratioShares(w, 'packets').reject))
        );
      },
    },
    xAxis: {
      type: 'time',
      ...(newest !== undefined ? { min: newest - HISTORY_MS + WINDOW_MS, max: newest } : {}),
      axisLabel: { formatter: '{HH}:{mm}', hideOverlap: true },
      splitNumber: 4,
    },
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
        data: windows.map((w) => [w.windowStart, ratioShares(w, 'bytes').reject]),
      },
      {
        type: 'line',
        id: RATIO_TIME_SERIES.packets,
        name: 'by packets',
        showSymbol: false,
        lineStyle: { width: 1.5, color: p.warn, type: 'dashed' },
        itemStyle: { color: p.warn },
        emphasis: { disabled: true },
        data: windows.map((w) => [w.windowStart, ratioShares(w, 'packets').reject]),
      },
    ],
  };
}
