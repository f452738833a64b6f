// Results every backend assembles the same way from what its queries return: the totals of a
// chart's series, and a window recomputed from its records (what the top list leaves is the rest).
import type { Totals, TopQuintuple } from '../../shared/events.ts';
import type { RecomputedWindow, SeriesPoint } from './types.ts';

/** ACCEPT and REJECT totals over a series. */
export function seriesTotals(points: readonly SeriesPoint[]): { accept: Totals; reject: Totals } {
  const accept: Totals = { bytes: 0, packets: 0, records: 0 };
  const reject: Totals = { bytes: 0, packets: 0, records: 0 };
  for (const p of points) {
    accept.bytes += p.acceptBytes;
    accept.packets += p.acceptPackets;
    accept.records += p.acceptRecords;
    reject.bytes += p.rejectBytes;
    reject.packets += p.rejectPackets;
    reject.records += p.rejectRecords;
  }
  return { accept, reject };
}

/** A recomputed window from its parts; `topOther` is the traffic the top list does not hold. */
export function recomputedWindow(
  parts: Omit<RecomputedWindow, 'topOther' | 'topTruncated'>,
): RecomputedWindow {
  const { accept, reject } = parts;
  const topOther: Totals = {
    bytes: accept.bytes + reject.bytes,
    packets: accept.packets + reject.packets,
    records: accept.records + reject.records,
  };
  for (const x of parts.top as readonly TopQuintuple[]) {
    topOther.bytes -= x.bytes;
    topOther.packets -= x.packets;
    topOther.records -= x.records;
  }
  return { ...parts, topOther, topTruncated: false };
}
