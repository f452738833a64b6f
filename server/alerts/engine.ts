// Alert evaluation on publication: rules are measured on the records as they are committed (the
// record sink, as the live tail) and judged when their window's revision is published, never on
// a timer. Each (rule, group) has its episodes (episodes.ts); what they tell goes to `onNotice`
// and into a bounded list of recent notices. Bounded throughout: groups per rule (the idle ones
// go first), notices kept.
import { changePercent, SUM_MEASURES } from '../../shared/alerts/rule.ts';
import type { AlertRuleEntity } from '../../shared/catalog.ts';
import { alignToWindow, windowStartOf } from '../../shared/capture-window.ts';
import type { WindowAggregate } from '../../shared/events.ts';
import { parseQuery } from '../../shared/query/index.ts';
import type { MatchRecord } from '../../shared/query/match.ts';
import type { FlowRecord } from '../../shared/record.ts';
import type { Catalog } from '../catalog/catalog.ts';
import type { Clock } from '../clock.ts';
import { RuleSeries, type AlertState, type Notice } from './episodes.ts';
import { createMeasureSet, TOPIC_GROUP, type TrackedMeasure } from './measure.ts';
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
}

export const defaultAlertEngineConfig: AlertEngineConfig = {
  maxGroupsPerRule: 1_000,
  maxNotices: 1_000,
};

interface Armed {
  rule: AlertRuleEntity;
  measure: TrackedMeasure;
  series: Map<string, { s: RuleSeries; last: number | null; value: number | null }>;
}

export function createAlertEngine(
  config: AlertEngineConfig,
  deps: {
    rules: RuleBook;
    catalog: Catalog;
    clock: Clock;
    onNotice?: (n: AlertNotice) => void;
  },
) {
  const { catalog, clock } = deps;
  let byTopic = new Map<string, { set: ReturnType<typeof createMeasureSet>; armed: Armed[] }>();
  const notices: AlertNotice[] = [];
  const metrics = { judged: 0, notices: 0, evictedGroups: 0 };

  /** Arms the enabled rules; a rule keeps its episodes across re-arming while it is unchanged. */
  function arm(): void {
    const old = new Map<string, Armed>();
    for (const t of byTopic.values()) for (const a of t.armed) old.set(a.rule.id, a);
    const next = new Map<string, { set: ReturnType<typeof createMeasureSet>; armed: Armed[] }>();
    for (const rule of deps.rules.list()) {
      if (!rule.enabled || !catalog.topic(rule.topicId)) continue;
      const q = parseQuery(rule.query);
      if (!q.ok) continue;
      let t = next.get(rule.topicId);
      if (!t) next.set(rule.topicId, (t = { set: createMeasureSet(), armed: [] }));
      const prev = old.get(rule.id);
      const same = prev && prev.rule.updatedAt === rule.updatedAt;
      t.armed.push({
        rule,
        measure: t.set.track({ measure: rule.measure, key: rule.query, where: q.ast }),
        series: same ? prev.series : new Map(),
      });
    }
    byTopic = next;
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

  function judge(a: Armed, windowStart: number): void {
    const now = a.measure.values(windowStart);
    const perSource = a.rule.measure === 'distinct_dstports_per_src';
    const groups = new Set(now.keys());
    // A source seen before and absent now measures 0 there (no ports), so its episode can end.
    if (perSource) for (const g of a.series.keys()) groups.add(g);
    if (!perSource) groups.add(TOPIC_GROUP);
    const windowMs = catalog.windowMs(a.rule.topicId);
    for (const g of groups) {
      let value: number | null = now.get(g) ?? (perSource ? 0 : null);
      if (a.rule.change) {
        const back = a.rule.change.against === 'hour' ? 3_600_000 : 86_400_000;
        const before = a.measure.values(windowStart - Math.max(back, windowMs)).get(g) ?? null;
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
    }
  }

  return {
    /** Committed records of one stream (the record sink calls this, as for the live tail). */
    add(topicId: string, streamId: string, records: readonly FlowRecord[]): void {
      const t = byTopic.get(topicId);
      if (!t) return;
      const windowMs = catalog.windowMs(topicId);
      const nowWindow = alignToWindow(clock.now(), windowMs);
      for (const r of records) {
        const m: MatchRecord = { ...r, topicId, streamId };
        t.set.add(r.start === null ? nowWindow : windowStartOf(r.start, windowMs), m);
      }
    },
    /** A window revision was published: every rule of its topic is judged on that window. */
    onWindow(agg: WindowAggregate): void {
      const t = byTopic.get(agg.topicId);
      if (!t) return;
      for (const a of t.armed) judge(a, agg.windowStart);
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
