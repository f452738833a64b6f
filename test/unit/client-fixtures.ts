// Real-looking window aggregates for the client's unit tests (shapes as the server publishes them).
import type { RegionPairTotals, TopQuintuple, WindowAggregate } from '../../shared/events.ts';

export const T0 = Date.UTC(2026, 10, 21, 13, 0, 0);
export const MIN = 60_000;

export function quintuple(over: Partial<TopQuintuple> = {}): TopQuintuple {
  return {
    srcaddr: '10.0.1.12',
    srcport: 443,
    dstaddr: '203.0.113.123',
    dstport: 36460,
    protocol: 6,
    bytes: 1_000,
    packets: 10,
    records: 1,
    rejectBytes: 0,
    rejectPackets: 0,
    ...over,
  };
}

/** Window `i` minutes after T0 with the given ACCEPT / REJECT bytes (packets = bytes / 100). */
export function win(
  i: number,
  over: Partial<WindowAggregate> = {},
  acceptBytes = 600_000,
  rejectBytes = 60_000,
): WindowAggregate {
  const windowStart = T0 + i * MIN;
  return {
    topicId: 'topic-eni-prod',
    windowStart,
    windowMs: MIN,
    revision: 1,
    publishedAt: windowStart + MIN + 10_000,
    accept: { bytes: acceptBytes, packets: acceptBytes / 100, records: 40 },
    reject: { bytes: rejectBytes, packets: rejectBytes / 100, records: 5 },
    byProtocol: [
      { protocol: 6, bytes: (acceptBytes + rejectBytes) * 0.9, packets: 100, records: 40 },
      { protocol: 17, bytes: (acceptBytes + rejectBytes) * 0.1, packets: 10, records: 5 },
    ],
    top: [
      quintuple({ bytes: 400_000, packets: 4_000 }),
      quintuple({
        srcaddr: '10.0.1.11',
        srcport: 53,
        dstaddr: '10.0.0.2',
        dstport: 5353,
        protocol: 17,
        bytes: 100_000,
        packets: 900,
        rejectBytes: 60_000,
        rejectPackets: 600,
      }),
    ],
    topOther: { bytes: 160_000, packets: 1_600, records: 10 },
    topTruncated: false,
    regionPairs: [],
    streams: [
      { streamId: 'eni-7m2k9q4d', ok: 40, nodata: 0, skipdata: 0 },
      { streamId: 'eni-3h8vz1pa', ok: 5, nodata: 1, skipdata: 0 },
    ],
    ...over,
  };
}

/** `n` consecutive windows starting at minute `from`. */
export function wins(n: number, from = 0): WindowAggregate[] {
  return Array.from({ length: n }, (_, i) => win(from + i));
}

/** A CCN region pair: packets are ACCEPT bytes / 1000 and REJECT bytes / 100. */
export function regionPair(
  src: string,
  dst: string,
  acceptBytes: number,
  rejectBytes: number,
  records: number,
): RegionPairTotals {
  return {
    src,
    dst,
    acceptBytes,
    acceptPackets: Math.round(acceptBytes / 1000),
    rejectBytes,
    rejectPackets: Math.round(rejectBytes / 100),
    records,
  };
}

/** A CCN window whose totals are the sums of its region pairs. */
export function ccnWindow(
  windowStart: number,
  pairs: RegionPairTotals[],
  revision: number,
  publishedAt: number,
): WindowAggregate {
  const sum = (f: (p: RegionPairTotals) => number) => pairs.reduce((n, p) => n + f(p), 0);
  return {
    topicId: 'topic-ccn',
    windowStart,
    windowMs: MIN,
    revision,
    publishedAt,
    accept: { bytes: sum((p) => p.acceptBytes), packets: sum((p) => p.acceptPackets), records: 1 },
    reject: { bytes: sum((p) => p.rejectBytes), packets: sum((p) => p.rejectPackets), records: 1 },
    byProtocol: [],
    top: [],
    topOther: { bytes: 0, packets: 0, records: 0 },
    topTruncated: false,
    regionPairs: pairs,
    streams: [],
  };
}
