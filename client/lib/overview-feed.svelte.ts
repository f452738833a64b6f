// The overview's live data: logsets and one pulse per topic (snapshot on subscribe and on every
// reconnect, then pulse:updated replaces a topic's pulse).
import { MIN_WINDOW_MS } from '../../shared/capture-window.ts';
import type { CatalogUpdate, Overview, TopicPulse } from '../../shared/events.ts';
import type { LogsetInfo } from '../../shared/catalog.ts';
import type { ErrorBody } from '../../shared/reply.ts';
import type { FreshnessSource } from './connection.svelte.ts';
import { rememberLogsets } from './logsets.ts';
import type { AppSocket } from './socket.ts';
import type { Encoded } from '../../shared/encoded.ts';
import { decodeSnapshot, Subscription } from './subscription.svelte.ts';
import { STALE_WINDOWS } from './topic-feed.svelte.ts';
import { drop, isCatalogUpdate, isTopicPulse } from './wire.ts';

/** A topic is fresh while its last publication is at most this old (server time). */
export const pulseFreshMs = (pulse: TopicPulse): number => STALE_WINDOWS * pulse.windowMs;
/** Sparkline bound: an hour of windows plus a margin. */
const MAX_SPARK = 66;

export type PulseStatus = 'live' | 'stale' | 'idle';

/** A topic's status from its last publication and the (estimated) server time. */
export function pulseStatus(pulse: TopicPulse | undefined, serverNow: number | null): PulseStatus {
  if (!pulse || pulse.lastPublishedAt === null) return 'idle';
  if (serverNow === null) return 'live';
  return serverNow - pulse.lastPublishedAt <= pulseFreshMs(pulse) ? 'live' : 'stale';
}

export class OverviewFeed implements FreshnessSource {
  logsets = $state.raw<LogsetInfo[]>([]);
  /** Per topic id; replaced (never mutated) on every update. */
  pulses = $state.raw<Readonly<Record<string, TopicPulse>>>({});
  lastDataAt = $state<number | null>(null);

  /** Anchor of the estimated server clock: server time `server` at local time `local`. */
  #anchor = $state.raw<{ server: number; local: number; rate: number } | null>(null);

  /** Server time until which some topic is fresh (its last publication plus its fresh span). */
  freshUntil = $derived.by(() => {
    let until: number | null = null;
    for (const p of Object.values(this.pulses)) {
      if (p.lastPublishedAt === null) continue;
      const t = p.lastPublishedAt + pulseFreshMs(p);
      if (until === null || t > until) until = t;
    }
    return until;
  });

  staleAt: number | null = $derived.by(() => {
    const a = this.#anchor;
    if (!a) return null;
    const until = this.freshUntil ?? a.server + STALE_WINDOWS * MIN_WINDOW_MS;
    return a.local + Math.max(0, until - a.server) / a.rate;
  });

  #socket: AppSocket;
  #subscription: Subscription<Encoded<Overview>, Overview>;
  #catalogVersion = 0;

  constructor(socket: AppSocket) {
    this.#socket = socket;
    this.#subscription = new Subscription(socket, {
      ask: (timed, ack) => timed.emit('overview:subscribe', ack),
      leave: (s) => s.emit('overview:unsubscribe'),
      decode: decodeSnapshot,
      snapshot: this.#onSnapshot,
    });
  }

  get error(): ErrorBody | null {
    return this.#subscription.error;
  }

  /** True once the first subscribe answered (with data or an error). */
  get loaded(): boolean {
    return this.#subscription.loaded;
  }

  /** Estimated server time at local time `local`. */
  serverNow(local: number): number | null {
    const a = this.#anchor;
    return a ? a.server + (local - a.local) * a.rate : null;
  }

  /** Subscribes now (if connected) and on every reconnect; returns the stop function. */
  start(): () => void {
    const socket = this.#socket;
    socket.on('pulse:updated', this.#onPulse);
    socket.on('catalog:updated', this.#onCatalog);
    const stop = this.#subscription.start();
    return () => {
      stop();
      socket.off('pulse:updated', this.#onPulse);
      socket.off('catalog:updated', this.#onCatalog);
    };
  }

  /** Topics created, renamed or deleted: the overview follows without a reload. */
  #onCatalog = (update: CatalogUpdate): void => {
    if (!isCatalogUpdate(update)) return drop('catalog:updated', update);
    if (this.#subscription.stopped || update.version < this.#catalogVersion) return;
    this.#catalogVersion = update.version;
    this.logsets = update.logsets;
    rememberLogsets(update.logsets);
    const ids = update.logsets.flatMap((l) => l.topics.map((t) => t.id));
    this.pulses = Object.fromEntries(
      Object.entries(this.pulses).filter(([id]) => ids.includes(id)),
    );
  };

  #onSnapshot = (data: Overview, local: number): void => {
    this.#catalogVersion = data.catalogVersion;
    this.logsets = data.logsets;
    rememberLogsets(data.logsets);
    this.pulses = Object.fromEntries(
      data.pulses.filter(isTopicPulse).map((p) => [p.topicId, bounded(p)]),
    );
    this.#noteData(data.serverTime, local);
  };

  #onPulse = (pulse: TopicPulse): void => {
    if (!isTopicPulse(pulse)) return drop('pulse:updated', pulse);
    if (this.#subscription.stopped) return;
    this.pulses = { ...this.pulses, [pulse.topicId]: bounded(pulse) };
    if (pulse.lastPublishedAt !== null) this.#noteData(pulse.lastPublishedAt, Date.now());
  };

  #noteData(server: number, local: number): void {
    const clock = this.#subscription.clock;
    clock.sample(server, local);
    this.lastDataAt = local;
    this.#anchor = { server, local, rate: clock.rate };
  }
}

function bounded(p: TopicPulse): TopicPulse {
  return p.spark.length > MAX_SPARK ? { ...p, spark: p.spark.slice(-MAX_SPARK) } : p;
}
