// The wall's headline figures, read from five metres: current throughput, REJECT share, top
// talker, active log streams and the alert state. "Current" is the latest complete window (every
// stream has reported), as on the dashboard. Colours follow the topic's thresholds
// (shared/thresholds.ts), whose defaults keep a healthy wall calm.
import type { WindowAggregate } from '../../shared/events.ts';
import {
  DEFAULT_THRESHOLDS,
  rejectLevel,
  worst,
  type Level,
  type Thresholds,
  type VolumeChange,
} from '../../shared/thresholds.ts';
import { formatBits, formatEndpoint, formatPercent } from './format.ts';
import type { StreamRow } from './stats.ts';
import type { TopRow } from './top.ts';

export interface Headline {
  throughput: string;
  throughputNote: string;
  throughputLevel: Level;
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
  thresholds?: Thresholds;
  /** The latest window's volume against the previous hour. */
  volume?: VolumeChange;
  /** Alert rules of the topic firing now (their names). */
  firing?: readonly string[];
}

/** A drop or spike in words ('16% of the previous hour's median'); null when there is none. */
export function volumeChangeText(v: VolumeChange): string | null {
  if (!v.kind || v.ratio === null) return null;
  return v.kind === 'drop'
    ? `${formatPercent(v.ratio)} of the previous hour's median`
    : `${v.ratio.toFixed(1)}× the previous hour's median`;
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
  const volume = input.volume ?? { level: 'ok' as const, kind: null, ratio: null };
  const firing = input.firing ?? [];
  const alert: Level =
    input.stale || firing.length > 0
      ? 'alert'
      : worst(worst(rejectLvl, streamsLevel), volume.level);
  // The alert names the worst cause; at the same level, in this order.
  const causes: [Level, string][] = [
    [rejectLvl, 'REJECTS'],
    [volume.level, volume.kind === 'drop' ? 'VOLUME DROP' : 'VOLUME SPIKE'],
    [streamsLevel, 'STREAMS'],
  ];
  // Firing rules say more than thresholds: they come first.
  const alertText = input.stale
    ? 'STALE'
    : firing.length > 0
      ? 'FIRING'
      : alert === 'ok'
        ? 'OK'
        : (causes.find(([l]) => l === alert)?.[1] ?? 'ALERT');
  return {
    throughput: w ? formatBits((bytes * 8 * 1000) / w.windowMs) : '–',
    throughputNote: !w
      ? 'no complete window yet'
      : volume.kind
        ? `latest window · ${volumeChangeText(volume)}`
        : 'latest complete window',
    throughputLevel: w ? volume.level : 'ok',
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
