import { afterEach, describe, expect, it, vi } from 'vitest';
import type { WindowAggregate } from '../../shared/events.ts';
import type { FlowRecord } from '../../shared/record.ts';
import { manualClock } from '../../server/clock.ts';
import { createAggregator } from '../../server/window/aggregator.ts';
import {
  AggregatorConfigError,
  defaultAggregatorConfig,
  type AggregatorConfig,
} from '../../server/window/config.ts';
import { createTopTracker, selectTop } from '../../server/window/top.ts';

// ---- fixtures -------------------------------------------------------------------------------

/** A window-aligned instant: 2025-01-15 12:00:00 UTC, epoch ms. */
const T0 = Date.UTC(2025, 0, 15, 12, 0, 0);
const MIN = 60_000;

/** An OK ENI record starting `offsetSec` seconds after T0 (5 s into the first window by default). */
function eni(over: Partial<FlowRecord> = {}, offsetSec = 5): FlowRecord {
  const start = T0 / 1000 + offsetSec;
  return {
    format: 'eni',
    version: '2',
    accountId: '100000000001',
    interfaceId: 'eni-0001',
    srcaddr: '10.0.0.1',
    dstaddr: '10.0.1.1',
    srcport: 40000,
    dstport: 443,
    protocol: 6,
    packets: 10,
    bytes: 1000,
    start,
    end: start + 55,
    action: 'ACCEPT',
    logStatus: 'OK',
    ccnId: null,
    srcRegion: null,
    dstRegion: null,
    regionId: null,
    extra: null,
    ...over,
  };
}

/** An OK CCN record from region `src` to region `dst`. */
function ccn(src: string, dst: string, over: Partial<FlowRecord> = {}): FlowRecord {
  return eni({
    format: 'ccn',
    interfaceId: null,
    ccnId: 'ccn-0001',
    regionId: src,
    srcRegion: src,
    dstRegion: dst,
    ...over,
  });
}

/** A NODATA or SKIPDATA record: a start, no addresses, no traffic. */
function status(logStatus: 'NODATA' | 'SKIPDATA', offsetSec = 5): FlowRecord {
  return eni(
    {
      srcaddr: null,
      dstaddr: null,
      srcport: null,
      dstport: null,
      protocol: null,
      packets: null,
      bytes: null,
      action: null,
      logStatus,
    },
    offsetSec,
  );
}

/** Quintuple number `i`: distinct source address and port. */
function flow(i: number, bytes: number, over: Partial<FlowRecord> = {}): FlowRecord {
  return eni({ srcaddr: `10.0.${i >> 8}.${i & 255}`, srcport: 30000 + i, bytes, ...over });
}

/** Deterministic PRNG (mulberry32) so a failing case replays. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What every published aggregate must satisfy. */
function checkInvariants(a: WindowAggregate): void {
  const totals = {
    bytes: a.accept.bytes + a.reject.bytes,
    packets: a.accept.packets + a.reject.packets,
    records: a.accept.records + a.reject.records,
  };
  const topPlusOther = { ...a.topOther };
  for (const q of a.top) {
    topPlusOther.bytes += q.bytes;
    topPlusOther.packets += q.packets;
    topPlusOther.records += q.records;
  }
  expect(topPlusOther).toEqual(totals);
  expect(a.topOther.bytes).toBeGreaterThanOrEqual(0);
  expect(a.topOther.records).toBeGreaterThanOrEqual(0);
  for (let i = 1; i < a.top.length; i++) {
    expect(a.top[i - 1]!.bytes).toBeGreaterThanOrEqual(a.top[i]!.bytes);
  }
  expect(a.streams.reduce((n, s) => n + s.ok, 0)).toBe(totals.records);
  expect(a.windowStart % MIN).toBe(0);
  expect(Object.isFrozen(a) && Object.isFrozen(a.top) && Object.isFrozen(a.accept)).toBe(true);
}

function setup(
  over: Partial<AggregatorConfig> = {},
  now = T0 + 2 * MIN,
  windowMsOf: (topicId: string) => number = () => MIN,
) {
  const clock = manualClock(now);
  const published: WindowAggregate[] = [];
  const agg = createAggregator(
    { ...defaultAggregatorConfig, flushIntervalMs: 0, ...over },
    {
      clock,
      windowMsOf,
      onWindow: (a) => {
        checkInvariants(a);
        published.push(a);
      },
      // A failed expectation inside onWindow must fail the test, not be counted and swallowed.
      onError: (err) => {
        throw err;
      },
    },
  );
  return { clock, published, agg };
}

afterEach(() => {
  vi.useRealTimers();
});

// ---- traffic ----------------------------------------------------------------------------------

describe('window aggregator: traffic', () => {
  it('totals bytes, packets and records by action, in the window of each record start', () => {
    const { agg, published } = setup();
    const res = agg.add('topic-a', 'eni-0001', [
      eni({ bytes: 100, packets: 1 }),
      eni({ bytes: 200, packets: 2 }, 59),
      eni({ bytes: 50, packets: 5, action: 'REJECT' }),
      eni({ bytes: 7, packets: 1 }, 60), // next window
    ]);
    expect(res).toEqual({ aggregated: 4, skipped: [] });
    expect(agg.flush()).toBe(2);
    const [w0, w1] = published;
    expect(w0).toMatchObject({
      topicId: 'topic-a',
      windowStart: T0,
      revision: 1,
      publishedAt: T0 + 2 * MIN,
      accept: { bytes: 300, packets: 3, records: 2 },
      reject: { bytes: 50, packets: 5, records: 1 },
      regionPairs: [],
      streams: [{ streamId: 'eni-0001', ok: 3, nodata: 0, skipdata: 0 }],
    });
    expect(w1).toMatchObject({
      windowStart: T0 + MIN,
      accept: { bytes: 7, packets: 1, records: 1 },
      reject: { bytes: 0, packets: 0, records: 0 },
    });
  });

  it('aggregates each topic at its own window length, by the window that holds the start', () => {
    const { agg, published } = setup({}, T0 + 20 * MIN, (t) => (t === 'topic-5m' ? 5 * MIN : MIN));
    agg.add('topic-5m', 'eni-0001', [
      eni({ bytes: 100 }, 0),
      eni({ bytes: 200 }, 4 * 60 + 59), // still the first 5-minute window
      eni({ bytes: 7 }, 5 * 60), // the next one
    ]);
    agg.add('topic-1m', 'eni-0002', [eni({ bytes: 1 }, 0), eni({ bytes: 2 }, 4 * 60 + 59)]);
    agg.flush();
    const five = published.filter((a) => a.topicId === 'topic-5m');
    expect(five.map((a) => [a.windowStart, a.windowMs, a.accept.bytes])).toEqual([
      [T0, 5 * MIN, 300],
      [T0 + 5 * MIN, 5 * MIN, 7],
    ]);
    const one = published.filter((a) => a.topicId === 'topic-1m');
    expect(one.map((a) => [a.windowStart, a.windowMs, a.accept.bytes])).toEqual([
      [T0, MIN, 1],
      [T0 + 4 * MIN, MIN, 2],
    ]);
  });

  it('counts an OK record with null bytes or packets as a record of 0', () => {
    const { agg, published } = setup();
    agg.add('t', 's', [eni({ bytes: null, packets: null }), eni({ bytes: 10, packets: null })]);
    agg.flush();
    expect(published[0]!.accept).toEqual({ bytes: 10, packets: 0, records: 2 });
    expect(published[0]!.top[0]).toMatchObject({ bytes: 10, packets: 0, records: 2 });
  });

  it('reads logStatus null as OK', () => {
    const { agg, published } = setup();
    agg.add('t', 's', [eni({ logStatus: null, bytes: 5 })]);
    agg.flush();
    expect(published[0]!.accept.bytes).toBe(5);
    expect(published[0]!.streams[0]!.ok).toBe(1);
  });

  it('totals by protocol, largest bytes first', () => {
    const { agg, published } = setup();
    agg.add('t', 's', [
      eni({ protocol: 17, bytes: 300, packets: 3 }),
      eni({ protocol: 6, bytes: 100, packets: 1 }),
      eni({ protocol: 6, bytes: 150, packets: 1, action: 'REJECT' }),
      eni({ protocol: 1, bytes: 900, packets: 9 }),
      eni({ protocol: 47, bytes: 250, packets: 1 }),
      eni({ protocol: null, bytes: 1 }), // in the totals, in no protocol
    ]);
    agg.flush();
    expect(published[0]!.byProtocol).toEqual([
      { protocol: 1, bytes: 900, packets: 9, records: 1 },
      { protocol: 17, bytes: 300, packets: 3, records: 1 },
      // A tie on bytes: the lower protocol number first.
      { protocol: 6, bytes: 250, packets: 2, records: 2 },
      { protocol: 47, bytes: 250, packets: 1, records: 1 },
    ]);
    expect(published[0]!.accept.bytes + published[0]!.reject.bytes).toBe(1701);
  });

  it('skips an OK record without an action, and says so', () => {
    const { agg, published } = setup();
    const bad = eni({ action: null });
    const res = agg.add('t', 's', [eni(), bad]);
    expect(res.aggregated).toBe(1);
    expect(res.skipped).toEqual([{ index: 1, reason: 'no-action', record: bad }]);
    agg.flush();
    expect(published[0]!.accept.records).toBe(1);
    expect(agg.metrics().skipped['no-action']).toBe(1);
  });
});

// ---- top quintuples ---------------------------------------------------------------------------

describe('window aggregator: top quintuples', () => {
  it('reports the top N by bytes with exact values, ties ordered by key', () => {
    const { agg, published } = setup({ topN: 3 });
    agg.add('t', 's', [
      flow(1, 100),
      flow(2, 500),
      flow(3, 300),
      flow(1, 250, { action: 'REJECT', packets: 4 }),
      flow(4, 300),
      flow(5, 10),
    ]);
    agg.flush();
    const a = published[0]!;
    expect(a.top).toEqual([
      {
        srcaddr: '10.0.0.2',
        srcport: 30002,
        dstaddr: '10.0.1.1',
        dstport: 443,
        protocol: 6,
        bytes: 500,
        packets: 10,
        records: 1,
        rejectBytes: 0,
        rejectPackets: 0,
      },
      expect.objectContaining({ srcaddr: '10.0.0.1', bytes: 350, packets: 14, records: 2 }),
      // 10.0.0.3 and 10.0.0.4 tie at 300: the key decides, the same way every time.
      expect.objectContaining({ srcaddr: '10.0.0.3', bytes: 300 }),
    ]);
    expect(a.top[1]).toMatchObject({ rejectBytes: 250, rejectPackets: 4 });
    expect(a.topOther).toEqual({ bytes: 310, packets: 20, records: 2 });
    expect(a.topTruncated).toBe(false);
  });

  it('once full, leaves new quintuples to topOther and keeps tracked ones exact', () => {
    const { agg, published } = setup({ topCapacity: 3, topKeep: 3, topN: 3 });
    agg.add('t', 's', [flow(1, 10), flow(2, 20), flow(3, 30)]);
    agg.add('t', 's', [flow(4, 1000), flow(1, 5), flow(5, 7), flow(4, 1)]);
    agg.flush();
    const a = published[0]!;
    expect(a.topTruncated).toBe(true);
    expect(a.top.map((q) => [q.srcport, q.bytes, q.records])).toEqual([
      [30003, 30, 1],
      [30002, 20, 1],
      [30001, 15, 2],
    ]);
    expect(a.topOther).toEqual({ bytes: 1008, packets: 30, records: 3 });
    expect(agg.metrics()).toMatchObject({ trackedQuintuples: 3, topOverflowRecords: 3 });
  });

  it('leaves records with an incomplete quintuple to topOther without marking truncation', () => {
    const { agg, published } = setup();
    agg.add('t', 's', [flow(1, 10), eni({ srcport: null, bytes: 4 })]);
    agg.flush();
    expect(published[0]!.top).toHaveLength(1);
    expect(published[0]!.topOther).toEqual({ bytes: 4, packets: 10, records: 1 });
    expect(published[0]!.topTruncated).toBe(false);
  });

  it('compacts a settled window to topKeep; a late record of a dropped quintuple goes to topOther', () => {
    const { agg, published, clock } = setup({ topKeep: 3, topN: 2, settleMs: 15 * MIN });
    agg.add('t', 's', [flow(1, 60), flow(2, 50), flow(3, 40), flow(4, 30), flow(5, 20)]);
    agg.flush();
    expect(agg.metrics().trackedQuintuples).toBe(5);
    clock.set(T0 + MIN + 15 * MIN - 1);
    agg.flush();
    expect(agg.metrics()).toMatchObject({ trackedQuintuples: 5, windowsCompacted: 0 });
    clock.advance(1);
    agg.flush();
    expect(agg.metrics()).toMatchObject({ trackedQuintuples: 3, windowsCompacted: 1 });
    expect(published).toHaveLength(1); // compaction alone publishes nothing

    agg.add('t', 's', [flow(5, 1000), flow(2, 5)]); // 5 was compacted out, 2 was kept
    agg.flush();
    const a = published[1]!;
    expect(a.revision).toBe(2);
    expect(a.top.map((q) => [q.srcport, q.bytes, q.records])).toEqual([
      [30001, 60, 1],
      [30002, 55, 2],
    ]);
    expect(a.topOther).toEqual({ bytes: 40 + 30 + 20 + 1000, packets: 40, records: 4 });
    expect(a.topTruncated).toBe(true);
  });

  it('still admits new quintuples late when compaction dropped none', () => {
    const { agg, published, clock } = setup({ topKeep: 3, topN: 3 });
    agg.add('t', 's', [flow(1, 60), flow(2, 50)]);
    clock.set(T0 + 20 * MIN);
    agg.flush();
    agg.add('t', 's', [flow(3, 70)]);
    agg.flush();
    expect(published[1]!.top.map((q) => q.srcport)).toEqual([30003, 30001, 30002]);
    expect(published[1]!.topTruncated).toBe(false);
  });
});

// ---- CCN and log status -----------------------------------------------------------------------

describe('window aggregator: CCN regions and log status', () => {
  it('totals bytes and packets per (source, destination) region by action', () => {
    const { agg, published } = setup();
    agg.add('ccn-topic', 'ccn-0001/ap-guangzhou', [
      ccn('ap-guangzhou', 'ap-shanghai', { bytes: 100, packets: 1 }),
      ccn('ap-guangzhou', 'ap-shanghai', { bytes: 40, packets: 2, action: 'REJECT' }),
      ccn('ap-guangzhou', 'ap-beijing', { bytes: 500, packets: 5 }),
      ccn('ap-shanghai', 'ap-guangzhou', { bytes: 140, packets: 3 }),
    ]);
    agg.flush();
    expect(published[0]!.regionPairs).toEqual([
      {
        src: 'ap-guangzhou',
        dst: 'ap-beijing',
        acceptBytes: 500,
        acceptPackets: 5,
        rejectBytes: 0,
        rejectPackets: 0,
        records: 1,
      },
      // 140 bytes each: ordered by source, then destination.
      {
        src: 'ap-guangzhou',
        dst: 'ap-shanghai',
        acceptBytes: 100,
        acceptPackets: 1,
        rejectBytes: 40,
        rejectPackets: 2,
        records: 2,
      },
      {
        src: 'ap-shanghai',
        dst: 'ap-guangzhou',
        acceptBytes: 140,
        acceptPackets: 3,
        rejectBytes: 0,
        rejectPackets: 0,
        records: 1,
      },
    ]);
  });

  it('counts NODATA and SKIPDATA per stream without adding traffic', () => {
    const { agg, published } = setup();
    agg.add('t', 'eni-b', [status('NODATA')]);
    agg.add('t', 'eni-a', [eni({ bytes: 10 }), status('SKIPDATA'), status('SKIPDATA')]);
    agg.add('t', 'eni-c', [status('NODATA', 70)]); // next window
    agg.flush();
    const [w0, w1] = published;
    expect(w0!.streams).toEqual([
      { streamId: 'eni-a', ok: 1, nodata: 0, skipdata: 2 },
      { streamId: 'eni-b', ok: 0, nodata: 1, skipdata: 0 },
    ]);
    expect(w0!.accept).toEqual({ bytes: 10, packets: 10, records: 1 });
    expect(w0!.byProtocol).toHaveLength(1);
    expect(w1).toMatchObject({
      accept: { bytes: 0, packets: 0, records: 0 },
      reject: { bytes: 0, packets: 0, records: 0 },
      top: [],
      topOther: { bytes: 0, packets: 0, records: 0 },
      streams: [{ streamId: 'eni-c', ok: 0, nodata: 1, skipdata: 0 }],
    });
    expect(agg.metrics()).toMatchObject({ recordsAggregated: 1, statusRecords: 4 });
  });
});

// ---- publication and late records -------------------------------------------------------------

describe('window aggregator: revisions and late records', () => {
  it('republishes a window with revision + 1 when a late record arrives', () => {
    const { agg, published, clock } = setup();
    agg.add('t', 's', [eni({ bytes: 100 })]);
    agg.flush();
    expect(agg.flush()).toBe(0); // nothing changed: nothing published
    clock.advance(5 * MIN);
    agg.add('t', 's2', [eni({ bytes: 1 })]);
    agg.flush();
    expect(published.map((a) => [a.windowStart, a.revision, a.accept.bytes])).toEqual([
      [T0, 1, 100],
      [T0, 2, 101],
    ]);
    expect(published[1]!.publishedAt).toBe(T0 + 7 * MIN);
    expect(agg.metrics()).toMatchObject({ windowsPublished: 2, republished: 1, lateRecords: 1 });
  });

  it('publishes fresh frozen aggregates that later records do not change', () => {
    const { agg, published } = setup();
    agg.add('t', 's', [eni({ bytes: 100 })]);
    agg.flush();
    const first = published[0]!;
    expect(() => {
      (first.accept as { bytes: number }).bytes = 1;
    }).toThrow(TypeError);
    agg.add('t', 's', [eni({ bytes: 5 })]);
    agg.flush();
    expect(first.accept.bytes).toBe(100);
    expect(first.top[0]!.bytes).toBe(100);
    expect(published[1]!.accept.bytes).toBe(105);
  });

  it('never counts a record twice nor drops one, whatever the order and timing', () => {
    const rand = prng(20250115);
    const { agg, published, clock } = setup({ topCapacity: 40, topKeep: 20, topN: 10 }, T0);
    // 30 minutes of traffic from 4 streams of 2 topics, delivered late by 0-20 minutes.
    const pending: Array<{ due: number; topicId: string; streamId: string; rs: FlowRecord[] }> = [];
    const sent = new Map<string, { bytes: number; packets: number; records: number }>();
    for (let minute = 0; minute < 30; minute++) {
      for (const topicId of ['t1', 't2']) {
        for (const streamId of ['eni-a', 'eni-b']) {
          const rs: FlowRecord[] = [];
          const n = 1 + Math.floor(rand() * 30);
          for (let i = 0; i < n; i++) {
            const q = Math.floor(rand() ** 3 * 80); // skewed: a few quintuples carry most
            rs.push(
              flow(q, Math.floor(rand() * 5000), {
                packets: 1 + Math.floor(rand() * 9),
                action: rand() < 0.1 ? 'REJECT' : 'ACCEPT',
                start: T0 / 1000 + minute * 60 + Math.floor(rand() * 60),
              }),
            );
          }
          if (rand() < 0.1) rs.push(status('NODATA', minute * 60 + 1));
          const due = T0 + (minute + 1) * MIN + Math.floor(rand() * 20 * MIN);
          // Some batches arrive in pieces, at different times.
          const cut = Math.floor(rand() * rs.length);
          pending.push({ due, topicId, streamId, rs: rs.slice(0, cut) });
          pending.push({ due: due + rand() * 5 * MIN, topicId, streamId, rs: rs.slice(cut) });
          const s = sent.get(topicId) ?? { bytes: 0, packets: 0, records: 0 };
          for (const r of rs) {
            if (r.logStatus !== 'OK') continue;
            s.bytes += r.bytes!;
            s.packets += r.packets!;
            s.records++;
          }
          sent.set(topicId, s);
        }
      }
    }
    pending.sort((a, b) => a.due - b.due);
    for (const p of pending) {
      clock.set(p.due);
      expect(agg.add(p.topicId, p.streamId, p.rs).skipped).toEqual([]);
      if (rand() < 0.3) agg.flush();
    }
    agg.stop(); // publishes what is pending

    // A client keeping the highest revision per (topic, window).
    const client = new Map<string, WindowAggregate>();
    const lastRevision = new Map<string, number>();
    for (const a of published) {
      const key = `${a.topicId}@${a.windowStart}`;
      expect(a.revision).toBe((lastRevision.get(key) ?? 0) + 1); // 1, 2, 3... never repeated
      lastRevision.set(key, a.revision);
      const held = client.get(key);
      if (!held || held.revision < a.revision) client.set(key, a);
    }
    for (const [topicId, s] of sent) {
      const got = { bytes: 0, packets: 0, records: 0 };
      for (const a of client.values()) {
        if (a.topicId !== topicId) continue;
        got.bytes += a.accept.bytes + a.reject.bytes;
        got.packets += a.accept.packets + a.reject.packets;
        got.records += a.accept.records + a.reject.records;
      }
      expect(got).toEqual(s);
    }
    // The run did exercise late records, full trackers and compaction.
    const m = agg.metrics();
    expect(m.lateRecords).toBeGreaterThan(0);
    expect(m.topOverflowRecords).toBeGreaterThan(0);
    expect(m.windowsCompacted).toBeGreaterThan(0);
    // The aggregator's own view is the client's view.
    for (const topicId of ['t1', 't2']) {
      const ws = agg.windows(topicId, T0, T0 + 30 * MIN);
      expect(ws).toHaveLength(30);
      for (const a of ws) expect(client.get(`${topicId}@${a.windowStart}`)).toBe(a);
    }
  });
});

// ---- skipped records --------------------------------------------------------------------------

describe('window aggregator: records it cannot place', () => {
  it('counts and returns records without start, beyond the horizon, or in the future', () => {
    const now = T0 + 24 * 60 * MIN + 30_000; // 24 h 30 s after T0
    const { agg, published } = setup({}, now);
    const noStart = eni({ start: null });
    const old = eni({}, -1); // window T0 - 1 min: ended 24 h 1.5 min ago
    const edge = eni({}, 5); // window T0: ended 23 h 59.5 min ago, still in
    const future = eni({}, (now - T0) / 1000 + 10 * 60 + 1);
    const nearFuture = eni({}, (now - T0) / 1000 + 9 * 60);
    const res = agg.add('t', 's', [noStart, old, edge, future, nearFuture]);
    expect(res).toEqual({
      aggregated: 2,
      skipped: [
        { index: 0, reason: 'no-start', record: noStart },
        { index: 1, reason: 'beyond-horizon', record: old },
        { index: 3, reason: 'future', record: future },
      ],
    });
    expect(agg.metrics().skipped).toEqual({
      'no-start': 1,
      'beyond-horizon': 1,
      future: 1,
      'no-action': 0,
    });
    agg.flush();
    expect(published.map((a) => a.accept.records)).toEqual([1, 1]);
  });
});

// ---- queries, eviction, timer -----------------------------------------------------------------

describe('window aggregator: windows(), latest(), eviction and timer', () => {
  it('returns published windows in [from, to), oldest first, at their latest revision', () => {
    const { agg } = setup({}, T0 + 10 * MIN);
    for (const m of [4, 1, 3, 0, 2]) agg.add('t', 's', [eni({}, m * 60)]);
    agg.add('other', 's', [eni()]);
    expect(agg.windows('t', T0, T0 + 10 * MIN)).toEqual([]); // nothing published yet
    expect(agg.latest('t')).toBeNull();
    agg.flush();
    agg.add('t', 's', [eni({ bytes: 1 }, 60)]);
    agg.add('t', 's', [eni({}, 5 * 60)]); // dirty, not published
    const ws = agg.windows('t', T0 + MIN, T0 + 4 * MIN);
    expect(ws.map((a) => [a.windowStart - T0, a.revision])).toEqual([
      [MIN, 1],
      [2 * MIN, 1],
      [3 * MIN, 1],
    ]);
    expect(agg.latest('t')!.windowStart).toBe(T0 + 4 * MIN);
    expect(agg.windows('nope', 0, Infinity)).toEqual([]);
    agg.flush();
    expect(agg.windows('t', T0 + MIN, T0 + 2 * MIN)[0]).toMatchObject({ revision: 2 });
    expect(agg.latest('t')).toMatchObject({ windowStart: T0 + 5 * MIN, revision: 1 });
  });

  it('evicts windows beyond the horizon, so memory stays bounded', () => {
    const { agg, clock, published } = setup({ horizonMs: 10 * MIN }, T0 + 10 * MIN);
    for (let m = 0; m < 10; m++) agg.add('t', 's', [flow(m, 1, { start: T0 / 1000 + m * 60 })]);
    agg.flush();
    expect(agg.metrics()).toMatchObject({ windowsInMemory: 10, trackedQuintuples: 10 });
    clock.advance(5 * MIN);
    agg.flush();
    expect(agg.metrics()).toMatchObject({
      windowsInMemory: 5,
      windowsEvicted: 5,
      trackedQuintuples: 5,
    });
    expect(agg.windows('t', 0, Infinity).map((a) => (a.windowStart - T0) / MIN)).toEqual([
      5, 6, 7, 8, 9,
    ]);
    expect(agg.add('t', 's', [eni({}, 60)]).skipped[0]!.reason).toBe('beyond-horizon');

    // A window that is dirty when it leaves the horizon is published before it is evicted.
    agg.add('t', 's', [eni({ bytes: 3 }, 9 * 60)]);
    clock.advance(60 * MIN);
    agg.flush();
    expect(published.at(-1)).toMatchObject({ windowStart: T0 + 9 * MIN, revision: 2 });
    expect(agg.metrics()).toMatchObject({ windowsInMemory: 0, topics: 0, trackedQuintuples: 0 });
    expect(agg.latest('t')).toBeNull();

    // Even if the clock goes back, an evicted window does not restart at revision 1.
    clock.advance(-60 * MIN);
    expect(agg.add('t', 's', [eni({}, 9 * 60)]).skipped[0]!.reason).toBe('beyond-horizon');
  });

  it('coalesces the batches of a flush interval into one revision', () => {
    vi.useFakeTimers();
    const { agg, published } = setup({ flushIntervalMs: 1000 });
    agg.start();
    agg.start(); // idempotent
    for (let i = 0; i < 5; i++) agg.add('t', `eni-${i}`, [eni({ bytes: 10 })]);
    vi.advanceTimersByTime(999);
    expect(published).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(published.map((a) => [a.revision, a.accept.records])).toEqual([[1, 5]]);
    vi.advanceTimersByTime(5000);
    expect(published).toHaveLength(1); // nothing new, nothing published
    agg.add('t', 'eni-0', [eni({ bytes: 10 })]);
    agg.add('t', 'eni-0', [eni({ bytes: 10 })]);
    agg.stop(); // publishes what is pending
    expect(published.map((a) => [a.revision, a.accept.records])).toEqual([
      [1, 5],
      [2, 7],
    ]);
    agg.add('t', 'eni-0', [eni({ bytes: 10 })]);
    vi.advanceTimersByTime(10_000);
    expect(published).toHaveLength(2); // the timer is gone
  });

  it('counts an onWindow failure and goes on', () => {
    const clock = manualClock(T0 + 2 * MIN);
    const errors: unknown[] = [];
    const agg = createAggregator(defaultAggregatorConfig, {
      clock,
      windowMsOf: () => MIN,
      onWindow: () => {
        throw new Error('boom');
      },
      onError: (err) => errors.push(err),
    });
    agg.add('t', 's', [eni(), eni({}, 65)]);
    expect(agg.flush()).toBe(2);
    expect(errors).toHaveLength(2);
    expect(agg.metrics()).toMatchObject({ publishErrors: 2, windowsPublished: 2 });
    expect(agg.latest('t')).toMatchObject({ windowStart: T0 + MIN, revision: 1 });
  });
});

describe('window aggregator: a throwing onError', () => {
  it('leaves the windows it could not reach pending', () => {
    const clock = manualClock(T0 + 2 * MIN);
    const seen: number[] = [];
    const agg = createAggregator(defaultAggregatorConfig, {
      clock,
      windowMsOf: () => MIN,
      onWindow: (a) => {
        seen.push(a.windowStart);
        if (seen.length === 1) throw new Error('boom');
      },
      onError: (err) => {
        throw err;
      },
    });
    agg.add('t', 's', [eni(), eni({}, 65)]);
    expect(() => agg.flush()).toThrow('boom');
    expect(agg.flush()).toBe(1);
    expect(seen).toEqual([T0, T0 + MIN]);
    expect(agg.latest('t')).toMatchObject({ windowStart: T0 + MIN, revision: 1 });
  });
});

// ---- config and the tracker itself ------------------------------------------------------------

describe('window aggregator: config', () => {
  it('lists every bad value in one error', () => {
    const clock = manualClock(T0);
    let error: unknown;
    try {
      createAggregator(
        { ...defaultAggregatorConfig, horizonMs: 1000, topN: 0, topKeep: 50, topCapacity: 10 },
        { clock, windowMsOf: () => 60_000, onWindow: () => {} },
      );
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(AggregatorConfigError);
    expect((error as AggregatorConfigError).problems).toEqual([
      'horizonMs must be an integer >= 60000, got 1000',
      'topN must be an integer >= 1, got 0',
      'topCapacity (10) must be >= topKeep (50)',
    ]);
  });
});

describe('top tracker', () => {
  it('selects the same top N as a full sort', () => {
    const rand = prng(7);
    const tracker = createTopTracker(10_000);
    for (let i = 0; i < 6000; i++) {
      tracker.add(flow(Math.floor(rand() * 1500), 0), Math.floor(rand() * 50), 1, false);
    }
    const all = tracker.top(Infinity);
    const key = (q: (typeof all)[number]) =>
      `${q.srcaddr}|${q.srcport}|${q.dstaddr}|${q.dstport}|${q.protocol}`;
    const sorted = [...all].sort(
      (a, b) => b.bytes - a.bytes || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0),
    );
    expect(all).toEqual(sorted);
    expect(tracker.top(25)).toEqual(sorted.slice(0, 25));
    expect(selectTop([], 3)).toEqual([]);
  });
});
