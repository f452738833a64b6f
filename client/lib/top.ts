// Top quintuples over a range of windows. The latest window is exact; a range sums the per-window
// top-N lists, so a quintuple that missed some windows' lists is under-counted: such a merge is
// flagged `approximate`. Shares are of the range's full traffic (accept + reject bytes), which is exact.
import type { TopQuintuple, WindowAggregate } from '../../shared/events.ts';
import { lastMinutes } from './windows.ts';
import { protocolName } from '../../shared/fields.ts';
import { quintupleKey } from '../../shared/record.ts';

export type TopRange = 'latest' | '15m' | '60m';

/** Rows of the quintuple (and conversation) table: its changes are worked out for these only. */
export const TABLE_ROWS = 20;

export const TOP_RANGES: ReadonlyArray<{ value: TopRange; label: string }> = [
  { value: 'latest', label: 'Latest window' },
  { value: '15m', label: 'Last 15 min' },
  { value: '60m', label: 'Last 60 min' },
];

export interface TopRow {
  /** Quintuple key, stable across updates. */
  key: string;
  srcaddr: string;
  srcport: number;
  dstaddr: string;
  dstport: number;
  protocol: number;
  protocolName: string;
  bytes: number;
  packets: number;
  rejectBytes: number;
  rejectPackets: number;
  /** Share of the range's total bytes, 0..1. */
  share: number;
}

export interface TopResult {
  rows: TopRow[];
  /** Total bytes of the range (all traffic, not only the top list). */
  totalBytes: number;
  windows: number;
  approximate: boolean;
  /** True when some window had more quintuples than its tracker holds. */
  truncated: boolean;
}

/** The windows `range` sums, counted back from the newest (`windows` sorted). */
export function topWindows(
  windows: readonly WindowAggregate[],
  range: TopRange,
): WindowAggregate[] {
  if (range === 'latest') return windows.slice(-1);
  return lastMinutes(windows, range === '15m' ? 15 : 60);
}

/** `q` as a fresh row (mergeTop adds to it) with the given share. */
function topRow(q: TopQuintuple, share: number): TopRow {
  return {
    key: quintupleKey(q),
    srcaddr: q.srcaddr,
    srcport: q.srcport,
    dstaddr: q.dstaddr,
    dstport: q.dstport,
    protocol: q.protocol,
    protocolName: protocolName(q.protocol),
    bytes: q.bytes,
    packets: q.packets,
    rejectBytes: q.rejectBytes,
    rejectPackets: q.rejectPackets,
    share,
  };
}

/** Top `limit` quintuples by bytes over `range`, largest first (ties: more packets, then key). */
export function mergeTop(
  windows: readonly WindowAggregate[],
  range: TopRange,
  limit = 50,
): TopResult {
  const picked = topWindows(windows, range);
  const byKey = new Map<string, TopRow>();
  let totalBytes = 0;
  let truncated = false;
  for (const w of picked) {
    totalBytes += w.accept.bytes + w.reject.bytes;
    truncated ||= w.topTruncated;
    for (const q of w.top) {
      const key = quintupleKey(q);
      const row = byKey.get(key);
      if (row) {
        row.bytes += q.bytes;
        row.packets += q.packets;
        row.rejectBytes += q.rejectBytes;
        row.rejectPackets += q.rejectPackets;
      } else {
        byKey.set(key, topRow(q, 0));
      }
    }
  }
  const rows = [...byKey.values()]
    .sort((a, b) => b.bytes - a.bytes || b.packets - a.packets || a.key.localeCompare(b.key))
    .slice(0, limit);
  for (const row of rows) row.share = totalBytes > 0 ? row.bytes / totalBytes : 0;
  return { rows, totalBytes, windows: picked.length, approximate: picked.length > 1, truncated };
}

/**
 * An exact top list over a range (the history API's `top`), as rows; shares of `totalBytes`, the
 * range's full traffic. `windows` is how many capture windows the range holds.
 */
export function topFromList(
  list: readonly TopQuintuple[],
  totalBytes: number,
  windows: number,
  limit = 50,
): TopResult {
  const rows = list
    .slice(0, limit)
    .map((q) => topRow(q, totalBytes > 0 ? q.bytes / totalBytes : 0));
  return { rows, totalBytes, windows, approximate: false, truncated: false };
}
