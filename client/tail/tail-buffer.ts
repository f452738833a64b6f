// The live tail's bookkeeping, kept out of the reactive state: batches arrive a few times a
// second (up to thousands of records each); the page takes the newest rows at most a few times a
// second. Everything is bounded: the rows shown and the records waiting to be shown are at most
// `max`; what went past is counted. Pure (no DOM, no socket).
import type { TailBatch, TailRecord } from '../../shared/events.ts';

export interface TailRow {
  /** Stable key for the row (increasing in arrival order). */
  id: number;
  rec: TailRecord;
}

/** How the rate is measured: matched records over the last few seconds of batches. */
const RATE_WINDOW_MS = 5_000;

export class TailBuffer {
  readonly max: number;
  /** Shown rows, newest first. */
  rows: TailRow[] = [];
  /** Arrived and not yet shown (paused, or waiting for the next frame), oldest first, ≤ max. */
  #waiting: TailRow[] = [];
  #nextId = 1;
  #lastSeq: number | null = null;
  #recent: Array<[at: number, matched: number]> = [];
  /** Records that matched while paused (shown as "N new while paused"). */
  newWhilePaused = 0;
  /** Records that matched but the server did not send (more than a batch holds). */
  skipped = 0;
  /** Batches this client missed (a gap in the sequence: it was behind or disconnected). */
  missedBatches = 0;
  /** Records that matched in all. */
  matched = 0;
  paused = false;

  constructor(max = 200) {
    this.max = max;
  }

  /** Takes a batch in; returns true when there is something new to show. */
  add(batch: TailBatch, localNow: number): boolean {
    if (this.#lastSeq !== null && batch.seq > this.#lastSeq + 1)
      this.missedBatches += batch.seq - this.#lastSeq - 1;
    this.#lastSeq = batch.seq;
    this.matched += batch.matched;
    this.skipped += batch.skipped;
    this.#recent.push([localNow, batch.matched]);
    while (this.#recent.length > 0 && this.#recent[0]![0] < localNow - RATE_WINDOW_MS)
      this.#recent.shift();
    if (this.paused) this.newWhilePaused += batch.matched;
    const recs = batch.records.length > this.max ? batch.records.slice(-this.max) : batch.records;
    for (const rec of recs) this.#waiting.push({ id: this.#nextId++, rec });
    if (this.#waiting.length > this.max) this.#waiting.splice(0, this.#waiting.length - this.max);
    return recs.length > 0;
  }

  /** Matching records per second over the last few seconds. */
  rate(localNow: number): number {
    const from = localNow - RATE_WINDOW_MS;
    let n = 0;
    for (const [at, m] of this.#recent) if (at >= from) n += m;
    return n / (RATE_WINDOW_MS / 1000);
  }

  /** Moves what waits into the shown rows (not while paused); true when the rows changed. */
  show(): boolean {
    if (this.paused || this.#waiting.length === 0) return false;
    const fresh = this.#waiting.reverse();
    this.#waiting = [];
    const keep = Math.max(0, this.max - fresh.length);
    this.rows =
      fresh.length >= this.max ? fresh.slice(0, this.max) : [...fresh, ...this.rows.slice(0, keep)];
    return true;
  }

  pause(): void {
    this.paused = true;
    this.newWhilePaused = 0;
  }

  resume(): void {
    this.paused = false;
    this.newWhilePaused = 0;
  }

  /** A new query or a new subscription: start over. */
  reset(): void {
    this.rows = [];
    this.#waiting = [];
    this.#lastSeq = null;
    this.#recent = [];
    this.newWhilePaused = 0;
    this.skipped = 0;
    this.missedBatches = 0;
    this.matched = 0;
  }

  /** The next batch sequence number this client expects is after `seq` (a fresh subscribe). */
  expectAfter(seq: number): void {
    this.#lastSeq = seq;
  }
}
