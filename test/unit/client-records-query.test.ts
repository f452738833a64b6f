// The record explorer's data against a fake fetch: first page, further pages by cursor, the row
// bound, aborting a superseded search, errors on the first and on a later page, and retry.
// Also the search page's URL.
import { describe, expect, it } from 'vitest';
import type { ApiRecord, RecordsPage } from '../../shared/api.ts';
import type { FetchLike } from '../../client/lib/api.ts';
import { DEFAULT_SORT, type RecordSearch } from '../../client/records/params.ts';
import { RecordQuery } from '../../client/records/record-query.svelte.ts';
import {
  parseSearch,
  parseTime,
  searchHref,
  searchWindow,
} from '../../client/records/search-url.ts';

const SEARCH: RecordSearch = { from: 0, to: 60_000, q: 'action:REJECT', sort: DEFAULT_SORT };
const TOTAL = 25;

const record = (seq: number): ApiRecord => ({
  topic: 't',
  stream: 's',
  window: 0,
  seq,
  bytes: 10,
  packets: 1,
});

/** A fake /api/records over TOTAL records; `fail` makes chosen calls fail. */
function server(fail: (call: number, url: URL) => 'network' | 'bad_query' | null = () => null) {
  const urls: URL[] = [];
  const fetch: FetchLike = (input, init) => {
    const url = new URL(input, 'http://x');
    urls.push(url);
    const failure = fail(urls.length, url);
    if (failure === 'network') return Promise.reject(new TypeError('fetch failed'));
    if (failure === 'bad_query') {
      const body = {
        ok: false,
        error: { code: 'bad_query', message: 'Unknown field', position: 0, length: 6 },
      };
      return Promise.resolve(new Response(JSON.stringify(body), { status: 400 }));
    }
    const start = Number(url.searchParams.get('cursor') ?? 0);
    const limit = Number(url.searchParams.get('limit'));
    const end = Math.min(TOTAL, start + limit);
    const page: RecordsPage = {
      records: Array.from({ length: end - start }, (_, i) => record(start + i)),
      total: TOTAL,
      sum: { bytes: TOTAL * 10, packets: TOTAL },
      next: end < TOTAL ? String(end) : null,
    };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => resolve(new Response(JSON.stringify({ ok: true, data: page }))),
        1,
      );
      init?.signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(new DOMException('aborted', 'AbortError'));
      });
    });
  };
  return { fetch, urls };
}

describe('RecordQuery', () => {
  it('loads the first page, then further pages by cursor, until the last', async () => {
    const s = server();
    const q = new RecordQuery({ fetch: s.fetch, firstPage: 10, nextPage: 10 });
    expect(q.status).toBe('loading');
    await q.load(SEARCH);
    expect(q.status).toBe('ready');
    expect(q.records).toHaveLength(10);
    expect(q.total).toBe(TOTAL);
    expect(q.sum).toEqual({ bytes: 250, packets: 25 });
    expect(q.hasMore).toBe(true);
    const first = s.urls[0]!;
    expect(first.pathname).toBe('/api/records');
    expect(Object.fromEntries(first.searchParams)).toEqual({
      from: '0',
      to: '60000',
      q: 'action:REJECT',
      sort: 'window:desc',
      limit: '10',
    });
    await q.more();
    await q.more();
    expect(q.records.map((r) => r.seq)).toEqual(Array.from({ length: TOTAL }, (_, i) => i));
    expect(q.hasMore).toBe(false);
    expect(q.capped).toBe(false);
    expect(s.urls[2]?.searchParams.get('cursor')).toBe('20');
    await q.more();
    expect(s.urls).toHaveLength(3);
  });

  it('does not reload the same search, and reloads a changed one from the start', async () => {
    const s = server();
    const q = new RecordQuery({ fetch: s.fetch, firstPage: 10 });
    await q.load(SEARCH);
    await q.load({ ...SEARCH });
    expect(s.urls).toHaveLength(1);
    await q.load({ ...SEARCH, sort: { field: 'bytes', dir: 'asc' } });
    expect(s.urls).toHaveLength(2);
    expect(s.urls[1]?.searchParams.get('sort')).toBe('bytes:asc');
    expect(q.records).toHaveLength(10);
  });

  it('keeps at most maxRows rows and says so', async () => {
    const s = server();
    const q = new RecordQuery({ fetch: s.fetch, firstPage: 10, nextPage: 10, maxRows: 15 });
    await q.load(SEARCH);
    await q.more();
    expect(s.urls[1]?.searchParams.get('limit')).toBe('5');
    expect(q.records).toHaveLength(15);
    expect(q.capped).toBe(true);
    expect(q.hasMore).toBe(false);
    await q.more();
    expect(s.urls).toHaveLength(2);
  });

  it('aborts a superseded search and shows only the newest', async () => {
    const s = server();
    const q = new RecordQuery({ fetch: s.fetch, firstPage: 10 });
    const old = q.load(SEARCH);
    const newer = q.load({ ...SEARCH, q: 'action:ACCEPT' });
    await Promise.all([old, newer]);
    expect(q.status).toBe('ready');
    expect(q.error).toBeNull();
    expect(s.urls.map((u) => u.searchParams.get('q'))).toEqual(['action:REJECT', 'action:ACCEPT']);
  });

  it('shows a bad query with its position, and a network error with a retry', async () => {
    const bad = new RecordQuery({ fetch: server(() => 'bad_query').fetch });
    await bad.load({ ...SEARCH, q: 'nosuch:1' });
    expect(bad.status).toBe('error');
    expect(bad.error).toEqual({
      code: 'bad_query',
      message: 'Unknown field',
      position: 0,
      length: 6,
    });

    const s = server((call) => (call === 1 ? 'network' : null));
    const q = new RecordQuery({ fetch: s.fetch, firstPage: 10 });
    await q.load(SEARCH);
    expect(q.status).toBe('error');
    expect(q.error?.code).toBe('network');
    await q.retry();
    expect(q.status).toBe('ready');
    expect(q.records).toHaveLength(10);
  });

  it('keeps the loaded rows when a later page fails, and retries it', async () => {
    const s = server((call) => (call === 2 ? 'network' : null));
    const q = new RecordQuery({ fetch: s.fetch, firstPage: 10, nextPage: 10 });
    await q.load(SEARCH);
    await q.more();
    expect(q.status).toBe('ready');
    expect(q.records).toHaveLength(10);
    expect(q.moreError?.code).toBe('network');
    await q.more();
    expect(s.urls).toHaveLength(2);
    await q.retry();
    expect(q.moreError).toBeNull();
    expect(q.records).toHaveLength(20);
    expect(s.urls[2]?.searchParams.get('cursor')).toBe('10');
  });
});

describe('search URL', () => {
  it('reads q and range, with defaults for anything unreadable', () => {
    expect(parseSearch('?q=action%3AREJECT&range=6h')).toEqual({
      q: 'action:REJECT',
      range: '6h',
      from: null,
      to: null,
    });
    expect(parseSearch('')).toEqual({ q: '', range: '1h', from: null, to: null });
    expect(parseSearch('?range=3y').range).toBe('1h');
  });
  it('takes an absolute range in ISO or epoch ms, only when both ends are good', () => {
    const s = parseSearch('?from=2026-05-04T13:00:00Z&to=1777903200000');
    expect(s.from).toBe(Date.UTC(2026, 4, 4, 13));
    expect(s.to).toBe(1777903200000);
    expect(parseSearch('?from=2026-05-04T13:00:00Z').from).toBeNull();
    expect(parseSearch('?from=2000&to=1000').from).toBeNull();
    expect(parseTime('nope')).toBeNull();
    expect(parseTime(' 42 ')).toBe(42);
  });
  it('builds links that read back the same', () => {
    const rel = { q: 'dstport:22 AND action:REJECT', range: '24h' as const, from: null, to: null };
    expect(searchHref(rel)).toBe('/search?q=dstport%3A22+AND+action%3AREJECT&range=24h');
    expect(parseSearch(searchHref(rel).slice('/search'.length))).toEqual(rel);
    const abs = { q: '', range: '1h' as const, from: 1_000_000, to: 2_000_000 };
    expect(parseSearch(searchHref(abs).slice('/search'.length))).toEqual({ ...abs });
    expect(searchHref({ ...rel, q: '  ' })).toBe('/search?range=24h');
  });
  it('covers the last range before now, or the absolute range', () => {
    const now = 10_000_000;
    expect(searchWindow({ q: '', range: '15m', from: null, to: null }, now)).toEqual({
      from: now - 900_000,
      to: now,
    });
    expect(searchWindow({ q: '', range: '7d', from: 5, to: 9 }, now)).toEqual({ from: 5, to: 9 });
  });
});
