// A topic's history from GET /api/topics/:id/windows: the charts' data for any range other than the
// live hour, or whenever a query is set. One request at a time (a newer one aborts the older); the
// data shown stays until the next answer replaces it, so charts never blank while loading.
import type { TopicWindows } from '../../shared/api.ts';
import type { ErrorBody } from '../../shared/reply.ts';
import { CLIENT_ERRORS, getJson, type FetchLike } from './api.ts';
import { isTopicWindows } from './wire.ts';

export interface HistoryParams {
  from: number;
  to: number;
  step: number;
  q: string;
}

/** Live ranges refresh at most this often (ms), and this long after the last signal. */
export const REFRESH_MIN_INTERVAL_MS = 5_000;
export const REFRESH_DEBOUNCE_MS = 1_000;

/** How long to wait before refreshing, given when the last load started (local ms). */
export function refreshDelay(lastStart: number | null, now: number): number {
  if (lastStart === null) return REFRESH_DEBOUNCE_MS;
  return Math.max(REFRESH_DEBOUNCE_MS, lastStart + REFRESH_MIN_INTERVAL_MS - now);
}

export class TopicHistory {
  readonly topicId: string;
  /** The newest answer; kept while a newer request runs. */
  data = $state.raw<TopicWindows | null>(null);
  /** Parameters of `data`. */
  params = $state.raw<HistoryParams | null>(null);
  loading = $state(false);
  /** The newest request's error (data stays as it was); null after a success. */
  error = $state.raw<ErrorBody | null>(null);
  /** Completed loads, for tests. */
  loads = $state(0);

  #abort: AbortController | null = null;
  #seq = 0;
  #lastStart: number | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #fetch: FetchLike | undefined;

  constructor(topicId: string, fetchFn?: FetchLike) {
    this.topicId = topicId;
    this.#fetch = fetchFn;
  }

  /** Loads now, cancelling a running request and a scheduled refresh. */
  async load(params: HistoryParams): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#abort?.abort();
    const abort = new AbortController();
    this.#abort = abort;
    const seq = ++this.#seq;
    this.#lastStart = Date.now();
    this.loading = true;
    const reply = await getJson<TopicWindows>(
      `/api/topics/${encodeURIComponent(this.topicId)}/windows`,
      { from: params.from, to: params.to, step: params.step, q: params.q },
      abort.signal,
      { check: isTopicWindows, ...(this.#fetch ? { fetch: this.#fetch } : {}) },
    );
    if (seq !== this.#seq) return;
    this.#abort = null;
    this.loading = false;
    this.loads++;
    if (reply.ok) {
      this.data = reply.data;
      this.params = params;
      this.error = null;
    } else if (reply.error.code !== CLIENT_ERRORS.aborted) {
      this.error = reply.error;
    }
  }

  /** Schedules a refresh (new data published): debounced, at most every REFRESH_MIN_INTERVAL_MS. */
  refreshSoon(params: () => HistoryParams | null): void {
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        const p = params();
        if (p) void this.load(p);
      },
      refreshDelay(this.#lastStart, Date.now()),
    );
  }

  /** Fails without asking the server (a filter the client already knows is bad); the data stays. */
  fail(error: ErrorBody): void {
    this.stop();
    this.error = error;
  }

  /** Forgets the data (the live view took over: a later range must not show this one meanwhile). */
  clear(): void {
    this.stop();
    this.data = null;
    this.params = null;
    this.error = null;
  }

  /** Cancels everything; the data stays. */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#seq++;
    this.#abort?.abort();
    this.#abort = null;
    this.loading = false;
  }
}
