// Top quintuples by bytes as bars, largest on top, the REJECTed part of each bar distinct: the
// model TopBars.svelte draws. Pure.
import { formatBytes, formatEndpoint, formatInteger, formatPercent } from '../lib/format.ts';
import type { TopRow } from '../lib/top.ts';

/** Plain-text label of a quintuple: `10.0.0.1:443 → 10.0.0.2:51000 TCP`. */
export function quintupleLabel(row: TopRow): string {
  return `${formatEndpoint(row.srcaddr, row.srcport)} → ${formatEndpoint(row.dstaddr, row.dstport)} ${row.protocolName}`;
}

/**
 * The hover text of one quintuple: plain text, one figure per line (a title, never HTML). Made for
 * the bar under the pointer only: ten titles remade on every live update cost script and a restyle
 * of each bar (any title change restyles its element), for one that is read now and then.
 */
export function topTitle(row: TopRow, approximate: boolean): string {
  return [
    quintupleLabel(row),
    `Source ${formatEndpoint(row.srcaddr, row.srcport)}`,
    `Destination ${formatEndpoint(row.dstaddr, row.dstport)}`,
    `Protocol ${row.protocolName} (${row.protocol})`,
    `ACCEPT bytes ${formatBytes(row.bytes - row.rejectBytes)}`,
    `REJECT bytes ${formatBytes(row.rejectBytes)}`,
    `Packets ${formatInteger(row.packets)}`,
    `${approximate ? 'Share (≈)' : 'Share'} ${formatPercent(row.share)}`,
  ].join('\n');
}

export interface TopBar {
  row: TopRow;
  label: string;
  /** The ACCEPTed and REJECTed parts, as fractions of the largest bar (they sum to its width). */
  accept: number;
  reject: number;
  /** '255 MB · 19.7%' (≈ when the list is a sum of per-window lists). */
  value: string;
}

/** The first `limit` rows as bars, the largest full width. */
export function topBars(
  rows: readonly TopRow[],
  opts: { limit?: number; approximate?: boolean } = {},
): TopBar[] {
  const shown = rows.slice(0, opts.limit ?? 10);
  const approximate = opts.approximate ?? false;
  const max = Math.max(0, ...shown.map((r) => r.bytes));
  return shown.map((row) => {
    const reject = Math.min(row.rejectBytes, row.bytes);
    return {
      row,
      label: quintupleLabel(row),
      accept: max > 0 ? (row.bytes - reject) / max : 0,
      reject: max > 0 ? reject / max : 0,
      value: `${formatBytes(row.bytes)} · ${approximate ? '≈' : ''}${formatPercent(row.share)}`,
    };
  });
}
