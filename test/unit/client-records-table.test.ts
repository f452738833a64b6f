// The record table's pure parts: the virtualizer's range math, selection moves, columns and their
// persisted choice, sort cycling, request and export parameters, the page edge check, and the
// reconciliation with the chart.
import { describe, expect, it } from 'vitest';
import type { ApiRecord } from '../../shared/api.ts';
import {
  availableColumns,
  defaultColumns,
  gridTemplate,
  hasCcnRecords,
  MAX_EXTRA_COLUMNS,
  parseColumnChoices,
  serializeColumnChoices,
  shownColumns,
} from '../../client/records/columns.ts';
import {
  DEFAULT_SORT,
  exportHref,
  isRecordsPage,
  nextSort,
  searchKey,
  searchParams,
  sortParam,
} from '../../client/records/params.ts';
import { reconcile } from '../../client/records/reconcile.ts';
import { moveIndex, nearEnd, revealScrollTop, visibleRange } from '../../client/records/virtual.ts';

const rec = (extra: Partial<ApiRecord> = {}): ApiRecord => ({
  topic: 't1',
  stream: 's1',
  window: 1_700_000_000_000,
  seq: 1,
  srcaddr: '10.0.0.1',
  bytes: 100,
  ...extra,
});

describe('visibleRange', () => {
  const base = { rowHeight: 26, viewportHeight: 260, overscan: 5 };
  it('renders the visible rows plus overscan, from the top', () => {
    expect(visibleRange({ ...base, scrollTop: 0, count: 100_000 })).toEqual({
      start: 0,
      end: 15,
      offsetTop: 0,
      totalHeight: 2_600_000,
    });
  });
  it('follows the scroll position', () => {
    const r = visibleRange({ ...base, scrollTop: 26 * 1000 + 13, count: 100_000 });
    expect(r).toEqual({ start: 995, end: 1016, offsetTop: 995 * 26, totalHeight: 2_600_000 });
  });
  it('clamps at the end, for short lists and for an overscrolled position', () => {
    expect(visibleRange({ ...base, scrollTop: 0, count: 3 })).toMatchObject({ start: 0, end: 3 });
    const end = visibleRange({ ...base, scrollTop: 1e9, count: 1000 });
    expect(end.end).toBe(1000);
    expect(end.start).toBe(1000 - 10 - 5);
    expect(visibleRange({ ...base, scrollTop: -50, count: 1000 }).start).toBe(0);
  });
  it('renders nothing for an empty list or a zero-height viewport beyond overscan', () => {
    expect(visibleRange({ ...base, scrollTop: 0, count: 0 })).toEqual({
      start: 0,
      end: 0,
      offsetTop: 0,
      totalHeight: 0,
    });
    expect(visibleRange({ ...base, viewportHeight: 0, scrollTop: 0, count: 50 })).toMatchObject({
      start: 0,
      end: 5,
    });
  });
  it('keeps the number of rendered rows bounded whatever the list length', () => {
    for (const count of [1e3, 1e4, 1e5]) {
      const r = visibleRange({ ...base, scrollTop: (count * 26) / 2, count });
      expect(r.end - r.start).toBeLessThanOrEqual(10 + 1 + 2 * 5);
    }
  });
});

describe('selection helpers', () => {
  it('reveals a row above or below the viewport, else leaves the scroll alone', () => {
    expect(revealScrollTop(9, 0, 260, 26)).toBeNull();
    expect(revealScrollTop(10, 0, 260, 26)).toBe(26);
    expect(revealScrollTop(9, 0, 259, 26)).toBe(10 * 26 - 259);
    expect(revealScrollTop(2, 26 * 5, 260, 26)).toBe(52);
  });
  it('moves and clamps the selection', () => {
    expect(moveIndex(null, 1, 10)).toBe(0);
    expect(moveIndex(null, -1, 10)).toBe(9);
    expect(moveIndex(3, 1, 10)).toBe(4);
    expect(moveIndex(0, -1, 10)).toBe(0);
    expect(moveIndex(8, 5, 10)).toBe(9);
    expect(moveIndex(5, -Infinity, 10)).toBe(0);
    expect(moveIndex(5, Infinity, 10)).toBe(9);
    expect(moveIndex(null, 1, 0)).toBe(-1);
  });
  it('says when to fetch the next page', () => {
    expect(nearEnd(700, 1000, 300)).toBe(true);
    expect(nearEnd(699, 1000, 300)).toBe(false);
  });
});

describe('columns', () => {
  it('shows the topic only across topics, and regions for CCN records', () => {
    const one = defaultColumns({ allTopics: false, ccn: false });
    expect(one.has('topic')).toBe(false);
    expect(one.has('srcregionid')).toBe(false);
    const all = defaultColumns({ allTopics: true, ccn: true });
    expect(all.has('topic')).toBe(true);
    expect([...all]).toEqual(expect.arrayContaining(['srcregionid', 'dstregionid', 'window']));
    expect(hasCcnRecords([rec(), rec({ srcregionid: 'ap-guangzhou' })])).toBe(true);
    expect(hasCcnRecords([rec({ srcregionid: null })])).toBe(false);
  });
  it('offers the catalog plus custom fields seen in the records, bounded', () => {
    const keys = (cols: { key: string }[]) => cols.map((c) => c.key);
    const single = availableColumns([rec({ 'tcp-flags': 2, 'my-tag': 'x' })], { allTopics: false });
    expect(keys(single)).not.toContain('topic');
    expect(keys(single)).toContain('tcp-flags');
    expect(keys(single).at(-1)).toBe('my-tag');
    const many = rec(Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`x${i}`, i])));
    const extras = availableColumns([many], { allTopics: true }).filter((c) =>
      c.key.startsWith('x'),
    );
    expect(extras).toHaveLength(MAX_EXTRA_COLUMNS);
    const odd = availableColumns([rec({ 'bad key<script>': 1 })], { allTopics: true });
    expect(keys(odd)).not.toContain('bad key<script>');
  });
  it('applies explicit choices over the defaults, in catalog order', () => {
    const available = availableColumns([], { allTopics: true });
    const defaults = defaultColumns({ allTopics: true, ccn: false });
    const shown = shownColumns(available, { bytes: false, seq: true }, defaults).map((c) => c.key);
    expect(shown).not.toContain('bytes');
    expect(shown.indexOf('seq')).toBeGreaterThan(shown.indexOf('stream'));
    expect(shown[0]).toBe('window');
    const cols = shownColumns(available, {}, new Set(['srcport', 'bytes']));
    expect(gridTemplate(cols)).toBe('minmax(58px, 58fr) minmax(72px, 72fr)');
    expect(cols.map((c) => c.sort)).toEqual(['srcport', 'bytes']);
  });
  it('reads stored choices defensively', () => {
    const stored = serializeColumnChoices({ bytes: false, 'tcp-flags': true });
    expect(parseColumnChoices(stored)).toEqual({ bytes: false, 'tcp-flags': true });
    expect(parseColumnChoices(null)).toEqual({});
    expect(parseColumnChoices('{not json')).toEqual({});
    expect(parseColumnChoices('[1,2]')).toEqual({});
    expect(parseColumnChoices('{"choices":[true]}')).toEqual({});
    expect(
      parseColumnChoices(
        JSON.stringify({ choices: { ok: true, n: 1, 'x y': true, __proto__: 1 } }),
      ),
    ).toEqual({ ok: true });
  });
});

describe('sort and parameters', () => {
  it('cycles the sort: a new field starts at its natural direction, the same one flips', () => {
    expect(nextSort(DEFAULT_SORT, 'window')).toEqual({ field: 'window', dir: 'asc' });
    expect(nextSort(DEFAULT_SORT, 'bytes')).toEqual({ field: 'bytes', dir: 'desc' });
    expect(nextSort(DEFAULT_SORT, 'dstport')).toEqual({ field: 'dstport', dir: 'asc' });
    expect(nextSort({ field: 'dstport', dir: 'asc' }, 'dstport')).toEqual({
      field: 'dstport',
      dir: 'desc',
    });
    expect(sortParam(DEFAULT_SORT)).toBe('window:desc');
  });
  it('builds the request and export parameters, leaving out what is empty', () => {
    const s = { from: 1000.4, to: 61000, q: '  action:REJECT ', sort: DEFAULT_SORT };
    expect(searchParams(s)).toEqual({
      topic: undefined,
      from: 1000,
      to: 61000,
      q: 'action:REJECT',
      sort: 'window:desc',
    });
    expect(exportHref('csv', { ...s, topicId: 'topic-a' })).toBe(
      '/api/records/export?format=csv&topic=topic-a&from=1000&to=61000&q=action%3AREJECT&sort=window%3Adesc',
    );
    expect(exportHref('ndjson', { ...s, q: '' })).toBe(
      '/api/records/export?format=ndjson&from=1000&to=61000&sort=window%3Adesc',
    );
    expect(searchKey(s)).toBe(searchKey({ ...s, q: 'action:REJECT' }));
    expect(searchKey(s)).not.toBe(searchKey({ ...s, sort: { field: 'bytes', dir: 'desc' } }));
  });
  it('checks a page at the edge', () => {
    const page = {
      records: [rec(), rec({ seq: 2, bytes: null })],
      total: 2,
      sum: { bytes: 100, packets: 1 },
      next: null,
    };
    expect(isRecordsPage(page)).toBe(true);
    expect(isRecordsPage({ ...page, next: 'abc' })).toBe(true);
    expect(isRecordsPage({ ...page, total: '2' })).toBe(false);
    expect(isRecordsPage({ ...page, sum: { bytes: 1 } })).toBe(false);
    expect(isRecordsPage({ ...page, records: [{ ...rec(), window: '1' }] })).toBe(false);
    expect(isRecordsPage({ ...page, records: [{ ...rec(), nested: { a: 1 } }] })).toBe(false);
    expect(isRecordsPage(null)).toBe(false);
  });
});

describe('reconcile', () => {
  it('says when the records add up to the chart', () => {
    expect(reconcile({ bytes: 5000, packets: 10 }, { bytes: 5000, packets: 10 })).toEqual({
      matches: true,
      bytesDiff: 0,
      packetsDiff: 0,
      text: 'matches the chart ✓',
    });
    expect(reconcile({ bytes: 5000 }, { bytes: 5000, packets: 99 }).matches).toBe(true);
  });
  it('says by how much they differ, with a sign', () => {
    expect(reconcile({ bytes: 400_000 }, { bytes: 401_500, packets: 0 }).text).toBe(
      'differs from the chart by +1.5 KB (+0.38%)',
    );
    expect(reconcile({ bytes: 1000, packets: 10 }, { bytes: 990, packets: 9 }).text).toBe(
      'differs from the chart by −10 B (−1%) and −1 packet',
    );
    expect(reconcile({ bytes: 0, packets: 0 }, { bytes: 20, packets: 0 }).text).toBe(
      'differs from the chart by +20 B',
    );
    expect(reconcile({ bytes: 10, packets: 1 }, { bytes: 10, packets: 3 })).toMatchObject({
      matches: false,
      packetsDiff: 2,
      text: 'differs from the chart by +2 packets',
    });
  });
});
