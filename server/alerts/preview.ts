// How often a rule would have fired: the rule run window by window, oldest first, over measured
// values of the past (the rule editor's 24 h preview). The same episodes (RuleSeries) as live
// evaluation, so the preview fires exactly where the live rule would have. Pure: the values come
// from the caller (the store's per-window sums, or the stored windows' stream states).
import { changePercent, extreme, type Rule } from '../../shared/alerts/rule.ts';
import type { StreamStatus } from '../../shared/events.ts';
import type { SeriesPoint, SourcePorts } from '../store/types.ts';
import { RuleSeries } from './episodes.ts';
import { measureOfSums, sumsOfPoint } from './measure.ts';

export interface PreviewEpisode {
  group: string;
  since: number;
  /** The window that resolved it; null when it was still firing at the end of the range. */
  end: number | null;
  peak: number;
}

export interface RulePreview {
  from: number;
  to: number;
  windowMs: number;
  /** Each window's value (topic-wide rules; null where the measure has none). */
  values: Array<{ t: number; v: number | null }>;
  episodes: PreviewEpisode[];
  /** Windows in which some group was firing. */
  firingWindows: number;
  /** The values read were bounded (per source: the busiest source-windows only). */
  truncated?: boolean;
}

type RuleShape = Pick<Rule, 'measure' | 'op' | 'threshold' | 'windows' | 'change'>;

/** Runs `rule` over [from, to) given each group's value per window. */
function run(
  rule: RuleShape,
  windowMs: number,
  from: number,
  to: number,
  groups: readonly string[],
  valueAt: (group: string, t: number) => number | null,
): { episodes: PreviewEpisode[]; firingWindows: number } {
  const episodes: PreviewEpisode[] = [];
  const firing = new Set<number>();
  for (const g of groups) {
    const s = new RuleSeries({
      windowMs,
      op: rule.op,
      threshold: rule.threshold,
      needed: rule.windows,
      missingAs: null,
    });
    let open: PreviewEpisode | null = null;
    for (let t = from; t < to; t += windowMs) {
      for (const n of s.observe(t, valueAt(g, t))) {
        if (n.kind === 'firing')
          episodes.push((open = { group: g, since: n.since, end: null, peak: n.peak }));
        else if (open) {
          open.end = t;
          open.peak = n.peak;
          open = null;
        }
      }
      if (s.state === 'firing') {
        firing.add(t);
        const v = valueAt(g, t);
        if (open && v !== null) open.peak = extreme(rule.op, open.peak, v);
      }
    }
  }
  episodes.sort((a, b) => a.since - b.since || a.group.localeCompare(b.group));
  return { episodes, firingWindows: firing.size };
}

/** A record rule over per-window sums (change rules read the window an hour or a day before). */
export function previewFromSeries(
  rule: RuleShape,
  windowMs: number,
  from: number,
  to: number,
  series: readonly SeriesPoint[],
): RulePreview {
  const byT = new Map(series.map((p) => [p.t, p]));
  const plain = (t: number) => {
    const p = byT.get(t);
    // A window without records: 0 for sums, no share.
    return measureOfSums(rule.measure, p && sumsOfPoint(p));
  };
  const valueAt = (_g: string, t: number): number | null => {
    const now = plain(t);
    if (!rule.change) return now;
    const back = Math.max(rule.change.against === 'hour' ? 3_600_000 : 86_400_000, windowMs);
    return now === null ? null : changePercent(rule.change.direction, now, plain(t - back));
  };
  const values: RulePreview['values'] = [];
  for (let t = from; t < to; t += windowMs) values.push({ t, v: valueAt('', t) });
  return { from, to, windowMs, values, ...run(rule, windowMs, from, to, [''], valueAt) };
}

/**
 * The fewest ports a source can have in a window for a rule to count it as above its threshold
 * (the store leaves out sources below it); 1 for a rule on few ports (every source counts).
 */
export function minPortsFor(rule: Pick<Rule, 'op' | 'threshold'>): number {
  const least =
    rule.op === '>'
      ? Math.floor(rule.threshold) + 1
      : rule.op === '>='
        ? Math.ceil(rule.threshold)
        : 1;
  return Math.min(65_536, Math.max(1, least));
}

/**
 * A per-source rule (distinct destination ports per source) over the store's ports per source
 * and window. A source is a group once it has been seen, and measures 0 in a window it is absent
 * from, as live; a source left out for having fewer ports than `minPortsFor` counts 0 too, which
 * judges alike (it is below the threshold either way). The values are each window's busiest
 * source.
 */
export function previewFromSourcePorts(
  rule: RuleShape,
  windowMs: number,
  from: number,
  to: number,
  rows: readonly SourcePorts[],
  truncated: boolean,
): RulePreview {
  const at = new Map<string, Map<number, number>>();
  const busiest = new Map<number, number>();
  for (const r of rows) {
    let bySource = at.get(r.srcaddr);
    if (!bySource) at.set(r.srcaddr, (bySource = new Map()));
    bySource.set(r.windowStart, r.ports);
    busiest.set(r.windowStart, Math.max(busiest.get(r.windowStart) ?? 0, r.ports));
  }
  const groups = [...at.keys()].sort();
  const values: RulePreview['values'] = [];
  for (let t = from; t < to; t += windowMs) values.push({ t, v: busiest.get(t) ?? 0 });
  const valueAt = (g: string, t: number) => at.get(g)?.get(t) ?? 0;
  return {
    from,
    to,
    windowMs,
    values,
    ...run(rule, windowMs, from, to, groups, valueAt),
    ...(truncated ? { truncated } : {}),
  };
}

/** A stream rule over the stored windows' stream states (a missing window: every stream silent). */
export function previewFromStreams(
  rule: RuleShape,
  windowMs: number,
  from: number,
  to: number,
  streamIds: readonly string[],
  windows: ReadonlyArray<{ windowStart: number; streams: readonly StreamStatus[] }>,
): RulePreview {
  const at = new Map(
    windows.map((w) => [w.windowStart, new Map(w.streams.map((s) => [s.streamId, s]))]),
  );
  const valueAt = (g: string, t: number): number => {
    const s = at.get(t)?.get(g);
    if (rule.measure === 'stream_silent') return s && s.ok + s.nodata + s.skipdata > 0 ? 0 : 1;
    return s?.skipdata ?? 0;
  };
  return {
    from,
    to,
    windowMs,
    values: [],
    ...run(rule, windowMs, from, to, streamIds, valueAt),
  };
}
