// A topic's live tail on the page: subscribes over the socket with the dashboard's query (a
// Subscription: again on every reconnect, and after a rate-limited refusal), takes batches into a bounded TailBuffer, and shows the
// newest rows at most FRAME_MS apart, so 5,000 records a second cost a few renders a second.
// Paused, it keeps counting ("N new while paused") and shows the newest on resume.
import type { TailBatch, TailSubscribed } from '../../shared/events.ts';
import type { ErrorBody } from '../../shared/reply.ts';
import type { AppSocket } from '../lib/socket.ts';
import { Subscription } from '../lib/subscription.svelte.ts';
import { TailBuffer, type TailRow } from './tail-buffer.ts';

/** The page shows new rows at most this often. */
export const FRAME_MS = 250;

export class LiveTail {
  readonly topicId: string;
  rows = $state.raw<TailRow[]>([]);
  paused = $state(false);
  newWhilePaused = $state(0);
  rate = $state(0);
  skipped = $state(0);
  missedBatches = $state(0);
  /** The query the server follows (after its answer). */
  following = $state<string | null>(null);

  #socket: AppSocket;
  #buffer: TailBuffer;
  #subscription: Subscription<TailSubscribed>;
  #frame: ReturnType<typeof setTimeout> | undefined;
  #tick: ReturnType<typeof setInterval> | undefined;
  #stopped = true;

  /** Follows `topicId` with query `q` (one tail per query: a new query is a new LiveTail). */
  constructor(topicId: string, socket: AppSocket, q: string, max = 200) {
    this.topicId = topicId;
    this.#socket = socket;
    this.#buffer = new TailBuffer(max);
    this.#subscription = new Subscription(socket, {
      ask: (timed, ack) => timed.emit('tail:subscribe', { topicId, q: q.trim() }, ack),
      leave: (s) => s.emit('tail:unsubscribe', { topicId }),
      snapshot: (answer) => {
        this.following = answer.q;
        this.#buffer.expectAfter(answer.seq);
      },
    });
  }

  /** The subscribe's refusal (a bad query, with its position), or null. */
  get error(): ErrorBody | null {
    return this.#subscription.error;
  }

  /** Subscribes now (if connected) and on every reconnect; returns the stop function. */
  start(): () => void {
    this.#stopped = false;
    // The rate falls to zero when batches stop coming.
    this.#tick = setInterval(() => (this.rate = this.#buffer.rate(performance.now())), 1_000);
    this.#socket.on('tail:records', this.#onBatch);
    const unsubscribe = this.#subscription.start();
    return () => {
      this.#stopped = true;
      clearTimeout(this.#frame);
      clearInterval(this.#tick);
      this.#frame = undefined;
      this.#socket.off('tail:records', this.#onBatch);
      unsubscribe();
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
