// Alerting's memory: the episodes (one per time a rule fired, until it resolved: its windows, peak,
// and who acknowledged it), the silences (no notifications for a rule or a topic until a time,
// with a reason and who set it) and the webhook delivery log. Kept with the catalog in the store,
// so the history page, the delivery log and the open episodes survive a restart (the engine takes
// the open ones back: no second notice), and every process of a cluster shows the same.
// Bounded: the newest `maxEpisodes` are kept, the oldest resolved ones go first; silences at most
// `maxSilences`; the newest `maxDeliveries` deliveries. Changes are stored one at a time, in call
// order; listeners hear of each.
import {
  ackInputSchema,
  silenceInputSchema,
  silences as holdsRule,
  type AlertDelivery,
  type AlertEpisode,
  type AlertSilence,
} from '../../shared/alerts/episode.ts';
import { extreme } from '../../shared/alerts/rule.ts';
import type { AlertRuleEntity, CatalogEntities } from '../../shared/catalog.ts';
import type { Catalog } from '../catalog/catalog.ts';
import {
  CatalogRefusal,
  invalid,
  notFound,
  parse,
  randomId,
  serialQueue,
} from '../catalog/manage.ts';
import type { Clock } from '../clock.ts';
import type { Store } from '../store/contract.ts';
import type { CatalogChange } from '../store/types.ts';
import type { AlertNotice } from './engine.ts';

export interface AlertHistoryLimits {
  maxEpisodes: number;
  maxSilences: number;
  maxDeliveries: number;
}

export const defaultAlertHistoryLimits: AlertHistoryLimits = {
  maxEpisodes: 2_000,
  maxSilences: 200,
  maxDeliveries: 500,
};

export interface EpisodeFilter {
  topicId?: string;
  ruleId?: string;
  state?: 'firing' | 'resolved';
  /** Episodes that overlap [from, to) (by their windows). */
  from?: number;
  to?: number;
  limit?: number;
}

const key = (ruleId: string, group: string) => `${ruleId}\u0000${group}`;

/** What the history keeps, as the store's catalog holds it. */
export interface StoredHistory {
  episodes?: readonly AlertEpisode[];
  silences?: readonly AlertSilence[];
  deliveries?: readonly AlertDelivery[];
}

/** The history's part of a stored catalog (at a start, and when another process changed it). */
export function historyOf(e: CatalogEntities): StoredHistory {
  return {
    episodes: e.alertEpisodes ?? [],
    silences: e.alertSilences ?? [],
    deliveries: e.alertDeliveries ?? [],
  };
}

export function createAlertHistory(
  deps: {
    store: Pick<Store, 'saveCatalog'>;
    catalog: Catalog;
    clock: Clock;
    rule: (id: string) => AlertRuleEntity | undefined;
    warn: (msg: string) => void;
  },
  initial: StoredHistory,
  limits: AlertHistoryLimits = defaultAlertHistoryLimits,
) {
  const episodes = new Map<string, AlertEpisode>();
  const silences = new Map<string, AlertSilence>();
  /** In the order they happened (a Map keeps insertion order). */
  const deliveries = new Map<string, AlertDelivery>();
  const open = new Map<string, AlertEpisode>();
  /** Takes what is stored in place of what is held. */
  function fill(stored: StoredHistory): void {
    episodes.clear();
    open.clear();
    for (const e of stored.episodes ?? []) {
      episodes.set(e.id, e);
      if (e.state === 'firing') open.set(key(e.ruleId, e.group), e);
    }
    silences.clear();
    for (const s of stored.silences ?? []) silences.set(s.id, s);
    deliveries.clear();
    for (const d of [...(stored.deliveries ?? [])].sort((a, b) => a.at - b.at))
      deliveries.set(d.id, d);
  }
  fill(initial);
  const listeners = new Set<() => void>();
  const serial = serialQueue();
  let version = 0;
  const changed = () => {
    version++;
    for (const l of listeners) l();
  };

  /** Stores episodes (and drops the oldest resolved ones past the bound); logged, never thrown. */
  function persist(upsert: AlertEpisode[]): Promise<void> {
    const drop: string[] = [];
    if (episodes.size > limits.maxEpisodes) {
      const resolved = [...episodes.values()]
        .filter((e) => e.state === 'resolved')
        .sort((a, b) => a.firedAt - b.firedAt);
      for (const e of resolved.slice(0, episodes.size - limits.maxEpisodes)) {
        episodes.delete(e.id);
        drop.push(e.id);
      }
    }
    return save(
      {
        upsert: { alertEpisodes: upsert },
        ...(drop.length > 0 ? { remove: { alertEpisodes: drop } } : {}),
      },
      'alert history',
    );
  }

  /** A change stored after those before it; a failure is logged (`what` not stored), never thrown. */
  function save(change: CatalogChange, what: string): Promise<void> {
    return serial(() => deps.store.saveCatalog(change)).then(
      () => {},
      (err: Error) => deps.warn(`${what} not stored: ${err.message}`),
    );
  }

  function close(e: AlertEpisode, end: number, value: number): AlertEpisode {
    const done: AlertEpisode = { ...e, state: 'resolved', end, lastWindow: end, value };
    episodes.set(e.id, done);
    open.delete(key(e.ruleId, e.group));
    return done;
  }

  const activeSilences = () => {
    const now = deps.clock.now();
    return [...silences.values()].filter((s) => s.until > now);
  };

  return {
    version: () => version,
    onChange(listener: () => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    /** Open episodes (firing), newest first. */
    active: (topicId?: string) =>
      [...open.values()]
        .filter((e) => topicId === undefined || e.topicId === topicId)
        .sort((a, b) => b.firedAt - a.firedAt),
    episodes(f: EpisodeFilter = {}): AlertEpisode[] {
      const out = [...episodes.values()].filter(
        (e) =>
          (f.topicId === undefined || e.topicId === f.topicId) &&
          (f.ruleId === undefined || e.ruleId === f.ruleId) &&
          (f.state === undefined || e.state === f.state) &&
          (f.to === undefined || e.since < f.to) &&
          (f.from === undefined || (e.end ?? e.lastWindow) >= f.from),
      );
      out.sort((a, b) => b.firedAt - a.firedAt || b.since - a.since);
      return out.slice(0, f.limit ?? 500);
    },
    episode: (id: string) => episodes.get(id),
    /** Silences still holding, soonest to end first. */
    silences: () => activeSilences().sort((a, b) => a.until - b.until),
    /** The silence holding `rule`'s notifications now, if any. */
    silencing(rule: { id: string; topicId: string }): AlertSilence | undefined {
      const now = deps.clock.now();
      return activeSilences().find((s) => holdsRule(s, rule, now));
    },

    /**
     * A notice from the engine: a firing one opens an episode (`silenced`: a silence held its
     * notifications), a resolved one closes it, a reopened one fires it again.
     */
    record(n: AlertNotice, silenced = false): AlertEpisode | null {
      const k = key(n.ruleId, n.group);
      const held = open.get(k);
      const rule = deps.rule(n.ruleId);
      if (n.kind === 'firing') {
        // An episode still open for the pair (it should not be) is closed first.
        const upsert: AlertEpisode[] = [];
        if (held) upsert.push(close(held, n.windowStart, held.value));
        const e: AlertEpisode = {
          id: randomId('episode-', 10),
          ruleId: n.ruleId,
          ruleName: n.ruleName,
          topicId: n.topicId,
          group: n.group,
          state: 'firing',
          since: n.since,
          lastWindow: n.windowStart,
          end: null,
          value: n.value,
          peak: n.peak,
          threshold: n.threshold,
          query: rule?.query ?? '',
          measure: rule?.measure ?? 'records',
          op: rule?.op ?? '>',
          change: rule?.change ?? null,
          firedAt: n.at,
          ackedBy: null,
          ackedAt: null,
          silenced,
        };
        episodes.set(e.id, e);
        open.set(k, e);
        upsert.push(e);
        void persist(upsert);
        changed();
        return e;
      }
      if (n.kind === 'reopened') {
        // The same run holds again after a late revision: its episode fires again, as it was.
        if (held) return held;
        const last = [...episodes.values()]
          .filter((e) => e.ruleId === n.ruleId && e.group === n.group && e.since === n.since)
          .sort((a, b) => b.firedAt - a.firedAt)[0];
        if (!last) return null;
        const again: AlertEpisode = {
          ...last,
          state: 'firing',
          end: null,
          lastWindow: Math.max(last.lastWindow, n.windowStart),
          value: n.value,
          peak: n.peak,
        };
        episodes.set(again.id, again);
        open.set(k, again);
        void persist([again]);
        changed();
        return again;
      }
      if (!held) return null;
      const done = close(held, n.windowStart, n.value);
      episodes.set(done.id, { ...done, peak: n.peak });
      void persist([episodes.get(done.id)!]);
      changed();
      return episodes.get(done.id)!;
    },
    /** One more window judged while firing: the episode's newest window and peak (in memory). */
    firingWindow(ruleId: string, group: string, windowStart: number, value: number): void {
      const e = open.get(key(ruleId, group));
      if (!e || windowStart < e.lastWindow) return;
      const rule = deps.rule(ruleId);
      const peak = extreme(rule?.op ?? '>', e.peak, value);
      if (windowStart === e.lastWindow && peak === e.peak && value === e.value) return;
      const next = { ...e, lastWindow: windowStart, value, peak };
      episodes.set(e.id, next);
      open.set(key(ruleId, group), next);
      changed();
    },
    /** A rule changed, was switched off or removed: its open episodes end where they were. */
    retire(ruleId: string): void {
      const done = [...open.values()]
        .filter((e) => e.ruleId === ruleId)
        .map((e) => close(e, e.lastWindow, e.value));
      if (done.length === 0) return;
      void persist(done);
      changed();
    },
    ack: (id: string, body: unknown) =>
      serial(async () => {
        const { by } = parse(ackInputSchema, body);
        const e = episodes.get(id);
        if (!e) throw notFound('alert episode', id);
        const next: AlertEpisode = { ...e, ackedBy: by, ackedAt: deps.clock.now() };
        await deps.store.saveCatalog({ upsert: { alertEpisodes: [next] } });
        episodes.set(id, next);
        if (open.get(key(e.ruleId, e.group))?.id === id) open.set(key(e.ruleId, e.group), next);
        changed();
        return next;
      }),
    silence: (body: unknown) =>
      serial(async () => {
        const input = parse(silenceInputSchema, body);
        if (input.topicId !== undefined && !deps.catalog.topic(input.topicId))
          throw invalid([
            { path: 'topicId', message: `no topic ${JSON.stringify(input.topicId)}` },
          ]);
        if (input.ruleId !== undefined && !deps.rule(input.ruleId))
          throw invalid([{ path: 'ruleId', message: `no rule ${JSON.stringify(input.ruleId)}` }]);
        const now = deps.clock.now();
        // Ended silences make room first; past the bound, a new one is refused.
        const ended = [...silences.values()].filter((s) => s.until <= now).map((s) => s.id);
        if (silences.size - ended.length >= limits.maxSilences)
          throw new CatalogRefusal(409, 'too_many', `at most ${limits.maxSilences} silences`);
        const s: AlertSilence = {
          id: randomId('silence-'),
          topicId: input.topicId ?? null,
          ruleId: input.ruleId ?? null,
          until: now + input.minutes * 60_000,
          reason: input.reason,
          by: input.by,
          createdAt: now,
        };
        await deps.store.saveCatalog({
          upsert: { alertSilences: [s] },
          ...(ended.length > 0 ? { remove: { alertSilences: ended } } : {}),
        });
        for (const id of ended) silences.delete(id);
        silences.set(s.id, s);
        changed();
        return s;
      }),
    unsilence: (id: string) =>
      serial(async () => {
        if (!silences.has(id)) throw notFound('silence', id);
        await deps.store.saveCatalog({ remove: { alertSilences: [id] } });
        silences.delete(id);
        changed();
        return { id };
      }),
    /**
     * A webhook delivery attempt (or one not attempted, with why), stored; past the bound the
     * oldest goes. Logged, never thrown.
     */
    delivered(d: Omit<AlertDelivery, 'id'>): void {
      const entry: AlertDelivery = { id: randomId('delivery-', 10), ...d };
      deliveries.set(entry.id, entry);
      const drop: string[] = [];
      for (const id of deliveries.keys()) {
        if (deliveries.size <= limits.maxDeliveries) break;
        deliveries.delete(id);
        drop.push(id);
      }
      void save(
        {
          upsert: { alertDeliveries: [entry] },
          ...(drop.length > 0 ? { remove: { alertDeliveries: drop } } : {}),
        },
        'alert delivery log',
      );
      changed();
    },
    /** Resolves when every change made so far is in the store (tests; a shutdown). */
    stored: (): Promise<void> => serial(async () => {}),
    /** The delivery log, oldest first. */
    deliveries: (): AlertDelivery[] => [...deliveries.values()],
    /** Another process changed them: take the stored ones. */
    replace(stored: StoredHistory) {
      fill(stored);
      changed();
    },
  };
}

export type AlertHistory = ReturnType<typeof createAlertHistory>;
