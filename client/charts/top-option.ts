// Top quintuples by bytes: horizontal bars, largest on top, the REJECTed part of each bar distinct.
import { formatBytes, formatEndpoint, formatInteger, formatPercent } from '../lib/format.ts';
import type { TopRow } from '../lib/top.ts';
import type { AppOption } from './option-types.ts';
import { palette, type ThemeName } from './palette.ts';
import { emptyNote, rowAt, tooltipHeader, tooltipRow } from './tooltip.ts';

/**
 * Stable ids. `top-bytes` has one bar per quintuple (whole bytes, in the table's order) and is the
 * click target; the REJECTed part is drawn over the end of each bar and lets clicks through.
 */
export const TOP_SERIES = {
  bytes: 'top-bytes',
  rejectBase: 'top-reject-base',
  reject: 'top-reject',
} as const;

/** A `top-bytes` bar: the quintuple and its exact totals, what drill-down needs. */
export interface TopBarDatum {
  value: number;
  key: string;
  quintuple: {
    srcaddr: string;
    srcport: number;
    dstaddr: string;
    dstport: number;
    protocol: number;
  };
  bytes: number;
  packets: number;
  rejectBytes: number;
  rejectPackets: number;
}

export function topBarDatum(r: TopRow): TopBarDatum {
  return {
    value: r.bytes,
    key: r.key,
    quintuple: {
      srcaddr: r.srcaddr,
      srcport: r.srcport,
      dstaddr: r.dstaddr,
      dstport: r.dstport,
      protocol: r.protocol,
    },
    bytes: r.bytes,
    packets: r.packets,
    rejectBytes: r.rejectBytes,
    rejectPackets: r.rejectPackets,
  };
}

export interface TopOptions {
  theme: ThemeName;
  /** Bars shown; the table shows more. */
  limit?: number;
  /** The merged lists are sums of per-window top-N lists. */
  approximate?: boolean;
}

/** Plain-text label of a quintuple: `10.0.0.1:443 → 10.0.0.2:51000 TCP`. */
export function quintupleLabel(row: TopRow): string {
  return `${formatEndpoint(row.srcaddr, row.srcport)} → ${formatEndpoint(row.dstaddr, row.dstport)} ${row.protocolName}`;
}

/** The tooltip of one quintuple, as escaped HTML. */
export function topTooltipHtml(
  row: TopRow,
  opts: { accept: string; reject: string; approximate: boolean },
): string {
  return (
    tooltipHeader(quintupleLabel(row)) +
    tooltipRow(null, 'Source', formatEndpoint(row.srcaddr, row.srcport)) +
    tooltipRow(null, 'Destination', formatEndpoint(row.dstaddr, row.dstport)) +
    tooltipRow(null, 'Protocol', `${row.protocolName} (${row.protocol})`) +
    tooltipRow(opts.accept, 'ACCEPT bytes', formatBytes(row.bytes - row.rejectBytes)) +
    tooltipRow(opts.reject, 'REJECT bytes', formatBytes(row.rejectBytes)) +
    tooltipRow(null, 'Packets', formatInteger(row.packets)) +
    tooltipRow(null, opts.approximate ? 'Share (≈)' : 'Share', formatPercent(row.share))
  );
}

export function buildTopOption(rows: readonly TopRow[], opts: TopOptions): AppOption {
  const p = palette(opts.theme);
  const shown = rows.slice(0, opts.limit ?? 10);
  const approximate = opts.approximate ?? false;
  return {
    aria: { enabled: true },
    animationDurationUpdate: 300,
    title: emptyNote(shown.length === 0, 'No quintuples in this range', p.textMuted),
    grid: {
      left: 8,
      right: 96,
      top: 8,
      bottom: 4,
      outerBoundsMode: 'same',
      outerBoundsContain: 'axisLabel',
    },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      formatter: (params: unknown) => {
        const row = rowAt(shown, params);
        return row ? topTooltipHtml(row, { accept: p.accept, reject: p.reject, approximate }) : '';
      },
    },
    xAxis: {
      type: 'value',
      min: 0,
      splitNumber: 3,
      axisLabel: { formatter: (v: number) => formatBytes(v), hideOverlap: true },
    },
    yAxis: {
      type: 'category',
      inverse: true,
      data: shown.map((r) => quintupleLabel(r)),
      axisLabel: {
        // Canvas text, not HTML: no escaping needed here.
        fontFamily: p.monoFamily,
        fontSize: 11,
        color: p.text,
        width: 300,
        overflow: 'truncate',
      },
    },
    series: [
      {
        type: 'bar',
        id: TOP_SERIES.bytes,
        name: 'Bytes',
        barMaxWidth: 18,
        barCategoryGap: '30%',
        itemStyle: { color: p.accept, borderRadius: [0, 2, 2, 0] },
        emphasis: { disabled: true },
        cursor: 'pointer',
        label: {
          show: true,
          position: 'right',
          color: p.textMuted,
          fontSize: 11,
          formatter: (params: unknown) => {
            const row = shown[(params as { dataIndex?: number }).dataIndex ?? -1];
            return row ? `${formatBytes(row.bytes)} · ${formatPercent(row.share)}` : '';
          },
        },
        data: shown.map(topBarDatum),
      },
      // The REJECTed part at the end of the bar: a transparent base (the ACCEPTed bytes) stacked
      // with the REJECTed bytes, laid over `top-bytes`. Silent, so a click lands on the bar.
      {
        type: 'bar',
        id: TOP_SERIES.rejectBase,
        name: 'ACCEPT part',
        stack: 'reject',
        silent: true,
        barMaxWidth: 18,
        itemStyle: { color: 'transparent' },
        emphasis: { disabled: true },
        tooltip: { show: false },
        data: shown.map((r) => r.bytes - r.rejectBytes),
      },
      {
        type: 'bar',
        id: TOP_SERIES.reject,
        name: 'REJECT',
        stack: 'reject',
        silent: true,
        barMaxWidth: 18,
        barGap: '-100%',
        itemStyle: { color: p.reject, borderRadius: [0, 2, 2, 0] },
        emphasis: { disabled: true },
        data: shown.map((r) => r.rejectBytes),
      },
    ],
  };
}
