// Alerting as the pages show it: the episodes firing now, the silences holding, and the recent
// episodes (the charts mark their windows). GET /api/alerts and /api/alerts/episodes once, then
// again whenever the server says something changed ('alerts:changed'); a burst of changes is one
// reload. Acknowledging and silencing go through the API; the change comes back the same way.
import { silences, type AlertEpisode, type AlertSilence } from '../../shared/alerts/episode.ts';
import type { ErrorBody, Reply } from '../../shared/reply.ts';
import { getJson, sendJson } from './api.ts';
import type { AppSocket } from './socket.ts';

interface AlertsNow {
  version: number;
  firing: AlertEpisode[];
  silences: AlertSilence[];
}

const isNow = (v: unknown): v is AlertsNow =>
  typeof v === 'object' &&
  v !== null &&
  Array.isArray((v as AlertsNow).firing) &&
  Array.isArray((v as AlertsNow).silences);
const isEpisodes = (v: unknown): v is AlertEpisode[] => Array.isArray(v);

/** Recent episodes kept for the charts' marks and the overview (the history page asks for more). */
const RECENT = 300;
const ACK_NAME_KEY = 'flowdeck:ack-by';

export class AlertsState {
  firing = $state.raw<AlertEpisode[]>([]);
  silences = $state.raw<AlertSilence[]>([]);
  recent = $state.raw<AlertEpisode[]>([]);
  loaded = $state(false);
  error = $state.raw<ErrorBody | null>(null);
  /** Bumped on every reload (pages that list more than `recent` read again). */
  version = $state(0);

  #socket: AppSocket;
  #loading: Promise<void> | null = null;
  #again = false;

  constructor(socket: AppSocket) {
    this.#socket = socket;
  }

  /** Firing episodes of a topic, newest first. */
  firingOf(topicId: string): AlertEpisode[] {
    return this.firing.filter((e) => e.topicId === topicId);
  }

  /** Episodes of a topic that overlap [from, to): the charts mark their windows. */
  episodesOf(topicId: string, from: number, to: number): AlertEpisode[] {
    return this.recent.filter(
      (e) => e.topicId === topicId && e.since < to && (e.end ?? e.lastWindow) >= from,
    );
  }

  /** The silence holding a rule's or topic's notices now, if any. */
  silenceOf(rule: { id: string; topicId: string }, now = Date.now()): AlertSilence | undefined {
    return this.silences.find((s) => silences(s, rule, now));
  }

  start(): () => void {
    this.#socket.on('alerts:changed', this.#onChanged);
    this.#socket.on('connect', this.#onChanged);
    void this.reload();
    return () => {
      this.#socket.off('alerts:changed', this.#onChanged);
      this.#socket.off('connect', this.#onChanged);
    };
  }

  /** Reads again; a reload asked for while one runs runs once more after it. */
  reload(): Promise<void> {
    if (this.#loading) {
      this.#again = true;
      return this.#loading;
    }
    this.#loading = this.#load().finally(() => {
      this.#loading = null;
      if (this.#again) {
        this.#again = false;
        void this.reload();
      }
    });
    return this.#loading;
  }

  async #load(): Promise<void> {
    const [now, recent] = await Promise.all([
      getJson<AlertsNow>('/api/alerts', {}, undefined, { check: isNow }),
      getJson<AlertEpisode[]>('/api/alerts/episodes', { limit: RECENT }, undefined, {
        check: isEpisodes,
      }),
    ]);
    this.loaded = true;
    if (!now.ok) {
      this.error = now.error;
      return;
    }
    this.error = null;
    this.firing = now.data.firing;
    this.silences = now.data.silences;
    if (recent.ok) this.recent = recent.data;
    this.version++;
  }

  #onChanged = (): void => {
    void this.reload();
  };

  /** The name acknowledgements and silences are signed with (kept in this browser). */
  get signedAs(): string {
    try {
      return localStorage.getItem(ACK_NAME_KEY) ?? '';
    } catch {
      return '';
    }
  }
  set signedAs(name: string) {
    try {
      localStorage.setItem(ACK_NAME_KEY, name.trim());
    } catch {
      // Private mode: asked again next time.
    }
  }

  async ack(episodeId: string, by: string): Promise<Reply<AlertEpisode>> {
    this.signedAs = by;
    const r = await sendJson<AlertEpisode>(
      'POST',
      `/api/alerts/episodes/${encodeURIComponent(episodeId)}/ack`,
      { by },
    );
    if (r.ok) void this.reload();
    return r;
  }

  async silence(input: {
    topicId?: string;
    ruleId?: string;
    minutes: number;
    reason: string;
    by: string;
  }): Promise<Reply<AlertSilence>> {
    this.signedAs = input.by;
    const r = await sendJson<AlertSilence>('POST', '/api/alerts/silences', input);
    if (r.ok) void this.reload();
    return r;
  }

  async unsilence(id: string): Promise<Reply<{ id: string }>> {
    const r = await sendJson<{ id: string }>(
      'DELETE',
      `/api/alerts/silences/${encodeURIComponent(id)}`,
    );
    if (r.ok) void this.reload();
    return r;
  }
}
