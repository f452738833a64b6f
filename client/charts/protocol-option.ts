// Traffic by protocol over a range of windows: exact (per-window protocol totals are complete).
import type { ProtocolTotals, WindowAggregate } from '../../shared/events.ts';
import { formatBytes, formatInteger, formatPercent } from '../lib/format.ts';
import { protocolName } from '../../shared/fields.ts';
import type { AppOption } from './option-types.ts';
import { palette, type ThemeName } from './palette.ts';
import { rowAt, tooltipHeader, tooltipRow } from './tooltip.ts';

export interface ProtocolRow {
  protocol: number;
  name: string;
  bytes: number;
  packets: number;
  records: number;
  share: number;
}

/** Protocol totals summed over `windows`, largest bytes first. */
export function protocolRows(windows: readonly WindowAggregate[]): ProtocolRow[] {
  const by = new Map<number, ProtocolRow>();
  let total = 0;
  for (const w of windows) {
    for (const t of w.byProtocol) {
      total += t.bytes;
      const row = by.get(t.protocol);
      if (row) {
        row.bytes += t.bytes;
        row.packets += t.packets;
        row.records += t.records;
      } else {
        by.set(t.protocol, {
          protocol: t.protocol,
          name: protocolName(t.protocol),
          bytes: t.bytes,
          packets: t.packets,
          records: t.records,
          share: 0,
        });
      }
    }
  }
  const rows = [...by.values()].sort((a, b) => b.bytes - a.bytes || a.protocol - b.protocol);
  for (const r of rows) r.share = total > 0 ? r.bytes / total : 0;
  return rows;
}

export const PROTOCOL_SERIES = 'protocol-bytes';

export function buildProtocolOption(
  rows: readonly ProtocolRow[],
  opts: { theme: ThemeName; limit?: number },
): AppOption {
  const p = palette(opts.theme);
  const shown = rows.slice(0, opts.limit ?? 6);
  return {
    aria: { enabled: true },
    animationDurationUpdate: 300,
    // One 30 px row per protocol from the top, so a short list does not spread over the panel.
    grid: {
      left: 8,
      right: 56,
      top: 4,
      height: Math.max(1, shown.length) * 30,
      outerBoundsMode: 'same',
      outerBoundsContain: 'axisLabel',
    },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      formatter: (params: unknown) => {
        const row = rowAt(shown, params);
        if (!row) return '';
        return (
          tooltipHeader(`${row.name} (${row.protocol})`) +
          tooltipRow(null, 'Bytes', formatBytes(row.bytes)) +
          tooltipRow(null, 'Packets', formatInteger(row.packets)) +
          tooltipRow(null, 'Records', formatInteger(row.records)) +
          tooltipRow(null, 'Share', formatPercent(row.share))
        );
      },
    },
    xAxis: {
      type: 'value',
      min: 0,
      splitNumber: 2,
      axisLabel: { show: false },
      splitLine: { show: false },
    },
    yAxis: {
      type: 'category',
      inverse: true,
      data: shown.map((r) => r.name),
      axisLabel: { color: p.text, fontSize: 12 },
    },
    series: [
      {
        type: 'bar',
        id: PROTOCOL_SERIES,
        name: 'Bytes',
        barMaxWidth: 16,
        emphasis: { disabled: true },
        label: {
          show: true,
          position: 'right',
          color: p.textMuted,
          fontSize: 11,
          formatter: (params: unknown) => {
            const row = shown[(params as { dataIndex?: number }).dataIndex ?? -1];
            return row ? formatPercent(row.share) : '';
          },
        },
        data: shown.map((r, i) => ({
          value: r.bytes,
          itemStyle: { color: p.series[i % p.series.length] },
        })),
      },
    ],
  };
}

/** Protocol totals of a range as the history API sums them, largest bytes first. */
export function protocolRowsFromTotals(totals: readonly ProtocolTotals[]): ProtocolRow[] {
  const total = totals.reduce((n, t) => n + t.bytes, 0);
  return totals
    .map((t) => ({
      protocol: t.protocol,
      name: protocolName(t.protocol),
      bytes: t.bytes,
      packets: t.packets,
      records: t.records,
      share: total > 0 ? t.bytes / total : 0,
    }))
    .sort((a, b) => b.bytes - a.bytes || a.protocol - b.protocol);
}
