// Window completeness, what each chart element drills into (with its exact value), and the
// history loader (edge check, abort of older requests, refresh throttle).
import { describe, expect, it } from 'vitest';
import {
  COMPLETE_GRACE_MS,
  completePulsePoint,
  isComplete,
  splitComplete,
  streamsReported,
} from '../../client/lib/completeness.ts';
import {
  actionDrill,
  bucketDrill,
  pairDrill,
  quintupleDrill,
  sameDrill,
} from '../../client/lib/drill.ts';
import { pointsFromWindows } from '../../client/lib/series.ts';
import { mergeTop } from '../../client/lib/top.ts';
import {
  REFRESH_DEBOUNCE_MS,
  REFRESH_MIN_INTERVAL_MS,
  refreshDelay,
  TopicHistory,
} from '../../client/lib/topic-history.svelte.ts';
import { rangeKpis } from '../../client/lib/stats.ts';
import { pointRate, pointsFromSeries } from '../../client/lib/series.ts';
import type { FetchLike } from '../../client/lib/api.ts';
import type { TopicWindows } from '../../shared/api.ts';
import type { TopicPulse } from '../../shared/events.ts';
import { MIN, T0, win, wins } from './client-fixtures.ts';

const STREAMS = ['eni-7m2k9q4d', 'eni-3h8vz1pa'];
const only = (id: string) => [{ streamId: id, ok: 1, nodata: 0, skipdata: 0 }];

describe('window completeness', () => {
  it('is complete when every stream of the topic reported, or once old enough', () => {
    const full = win(0);
    const partial = win(1, { streams: only('eni-7m2k9q4d') });
    expect(streamsReported(partial, STREAMS)).toBe(1);
    const c = { streamIds: STREAMS, serverNow: partial.windowStart + 90_000, delayMs: 10_000 };
    expect(isComplete(full, c)).toBe(true);
    expect(isComplete(partial, c)).toBe(false);
    const later = { ...c, serverNow: partial.windowStart + MIN + 10_000 + COMPLETE_GRACE_MS };
    expect(isComplete(partial, later)).toBe(true);
    expect(isComplete(partial, { ...c, serverNow: null })).toBe(false);
  });

  it('splits at the newest complete window: KPIs use it, the rest is still reporting', () => {
    const ws = [win(0), win(1), win(2, { streams: only('eni-3h8vz1pa') }), win(3, { streams: [] })];
    const s = splitComplete(ws, {
      streamIds: STREAMS,
      serverNow: ws[3]!.windowStart + MIN,
      delayMs: 10_000,
    });
    expect(s.latest?.windowStart).toBe(ws[1]!.windowStart);
    expect(s.complete).toHaveLength(2);
    expect(s.pending.map((w) => w.windowStart)).toEqual([ws[2]!.windowStart, ws[3]!.windowStart]);
    expect(s.completeUntil).toBe(ws[1]!.windowStart + MIN);
    const none = splitComplete([win(0, { streams: [] })], {
      streamIds: STREAMS,
      serverNow: null,
      delayMs: 0,
    });
    expect([none.latest, none.completeUntil, none.pending.length]).toEqual([null, null, 1]);
  });

  it('gives the overview the newest pulse point old enough to be complete', () => {
    const pulse: TopicPulse = {
      topicId: 't',
      windowMs: MIN,
      lastWindowStart: T0 + 4 * MIN,
      lastPublishedAt: T0 + 5 * MIN + 20_000,
      spark: [0, 1, 2, 3, 4].map((i) => [T0 + i * MIN, 1000 * (i + 1)] as [number, number]),
      rejectShare: 0,
      records: 0,
    };
    // Delay 20 s: window 2 ends at +3 min, complete from +5:20.
    expect(completePulsePoint(pulse, T0 + 5 * MIN + 30_000)).toEqual([T0 + 2 * MIN, 3000]);
    expect(completePulsePoint(pulse, T0 + 10 * MIN)).toEqual([T0 + 4 * MIN, 5000]);
    expect(completePulsePoint(pulse, T0)).toBeNull();
    expect(completePulsePoint(pulse, null)).toBeNull();
    expect(completePulsePoint(undefined, T0)).toBeNull();
  });
});

describe('drill-downs carry the clicked value in bytes', () => {
  const [p] = pointsFromWindows([win(5)], null);
  const t = T0 + 5 * MIN;

  it('opens a bucket, or its ACCEPT or REJECT part, over exactly that bucket', () => {
    expect(bucketDrill(p!, MIN, null, '', 'REJECT')).toEqual({
      drill: {
        from: t,
        to: t + MIN,
        q: 'action:REJECT',
        label: `REJECT in the bucket at ${new Date(t).toISOString()}`,
      },
      expected: { bytes: 60_000, packets: 600 },
    });
    const all = bucketDrill(p!, MIN, null, 'dstport:22');
    expect(all.drill.q).toBe('dstport:22');
    expect(all.expected).toEqual({ bytes: 660_000, packets: 6_600 });
    expect(bucketDrill(p!, MIN, null, 'a OR b', 'ACCEPT').drill.q).toBe(
      '(a OR b) AND action:ACCEPT',
    );
  });

  it('cuts a bucket to the range the data covers', () => {
    const d = bucketDrill(p!, 5 * MIN, { from: t + 2 * MIN, to: t + 4 * MIN }, '');
    expect([d.drill.from, d.drill.to]).toEqual([t + 2 * MIN, t + 4 * MIN]);
  });

  it('opens a slice of the action ratio over the range the donut shows', () => {
    const w = win(7);
    const d = actionDrill(w, { from: w.windowStart, to: w.windowStart + MIN }, '', 'ACCEPT');
    expect(d.drill).toMatchObject({
      from: w.windowStart,
      to: w.windowStart + MIN,
      q: 'action:ACCEPT',
    });
    expect(d.expected).toEqual({ bytes: 600_000, packets: 6_000 });
  });

  it('opens a quintuple over the range of its list, exact lists only reconcile', () => {
    const top = mergeTop(wins(1), 'latest');
    const row = top.rows[1]!;
    const bounds = { from: T0, to: T0 + MIN };
    const d = quintupleDrill(row, bounds, 'action:REJECT', true);
    expect(d.drill.q).toBe(
      'action:REJECT AND srcaddr:10.0.1.11 AND srcport:53 AND dstaddr:10.0.0.2 AND dstport:5353 AND protocol:udp',
    );
    expect(d.expected).toEqual({ bytes: 100_000, packets: 900 });
    expect(quintupleDrill(row, bounds, '', true, 'REJECT').expected).toEqual({
      bytes: 60_000,
      packets: 600,
    });
    expect(quintupleDrill(row, bounds, '', false).expected).toBeNull();
  });

  it('opens a region pair (one action for a map line, both for a matrix cell)', () => {
    const pair = {
      src: 'ap-guangzhou',
      dst: 'ap-singapore',
      acceptBytes: 5_000,
      acceptPackets: 50,
      rejectBytes: 700,
      rejectPackets: 7,
    };
    const bounds = { from: T0, to: T0 + 15 * MIN };
    const line = pairDrill(pair, bounds, '', 'REJECT');
    expect(line.drill.q).toBe(
      'srcregionid:ap-guangzhou AND dstregionid:ap-singapore AND action:REJECT',
    );
    expect(line.expected).toEqual({ bytes: 700, packets: 7 });
    expect(pairDrill(pair, bounds, '').expected).toEqual({ bytes: 5_700, packets: 57 });
    expect(sameDrill(line.drill, { ...line.drill, label: 'x' })).toBe(true);
    expect(sameDrill(line.drill, null)).toBe(false);
  });
});

describe('history loader', () => {
  const data: TopicWindows = {
    topicId: 'topic-eni-prod',
    from: T0,
    to: T0 + 60 * MIN,
    step: MIN,
    q: '',
    series: [
      {
        t: T0,
        acceptBytes: 600,
        acceptPackets: 6,
        acceptRecords: 1,
        rejectBytes: 60,
        rejectPackets: 1,
        rejectRecords: 1,
        windows: 1,
      },
    ],
    accept: { bytes: 600, packets: 6, records: 1 },
    reject: { bytes: 60, packets: 1, records: 1 },
    byProtocol: [],
    top: [],
    regionPairs: [],
  };
  const reply = (body: unknown, status = 200): Response =>
    new Response(JSON.stringify(body), { status });

  it('loads the range, keeps the data on error and reports bad_query with its position', async () => {
    const urls: string[] = [];
    let answer: Response = reply({ ok: true, data });
    const fetch: FetchLike = (url) => {
      urls.push(url);
      return Promise.resolve(answer);
    };
    const h = new TopicHistory('topic-eni-prod', fetch);
    await h.load({ from: T0, to: T0 + 60 * MIN, step: MIN, q: 'port:22' });
    expect(urls[0]).toBe(
      `/api/topics/topic-eni-prod/windows?from=${T0}&to=${T0 + 60 * MIN}&step=60000&q=port%3A22`,
    );
    expect(h.data).toEqual(data);
    expect([h.loading, h.error]).toEqual([false, null]);
    answer = reply(
      { ok: false, error: { code: 'bad_query', message: 'unknown field', position: 3, length: 2 } },
      400,
    );
    await h.load({ from: T0, to: T0 + 60 * MIN, step: MIN, q: 'xx:1' });
    expect(h.data).toEqual(data);
    expect(h.error).toEqual({
      code: 'bad_query',
      message: 'unknown field',
      position: 3,
      length: 2,
    });
    answer = reply({ ok: true, data: { ...data, series: 'nope' } });
    await h.load({ from: T0, to: T0 + 60 * MIN, step: MIN, q: '' });
    expect(h.error?.code).toBe('bad_response');
  });

  it('fails without a request for a filter known to be bad, and clears for the live view', () => {
    const h = new TopicHistory('t', () => Promise.reject(new Error('no request expected')));
    h.fail({ code: 'bad_query', message: 'unknown field', position: 0, length: 3 });
    expect([h.loading, h.error?.code]).toEqual([false, 'bad_query']);
    h.clear();
    expect([h.data, h.error]).toEqual([null, null]);
  });

  it('lets only the newest request land', async () => {
    const pending: Array<(r: Response) => void> = [];
    const fetch: FetchLike = (_url, init) =>
      new Promise((resolve, reject) => {
        pending.push(resolve);
        init?.signal?.addEventListener('abort', () =>
          reject(Object.assign(new Error('aborted'), { name: 'AbortError' })),
        );
      });
    const h = new TopicHistory('t', fetch);
    const first = h.load({ from: 0, to: MIN, step: MIN, q: 'a' });
    const second = h.load({ from: 0, to: MIN, step: MIN, q: 'b' });
    pending[1]!(reply({ ok: true, data: { ...data, q: 'b' } }));
    await Promise.all([first, second]);
    expect(h.data?.q).toBe('b');
    expect(h.error).toBeNull();
  });

  it('refreshes at most every few seconds, a little after the signal', () => {
    expect(refreshDelay(null, 1_000)).toBe(REFRESH_DEBOUNCE_MS);
    expect(refreshDelay(10_000, 11_000)).toBe(REFRESH_MIN_INTERVAL_MS - 1_000);
    expect(refreshDelay(10_000, 60_000)).toBe(REFRESH_DEBOUNCE_MS);
  });

  it('sums a range into headline figures: rates over the time covered, the peak never below the average', () => {
    const k = rangeKpis(data, data.series, data.step, MIN, { from: data.from, to: data.to });
    // 660 bytes over the hour the range covers; the one bucket's rate over its minute.
    expect(k.bitsPerSecond).toBeCloseTo((660 * 8) / 3600);
    expect(k.peakBitsPerSecond).toBeCloseTo((660 * 8) / 60);
    expect(k.rejectShare).toBeCloseTo(60 / 660);
    expect(k.records).toBe(2);
    expect(k.peakAt).toBe(T0);
  });

  it('reads a bucket cut by the end of the range over the time it covers (7 days of 1-hour buckets)', () => {
    const HOUR = 60 * MIN;
    const bucket = (t: number, bytes: number) => ({
      t,
      acceptBytes: bytes,
      acceptPackets: 1,
      acceptRecords: 1,
      rejectBytes: 0,
      rejectPackets: 0,
      rejectRecords: 0,
      windows: 60,
    });
    // The current hour has 29 minutes of data at the same rate as the full hours before it.
    const series = [bucket(T0, 3600), bucket(T0 + HOUR, 3600), bucket(T0 + 2 * HOUR, 29 * 60)];
    const span = { from: T0, to: T0 + 2 * HOUR + 29 * MIN };
    const totals = {
      accept: { bytes: 3600 + 3600 + 29 * 60, packets: 3, records: 3 },
      reject: { bytes: 0, packets: 0, records: 0 },
    };
    const k = rangeKpis(totals, series, HOUR, MIN, span);
    expect(k.bitsPerSecond).toBeCloseTo(8);
    expect(k.peakBitsPerSecond).toBeCloseTo(8);
    expect(k.peakBitsPerSecond).toBeGreaterThanOrEqual(k.bitsPerSecond - 1e-9);
    const points = pointsFromSeries(series, HOUR, T0 + 2 * HOUR, span);
    expect(points.map((p) => p.coveredMs)).toEqual([undefined, undefined, 29 * MIN]);
    expect(points.map((p) => pointRate(p, 'accept', 'bits', HOUR))).toEqual([8, 8, 8]);
    expect(points[2]!.pending).toBe(true);
  });
});
