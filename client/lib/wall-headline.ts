// The wall's headline figures, read from five metres: current throughput, REJECT share, top
// talker, active log streams and the alert state. "Current" is the latest complete window (every
// stream has reported), as on the dashboard. Colours follow thresholds whose defaults keep a
// healthy wall calm: a REJECT share only warns from 5% and alerts from 20%.
import type { WindowAggregate } from '../../shared/events.ts';
import { formatBits, formatEndpoint, formatPercent } from './format.ts';
import type { StreamRow } from './stats.ts';
import type { TopRow } from './top.ts';

export type Level = 'ok' | 'warn' | 'alert';

export interface HeadlineThresholds {
  /** REJECT share of bytes (0..1) from which it warns / alerts. */
  rejectWarn: number;
  rejectAlert: number;
}

export const DEFAULT_THRESHOLDS: Readonly<HeadlineThresholds> = Object.freeze({
  rejectWarn: 0.05,
  rejectAlert: 0.2,
});

export interface Headline {
  throughput: string;
  throughputNote: string;
  rejectShare: string;
  rejectLevel: Level;
  topTalker: string;
  topTalkerNote: string;
  streams: string;
  streamsLevel: Level;
  alert: Level;
  alertText: string;
}

export interface HeadlineInput {
  latest: WindowAggregate | null;
  top: readonly TopRow[];
  streams: readonly StreamRow[];
  /** The data is stale or the connection lost: the figures are not current. */
  stale: boolean;
  thresholds?: HeadlineThresholds;
}

/** How a REJECT share (0..1) is coloured everywhere: calm below the warn threshold. */
export function rejectLevel(share: number, t: HeadlineThresholds = DEFAULT_THRESHOLDS): Level {
  return share >= t.rejectAlert ? 'alert' : share >= t.rejectWarn ? 'warn' : 'ok';
}

export function headline(input: HeadlineInput): Headline {
  const t = input.thresholds ?? DEFAULT_THRESHOLDS;
  const w = input.latest;
  const bytes = w ? w.accept.bytes + w.reject.bytes : 0;
  const share = w && bytes > 0 ? w.reject.bytes / bytes : 0;
  const rejectLvl = w ? rejectLevel(share, t) : 'ok';
  const top = input.top[0];
  // Streams that are expected to write: collected, not waiting for their first records.
  const expected = input.streams.filter((s) => s.enabled && s.state !== 'waiting');
  const active = expected.filter((s) => s.state === 'ok').length;
  const streamsLevel: Level =
    expected.length === 0 || active === expected.length ? 'ok' : active === 0 ? 'alert' : 'warn';
  const alert: Level = input.stale
    ? 'alert'
    : rejectLvl === 'alert' || streamsLevel === 'alert'
      ? 'alert'
      : rejectLvl === 'warn' || streamsLevel === 'warn'
        ? 'warn'
        : 'ok';
  const alertText = input.stale
    ? 'STALE'
    : alert === 'ok'
      ? 'OK'
      : rejectLvl !== 'ok'
        ? 'REJECTS'
        : 'STREAMS';
  return {
    throughput: w ? formatBits((bytes * 8 * 1000) / w.windowMs) : '–',
    throughputNote: w ? 'latest complete window' : 'no complete window yet',
    rejectShare: w ? formatPercent(share) : '–',
    rejectLevel: rejectLvl,
    topTalker: top ? formatEndpoint(top.srcaddr, top.srcport) : '–',
    topTalkerNote: top
      ? `→ ${formatEndpoint(top.dstaddr, top.dstport)} ${top.protocolName} · ${formatPercent(top.share)}`
      : '',
    streams: `${active} / ${expected.length}`,
    streamsLevel,
    alert,
    alertText,
  };
}
