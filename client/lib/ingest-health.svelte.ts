// A topic's ingest health (GET /api/topics/:id/ingest), refreshed on a timer while shown.
import type { TopicIngestHealth } from '../../shared/api.ts';
import type { ErrorBody } from '../../shared/reply.ts';
import { getJson } from './api.ts';

const isHealth = (v: unknown): v is TopicIngestHealth =>
  typeof v === 'object' &&
  v !== null &&
  Array.isArray((v as TopicIngestHealth).minutes) &&
  Array.isArray((v as TopicIngestHealth).streams) &&
  Array.isArray((v as TopicIngestHealth).lastErrors);

export class TopicIngest {
  data = $state.raw<TopicIngestHealth | null>(null);
  error = $state.raw<ErrorBody | null>(null);
  /** Local time the data arrived. */
  loadedAt = $state<number | null>(null);

  readonly topicId: string;
  #timer: ReturnType<typeof setInterval> | undefined;
  #abort: AbortController | null = null;

  constructor(topicId: string) {
    this.topicId = topicId;
  }

  async load(): Promise<void> {
    this.#abort?.abort();
    const abort = (this.#abort = new AbortController());
    const r = await getJson<TopicIngestHealth>(
      `/api/topics/${encodeURIComponent(this.topicId)}/ingest`,
      {},
      abort.signal,
      { check: isHealth },
    );
    if (abort.signal.aborted) return;
    if (r.ok) {
      this.data = r.data;
      this.error = null;
      this.loadedAt = Date.now();
    } else if (r.error.code !== 'aborted') this.error = r.error;
  }

  /** Loads now and every `everyMs`; returns the stop function. */
  start(everyMs = 10_000): () => void {
    void this.load();
    this.#timer = setInterval(() => void this.load(), everyMs);
    return () => {
      clearInterval(this.#timer);
      this.#abort?.abort();
    };
  }
}
