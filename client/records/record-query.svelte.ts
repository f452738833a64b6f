// The record explorer's data: pages of GET /api/records for one search, the whole-match totals,
// and the state of the requests. A new search aborts the request in flight; further pages append
// until the server says there are no more or MAX_ROWS rows are held (the buffer's bound).
import type { ApiRecord } from '../../shared/api.ts';
import type { ErrorBody } from '../../shared/reply.ts';
import { CLIENT_ERRORS, getJson, type FetchLike } from '../lib/api.ts';
import { isRecordsPage, searchKey, searchParams, type RecordSearch } from './params.ts';

/** Rows kept in memory at most; beyond it the explorer says so and offers the export. */
export const MAX_ROWS = 100_000;
/** The first page is small so the table shows fast; later pages are the server's largest. */
export const FIRST_PAGE = 200;
export const NEXT_PAGE = 1000;

export type QueryStatus = 'loading' | 'ready' | 'error';

export interface RecordQueryOptions {
  fetch?: FetchLike;
  maxRows?: number;
  firstPage?: number;
  nextPage?: number;
}

export class RecordQuery {
  records = $state.raw<ApiRecord[]>([]);
  /** Over the whole match, not the loaded rows; null until the first page. */
  total = $state<number | null>(null);
  sum = $state.raw<{ bytes: number; packets: number } | null>(null);
  status = $state<QueryStatus>('loading');
  /** Why the first page failed (status 'error'). */
  error = $state.raw<ErrorBody | null>(null);
  /** Why a further page failed; the loaded rows stay. */
  moreError = $state.raw<ErrorBody | null>(null);
  loadingMore = $state(false);
  #next = $state<string | null>(null);
  #max: number = MAX_ROWS;

  /** More rows exist on the server than the bound lets us hold. */
  capped: boolean = $derived(this.#next !== null && this.records.length >= this.#max);
  /** More pages can be fetched. */
  hasMore: boolean = $derived(this.#next !== null && this.records.length < this.#max);

  #search: RecordSearch | null = null;
  #key = '';
  #controller: AbortController | null = null;
  #fetch: FetchLike | undefined;
  #firstPage: number;
  #nextPage: number;

  constructor(options: RecordQueryOptions = {}) {
    this.#fetch = options.fetch;
    this.#max = options.maxRows ?? MAX_ROWS;
    this.#firstPage = options.firstPage ?? FIRST_PAGE;
    this.#nextPage = options.nextPage ?? NEXT_PAGE;
  }

  /** Starts `search` from its first page, unless it is the one already shown (then a no-op). */
  load(search: RecordSearch, force = false): Promise<void> {
    const key = searchKey(search);
    if (!force && key === this.#key && this.status !== 'error') return Promise.resolve();
    this.#abort();
    this.#search = search;
    this.#key = key;
    this.records = [];
    this.total = null;
    this.sum = null;
    this.#next = null;
    this.error = null;
    this.moreError = null;
    this.loadingMore = false;
    this.status = 'loading';
    return this.#fetchPage(null);
  }

  /** Fetches the next page, if there is one and none is on its way. */
  more(): Promise<void> {
    if (!this.hasMore || this.loadingMore || this.status !== 'ready' || this.moreError) {
      return Promise.resolve();
    }
    this.loadingMore = true;
    return this.#fetchPage(this.#next);
  }

  /** Rows held at most. */
  get maxRows(): number {
    return this.#max;
  }

  /** Retries what failed: the first page, or the next one. */
  retry(): Promise<void> {
    if (!this.#search) return Promise.resolve();
    if (this.status === 'error') return this.load(this.#search, true);
    if (this.moreError) {
      this.moreError = null;
      return this.more();
    }
    return Promise.resolve();
  }

  /** Aborts the request in flight (component teardown). */
  stop(): void {
    this.#abort();
  }

  #abort(): void {
    this.#controller?.abort();
    this.#controller = null;
  }

  async #fetchPage(cursor: string | null): Promise<void> {
    const search = this.#search;
    if (!search) return;
    const controller = new AbortController();
    this.#controller = controller;
    const room = this.#max - this.records.length;
    const limit = Math.max(1, Math.min(cursor ? this.#nextPage : this.#firstPage, room));
    const reply = await getJson(
      '/api/records',
      { ...searchParams(search), limit, cursor },
      controller.signal,
      { fetch: this.#fetch, check: isRecordsPage },
    );
    // A newer search (or stop) took over: this answer is not ours to show.
    if (this.#controller !== controller) return;
    this.#controller = null;
    if (!reply.ok) {
      if (reply.error.code === CLIENT_ERRORS.aborted) return;
      if (cursor === null) {
        this.error = reply.error;
        this.status = 'error';
      } else {
        this.moreError = reply.error;
        this.loadingMore = false;
      }
      return;
    }
    const page = reply.data;
    const rows = page.records.length > room ? page.records.slice(0, room) : page.records;
    this.records = cursor === null ? rows : this.records.concat(rows);
    this.total = page.total;
    this.sum = page.sum;
    this.#next = page.records.length === 0 ? null : page.next;
    this.loadingMore = false;
    this.status = 'ready';
  }
}
