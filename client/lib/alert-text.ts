// Alerts in words, for the strip, the wall and the history page: a value in its measure's unit, a
// rule's condition, an episode's one line. Pure.
import type { AlertEpisode } from '../../shared/alerts/episode.ts';
import { groupedBy, type Measure, type Op, type Rule } from '../../shared/alerts/rule.ts';
import { alertLink } from '../../shared/alerts/link.ts';
import { formatBytes, formatCount, formatPercent } from './format.ts';

/** A measured value in its unit ('1.2 MB', '5 records', '12.5%', '40 ports', 'silent'). */
export function alertValue(
  measure: Measure,
  value: number,
  change: Rule['change'] | null = null,
): string {
  if (change) return Number.isFinite(value) ? `${Math.round(value)}%` : 'from nothing';
  switch (measure) {
    case 'bytes':
      return formatBytes(value);
    case 'packets':
      return `${formatCount(value)} packets`;
    case 'records':
      return `${formatCount(value)} records`;
    case 'reject_share_bytes':
    case 'reject_share_packets':
      return formatPercent(value);
    case 'distinct_dstports_per_src':
      return `${formatCount(value)} ports`;
    case 'stream_silent':
      return value >= 1 ? 'silent' : 'reporting';
    case 'stream_skipdata':
      return `${formatCount(value)} SKIPDATA`;
  }
}

/** A rule's condition: 'records > 100 for 2 windows', 'bytes drop > 80% against an hour before'. */
export function ruleCondition(r: {
  measure: Measure;
  op: Op;
  threshold: number;
  windows?: number;
  change?: Rule['change'] | null;
}): string {
  const n = r.windows ?? 1;
  const span = n > 1 ? ` for ${n} windows` : '';
  const what = r.measure.replace(/_/g, ' ');
  if (r.change)
    return `${what} ${r.change.direction} ${r.op} ${r.threshold}% against ${r.change.against === 'hour' ? 'an hour' : 'a day'} before${span}`;
  return `${what} ${r.op} ${alertValue(r.measure, r.threshold)}${span}`;
}

/** Where an episode happened: the topic-wide rule, a source, or a log stream. */
export function episodeGroup(e: Pick<AlertEpisode, 'group' | 'measure'>): string {
  if (e.group === '') return '';
  return groupedBy(e.measure) === 'stream' ? `stream ${e.group}` : `source ${e.group}`;
}

/**
 * The windows of a topic's episodes, for the traffic chart's shading. A window is drawn as a point
 * at its start, so an episode's windows [since, end) are shaded half a window either side of
 * their points.
 */
export function alertMarks(
  episodes: readonly AlertEpisode[],
  windowMs: number,
): Array<{ from: number; to: number; label: string }> {
  const half = windowMs / 2;
  return episodes.map((e) => ({
    from: e.since - half,
    to: (e.end ?? e.lastWindow + windowMs) - half,
    label: e.ruleName,
  }));
}

/** The page of an episode's records: its topic over its windows, the record table on its query. */
export function episodeHref(e: AlertEpisode, windowMs: number): string {
  return alertLink(
    '',
    e.topicId,
    e.since,
    e.end ?? e.lastWindow + windowMs,
    e.query,
    `${e.ruleName}: records`,
  );
}
