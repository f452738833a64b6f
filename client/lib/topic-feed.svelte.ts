// One topic's live data: snapshot on subscribe (and on every reconnect), then window:published
// deltas merged in place by revision into a bounded buffer (see windows.ts).
import { MIN_WINDOW_MS } from '../../shared/capture-window.ts';
import type {
  CatalogUpdate,
  TopicSnapshot,
  TopicSubscribe,
  WindowAggregate,
} from '../../shared/events.ts';
import type { TopicInfo } from '../../shared/catalog.ts';
import type { ErrorBody } from '../../shared/reply.ts';
import type { FreshnessSource } from './connection.svelte.ts';
import type { AppSocket } from './socket.ts';
import { usualDelay } from './stats.ts';
import type { Encoded } from '../../shared/encoded.ts';
import { decodeSnapshot, Subscription } from './subscription.svelte.ts';
import { mergeWindows } from './windows.ts';
import { drop, isCatalogUpdate, isWindowAggregate } from './wire.ts';

/** The User Timing mark of a live window update on the page. */
export const UPDATE_MARK = 'flowdeck:update';
const updateMarks = { revisions: 0, commits: 0 };

/** Stale when no window newer than this many window lengths (plus the usual delay) has arrived. */
export const STALE_WINDOWS = 3;

/**
 * Live revisions are merged into the page at most this often. Log streams publish a window's
 * records staggered, one batch each (hundreds of ENIs: several a second); each merge redraws the
 * charts, so a burst is drawn once. One alone is drawn at once; the rest wait at most this long.
 */
export const COMMIT_MS = 2_000;

export class TopicFeed implements FreshnessSource {
  readonly topicId: string;
  topic = $state.raw<TopicInfo | null>(null);
  /** Oldest first, highest revision per windowStart, bounded. */
  windows = $state.raw<WindowAggregate[]>([]);
  /** The topic was deleted while the page was open. */
  deleted = $state(false);
  /** window:published revisions merged since the page loaded. */
  updates = $state(0);
  /** Merges of those into `windows` (a burst of revisions is one). */
  commits = $state(0);
  lastDataAt = $state<number | null>(null);

  latest = $derived(this.windows.at(-1) ?? null);
  /** The topic's window length, ms. */
  windowMs = $derived((this.topic?.windowSec ?? MIN_WINDOW_MS / 1000) * 1000);
  delay = $derived(usualDelay(this.windows));

  /** Server time the last message was stamped with, and the estimated server/local clock rate. */
  #lastDataServer = $state<number | null>(null);
  #subscribedServer = $state<number | null>(null);
  #rate = $state(1);

  staleAt: number | null = $derived.by(() => {
    if (this.lastDataAt === null || this.#lastDataServer === null) return null;
    const newest = this.latest;
    const reference = newest ? newest.windowStart + newest.windowMs : this.#subscribedServer;
    if (reference === null) return null;
    const deadline = reference + STALE_WINDOWS * this.windowMs + this.delay;
    return this.lastDataAt + Math.max(0, deadline - this.#lastDataServer) / this.#rate;
  });

  /** Windows received by resumes (a reconnect to the same server), since the page loaded. */
  resumedWindows = $state(0);

  #socket: AppSocket;
  #subscription: Subscription<Encoded<TopicSnapshot>, TopicSnapshot>;
  /** The server process our windows came from. */
  #instance: string | null = null;
  /** Revisions received and not merged yet, and when (local time) the newest arrived. */
  #pending: WindowAggregate[] = [];
  #pendingLocal = 0;
  #commitTimer: ReturnType<typeof setTimeout> | null = null;
  #lastCommit = -Infinity;

  constructor(topicId: string, socket: AppSocket) {
    this.topicId = topicId;
    this.#socket = socket;
    this.#subscription = new Subscription(socket, {
      ask: (timed, ack) => timed.emit('topic:subscribe', this.#request(), ack),
      leave: (s) => s.emit('topic:unsubscribe', { topicId }),
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

  /** Estimated server time at local time `local` (reactive), or null before any data. */
  serverNow(local: number): number | null {
    if (this.lastDataAt === null || this.#lastDataServer === null) return null;
    return this.#lastDataServer + (local - this.lastDataAt) * this.#rate;
  }

  /** Subscribes now (if connected) and on every reconnect; returns the stop function. */
  start(): () => void {
    const socket = this.#socket;
    socket.on('window:published', this.#onWindow);
    socket.on('catalog:updated', this.#onCatalog);
    const stop = this.#subscription.start();
    return () => {
      stop();
      this.#dropPending();
      socket.off('window:published', this.#onWindow);
      socket.off('catalog:updated', this.#onCatalog);
    };
  }

  /** The topic was renamed, got or lost flow logs, or was deleted (then the page says so). */
  #onCatalog = (update: CatalogUpdate): void => {
    if (!isCatalogUpdate(update)) return drop('catalog:updated', update);
    if (this.#subscription.stopped) return;
    const topic = update.logsets.flatMap((l) => l.topics).find((t) => t.id === this.topicId);
    if (topic) this.topic = topic;
    else if (this.topic) this.deleted = true;
  };

  /** The subscribe request: on a reconnect, what we hold, so the same server sends only the rest. */
  #request(): TopicSubscribe {
    const newest = this.#newestPublished();
    return newest !== null && this.#instance !== null
      ? { topicId: this.topicId, since: { publishedAt: newest, instance: this.#instance } }
      : { topicId: this.topicId };
  }

  #newestPublished(): number | null {
    let newest: number | null = null;
    for (const w of this.windows)
      if (newest === null || w.publishedAt > newest) newest = w.publishedAt;
    return newest;
  }

  #onSnapshot = (snap: TopicSnapshot, local: number): void => {
    const { topic, windows, serverTime } = snap;
    this.#subscription.clock.sample(serverTime, local);
    this.topic = topic;
    // A full snapshot from another server process (a restart), or from a server whose clock is
    // behind our newest window, replaces what we hold; a resume or the same server's merges in.
    const newest = this.windows.at(-1);
    const otherServer =
      !snap.resumed &&
      ((this.#instance !== null && snap.instance !== this.#instance) ||
        (newest !== undefined && serverTime < newest.windowStart));
    this.#instance = typeof snap.instance === 'string' ? snap.instance : null;
    if (snap.resumed) this.resumedWindows += windows.length;
    // Revisions waiting to be merged are older than this answer or in it: it is merged at once.
    const waiting = otherServer ? [] : this.#pending;
    this.#dropPending();
    const held = otherServer ? [] : this.windows;
    const merged = mergeWindows(held, [...waiting, ...windows.filter(isWindowAggregate)]);
    this.windows = merged.windows;
    this.#subscribedServer = serverTime;
    this.#noteData(serverTime, local);
  };

  #onWindow = (update: WindowAggregate): void => {
    if (!isWindowAggregate(update)) return drop('window:published', update);
    if (update.topicId !== this.topicId || this.#subscription.stopped) return;
    const local = Date.now();
    this.#subscription.clock.sample(update.publishedAt, local);
    this.#pending.push(update);
    this.#pendingLocal = local;
    if (this.#commitTimer !== null) return;
    const wait = this.#lastCommit + COMMIT_MS - local;
    if (wait <= 0) this.#commit();
    else this.#commitTimer = setTimeout(this.#commit, wait);
  };

  /** Merges the revisions received since the last merge: one redraw for a burst. */
  #commit = (): void => {
    this.#commitTimer = null;
    const pending = this.#pending;
    if (pending.length === 0) return;
    this.#pending = [];
    this.#lastCommit = Date.now();
    const { windows, applied } = mergeWindows(this.windows, pending);
    if (applied > 0) {
      this.windows = windows;
      this.updates += applied;
      this.commits += 1;
      // A User Timing mark per merge (its detail counts revisions and merges): `npm run bench
      // browser` measures the page's work after it. Cleared now and then, so the marks stay few.
      updateMarks.revisions += applied;
      updateMarks.commits += 1;
      if (updateMarks.commits % 256 === 0) performance.clearMarks(UPDATE_MARK);
      performance.mark(UPDATE_MARK, { detail: { ...updateMarks } });
    }
    this.#noteData(pending.at(-1)!.publishedAt, this.#pendingLocal);
  };

  #dropPending(): void {
    if (this.#commitTimer !== null) clearTimeout(this.#commitTimer);
    this.#commitTimer = null;
    this.#pending = [];
  }

  #noteData(server: number, local: number): void {
    this.lastDataAt = local;
    this.#lastDataServer = server;
    this.#rate = this.#subscription.clock.rate;
  }
}
