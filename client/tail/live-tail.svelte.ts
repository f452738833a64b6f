// A topic's live tail on the page: subscribes over the socket with the dashboard's query (again on
// every reconnect and on a new query), takes batches into a bounded TailBuffer, and shows the
// newest rows at most FRAME_MS apart, so 5,000 records a second cost a few renders a second.
// Paused, it keeps counting ("N new while paused") and shows the newest on resume.
import type { TailBatch, TailSubscribed } from '../../shared/events.ts';
import type { ErrorBody, Reply } from '../../shared/reply.ts';
import { ACK_TIMEOUT_MS, type AppSocket } from '../lib/socket.ts';
import { TailBuffer, type TailRow } from './tail-buffer.ts';

/** The page shows new rows at most this often. */
export const FRAME_MS = 250;
const RETRY_MS = 5_000;

export class LiveTail {
  readonly topicId: string;
  rows = $state.raw<TailRow[]>([]);
  paused = $state(false);
  newWhilePaused = $state(0);
  rate = $state(0);
  skipped = $state(0);
  missedBatches = $state(0);
  error = $state.raw<ErrorBody | null>(null);
  /** The query the server follows (after its answer). */
  following = $state<string | null>(null);

  #socket: AppSocket;
  #buffer: TailBuffer;
  #q = '';
  #frame: ReturnType<typeof setTimeout> | undefined;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #tick: ReturnType<typeof setInterval> | undefined;
  #stopped = true;
  #ask = 0;

  constructor(topicId: string, socket: AppSocket, max = 200) {
    this.topicId = topicId;
    this.#socket = socket;
    this.#buffer = new TailBuffer(max);
  }

  /** Follows the topic with query `q`; returns the stop function. */
  start(q: string): () => void {
    this.#stopped = false;
    this.#q = q.trim();
    this.#buffer.reset();
    this.rows = [];
    this.following = null;
    // The rate falls to zero when batches stop coming.
    this.#tick = setInterval(() => (this.rate = this.#buffer.rate(performance.now())), 1_000);
    this.#socket.on('tail:records', this.#onBatch);
    this.#socket.on('connect', this.#subscribe);
    if (this.#socket.connected) this.#subscribe();
    return () => {
      this.#stopped = true;
      clearTimeout(this.#frame);
      clearTimeout(this.#retry);
      clearInterval(this.#tick);
      this.#frame = undefined;
      this.#socket.off('tail:records', this.#onBatch);
      this.#socket.off('connect', this.#subscribe);
      if (this.#socket.connected) this.#socket.emit('tail:unsubscribe', { topicId: this.topicId });
    };
  }

  pause(): void {
    this.#buffer.pause();
    this.paused = true;
    this.newWhilePaused = 0;
  }

  resume(): void {
    this.#buffer.resume();
    this.paused = false;
    this.newWhilePaused = 0;
    this.#render();
  }

  #subscribe = (): void => {
    clearTimeout(this.#retry);
    const ask = ++this.#ask;
    const q = this.#q;
    this.#socket
      .timeout(ACK_TIMEOUT_MS)
      .emit('tail:subscribe', { topicId: this.topicId, q }, (err, reply: Reply<TailSubscribed>) => {
        if (this.#stopped || ask !== this.#ask) return;
        if (err) {
          this.error = { code: 'timeout', message: 'The server did not answer; retrying.' };
          this.#retry = setTimeout(this.#subscribe, RETRY_MS);
          return;
        }
        if (!reply.ok) {
          this.error = reply.error;
          this.following = null;
          if (reply.error.code === 'rate_limited') {
            const wait = Number(reply.error.details?.retryAfterMs);
            this.#retry = setTimeout(this.#subscribe, Number.isFinite(wait) ? wait : RETRY_MS);
          }
          return;
        }
        this.error = null;
        this.following = reply.data.q;
        this.#buffer.expectAfter(reply.data.seq);
      });
  };

  #onBatch = (batch: TailBatch): void => {
    if (this.#stopped || batch.topicId !== this.topicId || batch.q !== this.following) return;
    this.#buffer.add(batch, performance.now());
    // One render per frame period, whatever the number of batches.
    this.#frame ??= setTimeout(this.#render, FRAME_MS);
  };

  #render = (): void => {
    clearTimeout(this.#frame);
    this.#frame = undefined;
    if (this.#stopped) return;
    const b = this.#buffer;
    if (b.show()) this.rows = b.rows;
    this.rate = b.rate(performance.now());
    this.newWhilePaused = b.newWhilePaused;
    this.skipped = b.skipped;
    this.missedBatches = b.missedBatches;
  };
}
