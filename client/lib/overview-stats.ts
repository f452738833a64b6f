// Totals across topics for the overview's summary strip. Pure.
import type { TopicPulse } from '../../shared/events.ts';
import { completePulsePoint } from './completeness.ts';
import { bytesToBps } from './format.ts';

export interface OverviewTotals {
  /** Sum of every topic's newest complete window (see completePulsePoint), bits/s. */
  bitsPerSecond: number;
  /** REJECTed share of all bytes over the last hour, weighted by each topic's bytes. */
  rejectShare: number;
  /** Records over the last hour, all topics. */
  records: number;
  /** Bytes per window summed over topics, [windowStart, bytes], oldest first. */
  spark: Array<[number, number]>;
  /**
   * The end of the oldest of the topics' newest complete windows: every topic's figures are
   * complete up to here. Null before any topic has one.
   */
  completeTo: number | null;
}

/** `serverNow` null (unknown): each topic's newest point counts. */
export function overviewTotals(
  pulses: readonly TopicPulse[],
  serverNow: number | null = null,
): OverviewTotals {
  let bits = 0;
  let bytes = 0;
  let rejectBytes = 0;
  let records = 0;
  let completeTo: number | null = null;
  const byStart = new Map<number, number>();
  for (const p of pulses) {
    const last = serverNow === null ? p.spark.at(-1) : completePulsePoint(p, serverNow);
    if (last) {
      bits += bytesToBps(last[1], p.windowMs);
      const end = last[0] + p.windowMs;
      completeTo = completeTo === null ? end : Math.min(completeTo, end);
    }
    const topicBytes = p.spark.reduce((n, [, b]) => n + b, 0);
    bytes += topicBytes;
    rejectBytes += topicBytes * p.rejectShare;
    records += p.records;
    for (const [t, b] of p.spark) byStart.set(t, (byStart.get(t) ?? 0) + b);
  }
  const spark = [...byStart.entries()].sort((a, b) => a[0] - b[0]);
  return {
    bitsPerSecond: bits,
    rejectShare: bytes > 0 ? rejectBytes / bytes : 0,
    records,
    spark,
    completeTo,
  };
}
