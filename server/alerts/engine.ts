// Alert evaluation on publication: rules are measured on the records as they are committed (the
// record sink, as the live tail) and judged when their window's revision is published, never on
// a timer. Each (rule, group) has its episodes (episodes.ts); what they tell goes to `onNotice`
// and into a bounded list of recent notices. Bounded throughout: groups per rule (the idle ones
// go first), notices kept.
import type { AlertEpisode } from '../../shared/alerts/episode.ts';
import type { SeriesPoint } from '../../shared/api.ts';
import { changePercent, STREAM_MEASURES, SUM_MEASURES } from '../../shared/alerts/rule.ts';
import type { AlertRuleEntity } from '../../shared/catalog.ts';
import { alignToWindow, windowStartOf } from '../../shared/capture-window.ts';
import type { StreamStatus, WindowAggregate } from '../../shared/events.ts';
import { parseQuery, type QueryNode } from '../../shared/query/index.ts';
import type { MatchRecord } from '../../shared/query/match.ts';
import type { FlowRecord } from '../../shared/record.ts';
import type { Catalog } from '../catalog/catalog.ts';
import type { Clock } from '../clock.ts';
import { RuleSeries, type AlertState, type Notice } from './episodes.ts';
import type { SourcePorts } from '../store/types.ts';
import {
  createMeasureSet,
  defaultMeasureLimits,
  sumsOfPoint,
  TOPIC_GROUP,
  type TrackedMeasure,
} from './measure.ts';
import type { RuleBook } from './rules.ts';

export interface AlertNotice extends Notice {
  ruleId: string;
  ruleName: string;
  topicId: string;
  /** '' for a topic-wide rule; the source address for a per-source one. */
  group: string;
  threshold: number;
  at: number;
}

export interface AlertStatus {
  ruleId: string;
  topicId: string;
  group: string;
  state: AlertState;
  /** The newest window judged, and its value. */
  windowStart: number | null;
  value: number | null;
}

export interface AlertEngineConfig {
  /** Groups (sources) one rule follows at most. */
  maxGroupsPerRule: number;
  /** Notices kept for the API. */
  maxNotices: number;
  /**
   * A window not every stream reported in (or none did) is judged this long after it ended; flow
   * logs publish about five minutes after a window.
   */
  graceMs: number;
  /** How far back a query's per-window sums are read from the store (change rules: a day). */
  seedMs: number;
}

export const defaultAlertEngineConfig: AlertEngineConfig = {
  maxGroupsPerRule: 1_000,
  maxNotices: 1_000,
  graceMs: 7 * 60_000,
  seedMs: 25 * 3_600_000,
};

/** A query's per-window sums as the store gives them. */
export type StoredSums = Omit<SeriesPoint, 'windows'>;

interface Armed {
  rule: AlertRuleEntity;
  /** Null for a stream rule: judged from the window's stream states, not from records. */
  measure: TrackedMeasure | null;
  series: Map<string, { s: RuleSeries; last: number | null; value: number | null }>;
}

/** Incomplete windows kept per topic until `tick` judges them. */
const MAX_INCOMPLETE = 500;

export function createAlertEngine(
  config: AlertEngineConfig,
  deps: {
    rules: RuleBook;
    catalog: Catalog;
    clock: Clock;
    onNotice?: (n: AlertNotice) => void;
    /** A firing (rule, group) judged one more window: its value (the episode's peak may move). */
    onFiringWindow?: (ruleId: string, group: string, windowStart: number, value: number) => void;
    /** A rule stopped being judged as it was (changed, disabled, removed): its episodes end. */
    onRetired?: (ruleId: string) => void;
    /** The store's per-window sums of a query over [from, to) (seeding measures). */
    stored?: (
      topicId: string,
      where: QueryNode | null,
      from: number,
      to: number,
      windowMs: number,
    ) => Promise<readonly StoredSums[]>;
    /** The store's ports per source and window of a query over [from, to) (seeding measures). */
    storedPorts?: (
      topicId: string,
      where: QueryNode | null,
      from: number,
      to: number,
    ) => Promise<readonly SourcePorts[]>;
    warn?: (msg: string) => void;
  },
) {
  const { catalog, clock } = deps;
  let byTopic = new Map<string, { set: ReturnType<typeof createMeasureSet>; armed: Armed[] }>();
  const notices: AlertNotice[] = [];
  const metrics = { judged: 0, notices: 0, evictedGroups: 0 };

  /** Queries whose measures the store has not filled in yet (new since the last seeding). */
  let unseeded: Array<{ topicId: string; key: string; where: QueryNode | null }> = [];

  /**
   * Arms the enabled rules; a rule keeps its episodes across re-arming while it is unchanged, and
   * a query keeps its measures while some rule uses it (editing one rule resets nothing else).
   */
  function arm(): void {
    const old = new Map<string, Armed>();
    for (const t of byTopic.values()) for (const a of t.armed) old.set(a.rule.id, a);
    const next = new Map<string, { set: ReturnType<typeof createMeasureSet>; armed: Armed[] }>();
    const used = new Map<string, Set<string>>();
    for (const rule of deps.rules.list()) {
      if (!rule.enabled || !catalog.topic(rule.topicId)) continue;
      const q = parseQuery(rule.query);
      if (!q.ok) continue;
      let t = next.get(rule.topicId);
      if (!t)
        next.set(
          rule.topicId,
          (t = { set: byTopic.get(rule.topicId)?.set ?? createMeasureSet(), armed: [] }),
        );
      if (!STREAM_MEASURES.has(rule.measure)) {
        let keys = used.get(rule.topicId);
        if (!keys) used.set(rule.topicId, (keys = new Set()));
        if (!keys.has(rule.query) && !t.set.keys().includes(rule.query))
          unseeded.push({ topicId: rule.topicId, key: rule.query, where: q.ast });
        keys.add(rule.query);
      }
      const prev = old.get(rule.id);
      const same = prev && prev.rule.updatedAt === rule.updatedAt;
      if (same) old.delete(rule.id);
      t.armed.push({
        rule,
        measure: STREAM_MEASURES.has(rule.measure)
          ? null
          : t.set.track({ measure: rule.measure, key: rule.query, where: q.ast }),
        series: same ? prev.series : new Map(),
      });
    }
    for (const [topicId, t] of next) t.set.prune(used.get(topicId) ?? new Set());
    byTopic = next;
    // What is left of the old set is no longer judged as it was.
    for (const id of old.keys()) deps.onRetired?.(id);
    // A query new at run time gets the windows that are closed from the store.
    if (started) void seed(clock.now() - config.graceMs);
  }
  let started = false;

  /**
   * Fills the new queries' measures from the store: each window before `to` (its sums replace what
   * was folded live for it). At a start, before any source runs, `to` is now: the measures take
   * up where they were before the restart.
   */
  async function seed(to: number): Promise<void> {
    const todo = unseeded;
    unseeded = [];
    if (!deps.stored) return;
    for (const q of todo) {
      const t = byTopic.get(q.topicId);
      if (!t || !t.set.keys().includes(q.key)) continue;
      const windowMs = catalog.windowMs(q.topicId);
      const until = alignToWindow(to, windowMs);
      // Back from now (not from `to`, which is ahead at a start): the day before of every window
      // of the last hour is in reach.
      const since = alignToWindow(Math.min(to, clock.now()), windowMs) - config.seedMs;
      try {
        const rows = await deps.stored(q.topicId, q.where, since, until, windowMs);
        for (const p of rows) t.set.seed(q.key, p.t, sumsOfPoint(p));
        // Ports per source, for the windows whose ports are kept (they are judged when published).
        if (t.set.perSource(q.key) && deps.storedPorts) {
          const from = until - defaultMeasureLimits.maxPortWindows * windowMs;
          const ports = await deps.storedPorts(q.topicId, q.where, from, until);
          for (const p of ports) t.set.seedPorts(q.key, p.windowStart, p.srcaddr, p.list ?? []);
        }
      } catch (err) {
        deps.warn?.(
          `alert measures of ${q.topicId} not read from the store: ${(err as Error).message}`,
        );
      }
    }
  }
  deps.rules.onChange(arm);
  arm();

  function seriesOf(a: Armed, group: string) {
    let held = a.series.get(group);
    if (held) return held;
    if (a.series.size >= config.maxGroupsPerRule) {
      // The group judged longest ago, not firing, goes.
      let victim: string | undefined;
      let oldest = Infinity;
      for (const [g, v] of a.series)
        if (v.s.state !== 'firing' && (v.last ?? -Infinity) < oldest)
          [victim, oldest] = [g, v.last ?? -Infinity];
      if (victim === undefined) return null;
      a.series.delete(victim);
      metrics.evictedGroups++;
    }
    const windowMs = catalog.windowMs(a.rule.topicId);
    held = {
      s: new RuleSeries({
        windowMs,
        op: a.rule.op,
        threshold: a.rule.threshold,
        needed: a.rule.windows,
        missingAs: !a.rule.change && SUM_MEASURES.has(a.rule.measure) ? 0 : null,
      }),
      last: null,
      value: null,
    };
    a.series.set(group, held);
    return held;
  }

  /** A stream rule's value per log stream of the topic (streams: null, the window never came). */
  function streamValues(a: Armed, streams: readonly StreamStatus[] | null): Map<string, number> {
    const out = new Map<string, number>();
    const topic = catalog.topic(a.rule.topicId);
    for (const s of topic?.streams ?? []) if (s.enabled) out.set(s.id, 0);
    const silent = a.rule.measure === 'stream_silent';
    if (silent) for (const id of out.keys()) out.set(id, 1);
    for (const s of streams ?? []) {
      if (silent) out.set(s.streamId, s.ok + s.nodata + s.skipdata > 0 ? 0 : 1);
      else out.set(s.streamId, s.skipdata);
    }
    return out;
  }

  function judge(a: Armed, windowStart: number, streams: readonly StreamStatus[] | null): void {
    const measure = a.measure;
    const now = measure ? measure.values(windowStart) : streamValues(a, streams);
    const perSource = a.rule.measure === 'distinct_dstports_per_src';
    const groups = new Set(now.keys());
    // A source seen before and absent now measures 0 there (no ports), so its episode can end.
    if (perSource) for (const g of a.series.keys()) groups.add(g);
    if (measure && !perSource) groups.add(TOPIC_GROUP);
    const windowMs = catalog.windowMs(a.rule.topicId);
    for (const g of groups) {
      let value: number | null = now.get(g) ?? (perSource ? 0 : null);
      if (a.rule.change && measure) {
        const back = a.rule.change.against === 'hour' ? 3_600_000 : 86_400_000;
        const before = measure.values(windowStart - Math.max(back, windowMs)).get(g) ?? null;
        value = value === null ? null : changePercent(a.rule.change.direction, value, before);
      }
      const held = seriesOf(a, g);
      if (!held) continue;
      held.last = windowStart;
      held.value = value;
      metrics.judged++;
      for (const n of held.s.observe(windowStart, value)) {
        const notice: AlertNotice = {
          ...n,
          ruleId: a.rule.id,
          ruleName: a.rule.name,
          topicId: a.rule.topicId,
          group: g,
          threshold: a.rule.threshold,
          at: clock.now(),
        };
        notices.push(notice);
        if (notices.length > config.maxNotices) notices.shift();
        metrics.notices++;
        deps.onNotice?.(notice);
      }
      if (held.s.state === 'firing' && value !== null)
        deps.onFiringWindow?.(a.rule.id, g, windowStart, value);
    }
  }

  /** Newest window judged per topic (published complete, or judged by `tick`). */
  const judgedTo = new Map<string, number>();
  /** Windows published before every log stream reported: their newest stream states, per topic. */
  const incomplete = new Map<string, Map<number, readonly StreamStatus[]>>();

  /** Every enabled log stream of the topic has reported in the window (records or NODATA). */
  function complete(agg: WindowAggregate): boolean {
    const seen = new Set(agg.streams.map((s) => s.streamId));
    return (catalog.topic(agg.topicId)?.streams ?? []).every((s) => !s.enabled || seen.has(s.id));
  }

  return {
    /**
     * Before the sources start: every query's measures from the store (up to now), so a restart
     * neither loses a window's earlier records nor the day before of change rules.
     */
    async start(): Promise<void> {
      await seed(clock.now() + 3_600_000);
      started = true;
    },
    /** Committed records of one stream (the record sink calls this, as for the live tail). */
    add(topicId: string, streamId: string, records: readonly FlowRecord[]): void {
      const t = byTopic.get(topicId);
      if (!t) return;
      const windowMs = catalog.windowMs(topicId);
      const nowWindow = alignToWindow(clock.now(), windowMs);
      // A copy with the topic and stream only when some query reads them (most do not).
      const copy = t.set.readsContext();
      for (const r of records) {
        const m = copy ? { ...r, topicId, streamId } : (r as MatchRecord);
        t.set.add(r.start === null ? nowWindow : windowStartOf(r.start, windowMs), m);
      }
    },
    /** A window revision was published: every rule of its topic is judged on that window. */
    onWindow(agg: WindowAggregate): void {
      const t = byTopic.get(agg.topicId);
      if (!t) return;
      // A window still reporting would judge a part of it (a sum too low, a stream not yet in it
      // silent): it waits until every stream reported, or until `tick` finds it overdue.
      if (!complete(agg)) {
        let held = incomplete.get(agg.topicId);
        if (!held) incomplete.set(agg.topicId, (held = new Map()));
        held.set(agg.windowStart, agg.streams);
        // Bounded (tick judges and drops them; without it the oldest go).
        if (held.size > MAX_INCOMPLETE) held.delete(Math.min(...held.keys()));
        return;
      }
      incomplete.get(agg.topicId)?.delete(agg.windowStart);
      for (const a of t.armed) judge(a, agg.windowStart, agg.streams);
      if (agg.windowStart > (judgedTo.get(agg.topicId) ?? -Infinity))
        judgedTo.set(agg.topicId, agg.windowStart);
    },
    /**
     * The clock's side, for windows that end `graceMs` or more ago: one published before every
     * stream reported is judged as it stands (the streams missing are silent), and one that no
     * revision came for as a window without records (every stream silent, sums 0), so a topic
     * whose streams all stopped still fires its silent-stream and traffic-drop rules. A revision
     * that comes after all is judged as a late one.
     */
    tick(): void {
      const graceMs = config.graceMs;
      const now = clock.now();
      for (const [topicId, t] of byTopic) {
        const windowMs = catalog.windowMs(topicId);
        const due = alignToWindow(now - graceMs, windowMs) - windowMs;
        const from = judgedTo.get(topicId);
        const held = incomplete.get(topicId) ?? new Map<number, readonly StreamStatus[]>();
        const windows = new Set([...held.keys()].filter((w) => w <= due));
        // On the first tick no window that never came is judged; afterwards, those that came due.
        if (from !== undefined)
          for (let w = from + windowMs; w <= due; w += windowMs) windows.add(w);
        for (const w of [...windows].sort((a, b) => a - b)) {
          const streams = held.get(w) ?? null;
          held.delete(w);
          for (const a of t.armed) judge(a, w, streams);
        }
        judgedTo.set(topicId, Math.max(from ?? due, due));
      }
      for (const topicId of incomplete.keys())
        if (!byTopic.has(topicId)) incomplete.delete(topicId);
    },
    /** Episodes that were firing before a restart: their series take them back (no new notice). */
    resume(open: readonly AlertEpisode[]): void {
      for (const e of open) {
        const a = byTopic.get(e.topicId)?.armed.find((x) => x.rule.id === e.ruleId);
        if (!a || a.rule.updatedAt > e.firedAt) continue;
        const held = seriesOf(a, e.group);
        if (!held) continue;
        held.s.resume(e.since, e.peak);
        held.last = e.lastWindow;
        held.value = e.value;
      }
    },
    status(): AlertStatus[] {
      const out: AlertStatus[] = [];
      for (const t of byTopic.values())
        for (const a of t.armed)
          for (const [group, v] of a.series)
            out.push({
              ruleId: a.rule.id,
              topicId: a.rule.topicId,
              group,
              state: v.s.state,
              windowStart: v.last,
              value: v.value,
            });
      return out;
    },
    notices: (): readonly AlertNotice[] => notices,
    metrics: () => ({ ...metrics }),
  };
}

export type AlertEngine = ReturnType<typeof createAlertEngine>;
