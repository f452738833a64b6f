// Traffic by protocol over a range of windows: exact (per-window protocol totals are complete),
// and the bars ProtocolBars.svelte draws of it.
import type { ProtocolTotals, WindowAggregate } from '../../shared/events.ts';
import { formatBytes, formatInteger, formatPercent } from './format.ts';
import { protocolName } from '../../shared/fields.ts';

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

/** One protocol's bar: its width against the largest (0..1) and its hover text. */
export interface ProtocolBar {
  row: ProtocolRow;
  width: number;
  share: string;
  /** Plain text (a title, never HTML). */
  title: string;
}

/** The first `limit` protocols as bars, the largest full width. */
export function protocolBars(rows: readonly ProtocolRow[], limit = 6): ProtocolBar[] {
  const shown = rows.slice(0, limit);
  const max = Math.max(0, ...shown.map((r) => r.bytes));
  return shown.map((row) => ({
    row,
    width: max > 0 ? row.bytes / max : 0,
    share: formatPercent(row.share),
    title:
      `${row.name} (${row.protocol})\n` +
      `Bytes ${formatBytes(row.bytes)}\n` +
      `Packets ${formatInteger(row.packets)}\n` +
      `Records ${formatInteger(row.records)}\n` +
      `Share ${formatPercent(row.share)}`,
  }));
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
