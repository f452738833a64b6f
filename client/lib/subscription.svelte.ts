// A feed's subscription over the socket: asked on start and on every reconnect, asked again
// RETRY_MS after an unanswered request (while connected). It keeps the answer's error for the page
// and the server clock estimated from the feed's messages. Snapshots arrive encoded once on the
// server (shared by every socket) and are decoded here (the spec's `decode`). A subscribe refused
// as rate-limited is asked again after the wait the server names. The feeds and the live tail use
// it.
import { untrack } from 'svelte';
import { decodeEncoded, type Encoded } from '../../shared/encoded.ts';
import type { ErrorBody, Reply } from '../../shared/reply.ts';
import { ServerClock } from './server-clock.ts';
import { ACK_TIMEOUT_MS, type AppSocket } from './socket.ts';

const RETRY_MS = 5_000;

/** The socket with the ack timeout applied. */
export type TimedSocket = ReturnType<AppSocket['timeout']>;

export interface SubscriptionSpec<A, T = A> {
  /** Sends the subscribe request on `timed`, with `ack` as its acknowledgement. */
  ask(timed: TimedSocket, ack: (err: Error | null, reply: Reply<A>) => void): void;
  /** Sends the unsubscribe message (called only while connected). */
  leave(socket: AppSocket): void;
  /**
   * Reads an answer: `decodeSnapshot` for a snapshot encoded once on the server; throws on one it
   * cannot read (reported and asked again). Left out, the answer is the data.
   */
  decode?: (answer: A) => T;
  /** A snapshot answered; `local` is when it arrived (browser clock, ms). */
  snapshot(data: T, local: number): void;
}

/** Decodes a snapshot encoded once on the server (shared by every socket that asked for it). */
export const decodeSnapshot = <T extends { serverTime: number }>(answer: Encoded<T>): T =>
  decodeEncoded(answer);

export class Subscription<A, T = A> {
  error = $state.raw<ErrorBody | null>(null);
  /** True once the first request was answered (with data or an error). */
  loaded = $state(false);
  /** Sampled by the feed; forgotten on disconnect (a reconnect may reach a restarted server). */
  readonly clock = new ServerClock();

  #socket: AppSocket;
  #spec: SubscriptionSpec<A, T>;
  #stopped = false;
  #retry: ReturnType<typeof setTimeout> | undefined;

  constructor(socket: AppSocket, spec: SubscriptionSpec<A, T>) {
    this.#socket = socket;
    this.#spec = spec;
  }

  /** True after stop: late answers are dropped, and the feed drops late messages. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** Subscribes now (if connected) and on every reconnect; returns the stop function. */
  start(): () => void {
    const socket = this.#socket;
    socket.on('connect', this.#subscribe);
    socket.on('disconnect', this.#onDisconnect);
    // Untracked: a request reads the feed's state (what it holds, for a resume), and a start
    // called from an effect must not make that effect depend on it (it would restart the feed).
    if (socket.connected) untrack(this.#subscribe);
    return () => {
      this.#stopped = true;
      clearTimeout(this.#retry);
      socket.off('connect', this.#subscribe);
      socket.off('disconnect', this.#onDisconnect);
      if (socket.connected) this.#spec.leave(socket);
    };
  }

  #subscribe = (): void => {
    clearTimeout(this.#retry);
    this.#spec.ask(this.#socket.timeout(ACK_TIMEOUT_MS), (err, reply) => {
      if (this.#stopped) return;
      if (err) {
        this.error = { code: 'timeout', message: 'The server did not answer; retrying.' };
        this.#retryIn(RETRY_MS);
        return;
      }
      this.loaded = true;
      if (!reply.ok) {
        this.error = reply.error;
        if (reply.error.code === 'rate_limited') {
          const wait = Number(reply.error.details?.retryAfterMs);
          this.#retryIn(Number.isFinite(wait) ? Math.min(Math.max(wait, 250), RETRY_MS) : RETRY_MS);
        }
        return;
      }
      let data: T;
      try {
        data = this.#spec.decode ? this.#spec.decode(reply.data) : (reply.data as unknown as T);
      } catch {
        this.error = {
          code: 'bad_answer',
          message: 'The server sent an answer that could not be read; retrying.',
        };
        this.#retryIn(RETRY_MS);
        return;
      }
      this.error = null;
      this.#spec.snapshot(data, Date.now());
    });
  };

  #retryIn(ms: number): void {
    clearTimeout(this.#retry);
    this.#retry = setTimeout(() => {
      if (this.#socket.connected && !this.#stopped) this.#subscribe();
    }, ms);
  }

  #onDisconnect = (): void => {
    this.clock.reset();
  };
}
