// The embedded store on a real DuckDB file in a temp dir: round trips, pagination, windows,
// persistence, retention, and recomputeWindow against the in-memory window aggregator.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  clickHouseUrl,
  startClickHouse,
  startClickHouseShards,
  STORE_BACKENDS as BACKENDS,
  type ClickHouseChild,
  type StoreBackend as Backend,
} from '../helpers/clickhouse.ts';
import { simulatedBatches } from '../helpers/simulated.ts';
import type { WindowAggregate } from '../../shared/events.ts';
import { DuckDBInstance } from '@duckdb/node-api';
import { parseQuery, type QueryNode } from '../../shared/query/index.ts';
import type { FlowRecord } from '../../shared/record.ts';
import { createCatalog } from '../../server/catalog/catalog.ts';
import { logsetsWithWindow } from '../helpers/catalog.ts';
import { manualClock } from '../../server/clock.ts';
import { addressHash, quintupleHash } from '../../server/store/duckdb/qhash.ts';
import {
  defaultStoreConfig,
  openStore,
  rollupSafe,
  type Store,
  type StoreConfig,
  type StoredRecord,
} from '../../server/store/store.ts';
import { createAggregator, defaultAggregatorConfig } from '../../server/window/aggregator.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** 2025-01-15 08:00 UTC. */
const T0 = Date.UTC(2025, 0, 15, 8, 0, 0);

/** A query's AST: what the store filters by. */
function q(text: string): QueryNode | null {
  const p = parseQuery(text);
  if (!p.ok) throw new Error(`${text}: ${p.error.message}`);
  return p.ast;
}

let dir: string;

/**
 * Every backend runs this suite: DuckDB in a temporary directory, a real ClickHouse 18.16, and two
 * ClickHouse servers as the shards of one cluster (records through a Distributed table).
 */
let backend: Backend = 'duckdb';
let clickhouse: ClickHouseChild | null = null;
let shards: ClickHouseChild[] | null = null;
/** A fresh ClickHouse database per test (a reopen in the same test sees the same one). */
let database = '';
let databases = 0;

/** The suite's tests run on backend `b`; ClickHouse is started once, for the first that needs it. */
function useBackend(b: Backend): void {
  beforeAll(async () => {
    if (b === 'clickhouse') clickhouse ??= await startClickHouse();
    if (b === 'clickhouse-2-shards') shards ??= await startClickHouseShards(2);
  }, 180_000);
  beforeEach(() => {
    backend = b;
  });
}

afterAll(async () => {
  await Promise.all([clickhouse, ...(shards ?? [])].map((s) => s?.stop()));
});

/** A test of one backend's own behaviour: registered in that backend's run of the suite only. */
function itOn(b: Backend, only: Backend): typeof it {
  return (b === only ? it : () => {}) as unknown as typeof it;
}
/**
 * Queues records of one stream of a topic aggregating in 1-minute windows; false when the store
 * had no room (nothing queued).
 */
const appendTo = (store: Store, topicId: string, streamId: string, records: FlowRecord[]) => {
  const ack = store.write({ streams: [{ topicId, streamId, windowMs: MIN, records }] });
  ack?.catch(() => {});
  return ack !== null;
};

const open: Store[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flowdeck-store-'));
  database = `store_test_${process.pid}_${++databases}`;
  backend = 'duckdb'; // a describe.each block names its own (useBackend)
});

afterEach(async () => {
  for (const s of open.splice(0)) await s.close().catch(() => {});
  await rm(dir, { recursive: true, force: true });
});

async function openTest(
  overrides: Partial<StoreConfig> = {},
  now = T0 + 10 * MIN,
  warnings: string[] = [],
) {
  const clock = manualClock(now);
  const url =
    backend === 'clickhouse'
      ? clickHouseUrl([clickhouse!], database)
      : backend === 'clickhouse-2-shards'
        ? clickHouseUrl(shards!, database)
        : null;
  const store = await openStore(
    { ...defaultStoreConfig(dir), flushIntervalMs: 20, ...overrides, ...(url ? { url } : {}) },
    { clock, warn: (m) => warnings.push(m) },
  );
  open.push(store);
  return { store, clock };
}

async function closeTest(store: Store) {
  await store.close();
  open.splice(open.indexOf(store), 1);
}

function eni(p: Partial<FlowRecord> = {}): FlowRecord {
  const start = p.start ?? T0 / 1000;
  return {
    format: 'eni',
    version: '2',
    accountId: '1300428518',
    interfaceId: 'eni-aaaa1111',
    srcaddr: '10.0.1.11',
    dstaddr: '10.0.2.21',
    srcport: 40000,
    dstport: 443,
    protocol: 6,
    packets: 10,
    bytes: 1000,
    start,
    end: start + 60,
    action: 'ACCEPT',
    logStatus: 'OK',
    ccnId: null,
    srcRegion: null,
    dstRegion: null,
    regionId: null,
    extra: null,
    ...p,
  };
}

function ccn(p: Partial<FlowRecord> = {}): FlowRecord {
  return eni({
    format: 'ccn',
    version: '1',
    accountId: null,
    interfaceId: null,
    ccnId: 'ccn-0x7gk2me',
    srcRegion: 'ap-guangzhou',
    dstRegion: 'ap-shanghai',
    regionId: 'ap-guangzhou',
    ...p,
  });
}

/** What the store gives back for a record it was given. */
function stored(topicId: string, streamId: string, r: FlowRecord): Omit<StoredRecord, 'seq'> {
  return {
    ...r,
    topicId,
    streamId,
    windowStart: Math.floor((r.start ?? 0) / 60) * MIN,
  };
}

async function all(store: Store, q: Partial<Parameters<Store['queryRecords']>[0]> = {}) {
  const out: StoredRecord[] = [];
  let cursor: string | null = null;
  do {
    const page = await store.queryRecords({ fromMs: 0, toMs: 2 * T0, limit: 1000, ...q, cursor });
    out.push(...page.records);
    cursor = page.next;
  } while (cursor !== null);
  return out;
}

/** A varied set of records over several topics, streams and windows. */
function sample(n: number): Array<{ topic: string; stream: string; r: FlowRecord }> {
  const out: Array<{ topic: string; stream: string; r: FlowRecord }> = [];
  for (let i = 0; i < n; i++) {
    const w = i % 7;
    const start = T0 / 1000 + w * 60 + (i % 60);
    if (i % 3 === 0) {
      out.push({
        topic: 'topic-ccn',
        stream: 'ccn-0x7gk2me/ap-guangzhou',
        r: ccn({
          start,
          end: start + 60,
          srcport: 30000 + (i % 50),
          dstport: [443, 3306, 53][i % 3]!,
          protocol: i % 10 === 0 ? 17 : 6,
          bytes: 100 + ((i * 7919) % 5000),
          packets: 1 + (i % 13),
          action: i % 11 === 0 ? 'REJECT' : 'ACCEPT',
          dstRegion: i % 2 ? 'ap-shanghai' : 'ap-beijing',
        }),
      });
    } else {
      const stream = i % 2 ? 'eni-aaaa1111' : 'eni-bbbb2222';
      out.push({
        topic: 'topic-eni',
        stream,
        r: eni({
          interfaceId: stream,
          srcaddr: `10.0.${i % 4}.${10 + (i % 30)}`,
          start,
          end: start + 60,
          srcport: 40000 + (i % 97),
          dstport: [443, 80, 22, 8080][i % 4]!,
          bytes: i % 17 === 0 ? null : 60 + ((i * 104729) % 20000),
          packets: i % 17 === 0 ? null : 1 + (i % 40),
          action: i % 9 === 0 ? 'REJECT' : 'ACCEPT',
        }),
      });
    }
  }
  return out;
}

function appendAll(store: Store, rows: Array<{ topic: string; stream: string; r: FlowRecord }>) {
  // One write per run of the same (topic, stream), like the ingest pipeline.
  let i = 0;
  while (i < rows.length) {
    let j = i;
    while (
      j < rows.length &&
      rows[j]!.topic === rows[i]!.topic &&
      rows[j]!.stream === rows[i]!.stream
    )
      j++;
    expect(
      appendTo(
        store,
        rows[i]!.topic,
        rows[i]!.stream,
        rows.slice(i, j).map((x) => x.r),
      ),
    ).toBe(true);
    i = j;
  }
}

function windowAgg(
  topicId: string,
  windowStart: number,
  revision: number,
  bytes: number,
): WindowAggregate {
  return {
    topicId,
    windowStart,
    windowMs: MIN,
    revision,
    publishedAt: windowStart + 70_000 + revision,
    accept: { bytes, packets: bytes / 10, records: 3 },
    reject: { bytes: revision, packets: 1, records: 1 },
    byProtocol: [{ protocol: 6, bytes: bytes + revision, packets: bytes / 10 + 1, records: 4 }],
    top: [],
    topOther: { bytes: bytes + revision, packets: bytes / 10 + 1, records: 4 },
    topTruncated: false,
    regionPairs: [],
    streams: [{ streamId: 'eni-aaaa1111', ok: 4, nodata: 0, skipdata: 0 }],
  };
}

describe.each(BACKENDS)('store: records (%s)', (b) => {
  useBackend(b);
  itOn(b, 'clickhouse-2-shards')(
    'spreads topics over the shards, a topic whole on one, and reads them all back',
    async () => {
      const { store } = await openTest();
      const topics = Array.from({ length: 12 }, (_, i) => `topic-shard-${i}`);
      for (const [i, t] of topics.entries())
        appendTo(store, t, 'eni-aaaa1111', [eni({ bytes: 1000 + i }), eni({ bytes: 2000 + i })]);
      await store.flush();
      // Each shard's own table, asked directly.
      const perShard = await Promise.all(
        shards!.map(async (s) => {
          const res = await fetch(
            `${s.url}/?query=${encodeURIComponent(
              `SELECT topic, count() AS n FROM ${database}.records_shard GROUP BY topic FORMAT JSONEachRow`,
            )}`,
          );
          return (await res.text())
            .trim()
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as { topic: string; n: string });
        }),
      );
      expect(perShard.every((rows) => rows.length > 0)).toBe(true);
      const held = perShard.flat();
      expect(held.map((r) => r.topic).sort()).toEqual([...topics].sort());
      expect(held.every((r) => Number(r.n) === 2)).toBe(true);
      // Reads go through the Distributed table: every record, from both shards.
      expect(await all(store)).toHaveLength(topics.length * 2);
    },
  );
  it('round-trips every field, IPv6 addresses, NODATA nulls and extra fields', async () => {
    const { store } = await openTest();
    const v6 = eni({
      srcaddr: '2001:db8::1',
      dstaddr: 'fe80::1:2',
      srcport: 0,
      dstport: 2048,
      protocol: 58,
    });
    const nodata = eni({
      srcaddr: null,
      dstaddr: null,
      srcport: null,
      dstport: null,
      protocol: null,
      packets: null,
      bytes: null,
      action: null,
      logStatus: 'NODATA',
      start: T0 / 1000 + 60,
      end: T0 / 1000 + 120,
    });
    const ccnNodata = ccn({
      srcaddr: null,
      dstaddr: null,
      srcport: null,
      dstport: null,
      protocol: null,
      packets: -1,
      bytes: -1,
      action: null,
      logStatus: 'NODATA',
      srcRegion: null,
      dstRegion: null,
    });
    const custom: FlowRecord = {
      ...eni({ version: null, accountId: null, logStatus: null }),
      format: 'custom',
      extra: { 'tcp-flags': 18, 'vpc-id': 'vpc-m4k2x9p7', 'pkt-srcaddr': null },
    };
    const bigNumbers = eni({
      bytes: 2 ** 52 + 1,
      packets: 123456789012,
      start: 1736928000,
      srcaddr: 'not-an-ip',
    });
    const input: Array<[string, string, FlowRecord]> = [
      ['topic-eni', 'eni-aaaa1111', eni()],
      ['topic-eni', 'eni-aaaa1111', v6],
      ['topic-eni', 'eni-bbbb2222', nodata],
      ['topic-ccn', 'ccn-0x7gk2me/ap-guangzhou', ccn()],
      ['topic-ccn', 'ccn-0x7gk2me/ap-guangzhou', ccnNodata],
      ['topic-custom', 'eni-cccc3333', custom],
      ['topic-eni', 'eni-aaaa1111', bigNumbers],
    ];
    for (const [t, s, r] of input) expect(appendTo(store, t, s, [r])).toBe(true);
    await store.flush();

    const got = await all(store, { order: { field: 'seq', dir: 'asc' } });
    expect(got.map(({ seq: _seq, ...r }) => r)).toEqual(input.map(([t, s, r]) => stored(t, s, r)));
    const seqs = got.map((r) => r.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);

    // Addresses are also stored as numbers: exact match and CIDR through the query compiler.
    const exact = await store.queryRecords({
      fromMs: 0,
      toMs: 2 * T0,
      limit: 10,
      where: q('srcaddr:2001:db8::1'),
    });
    expect(exact.records.map((r) => r.srcaddr)).toEqual(['2001:db8::1']);
    const parsed = parseQuery('dstaddr:fe80::/10 OR srcaddr:10.0.0.0/8');
    if (!parsed.ok) throw new Error(parsed.error.message);
    const cidr = await store.queryRecords({
      fromMs: 0,
      toMs: 2 * T0,
      limit: 10,
      where: parsed.ast,
    });
    expect(cidr.total).toBe(4);

    // DuckDB: records.qhash is the hash qhash.ts computes from the key (addresses by value, texts
    // as such); the rollups' top lists are matched to records by it.
    if (b !== 'duckdb') return;
    await closeTest(store);
    const db = await DuckDBInstance.create(join(dir, 'flowdeck.duckdb'), {
      access_mode: 'READ_ONLY',
    });
    const con = await db.connect();
    try {
      for (const r of [v6, bigNumbers]) {
        const h = quintupleHash(
          addressHash(r.srcaddr),
          r.srcport!,
          addressHash(r.dstaddr),
          r.dstport!,
          r.protocol!,
        );
        const hit = await con.runAndReadAll('SELECT srcaddr FROM records WHERE qhash = $1', [h]);
        expect(hit.getRows().map((x) => x[0])).toContain(r.srcaddr);
      }
    } finally {
      con.closeSync();
      db.closeSync();
    }
  });

  it('pages cover every matching row exactly once, in both directions and on nullable keys', async () => {
    const { store } = await openTest();
    const rows = sample(1500);
    appendAll(store, rows);
    await store.flush();
    const everything = await all(store);
    expect(everything).toHaveLength(1500);

    for (const order of [
      { field: 'window', dir: 'desc' },
      { field: 'window', dir: 'asc' },
      { field: 'bytes', dir: 'desc' },
      { field: 'bytes', dir: 'asc' },
      { field: 'seq', dir: 'asc' },
    ] as const) {
      const where = q('dstport:443');
      const seen: StoredRecord[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page = await store.queryRecords({
          fromMs: 0,
          toMs: 2 * T0,
          limit: 37,
          where,
          order,
          cursor,
        });
        expect(page.records.length).toBeLessThanOrEqual(37);
        seen.push(...page.records);
        cursor = page.next;
        pages++;
      } while (cursor !== null);
      const expected = everything.filter((r) => r.dstport === 443);
      expect(seen).toHaveLength(expected.length);
      expect(new Set(seen.map((r) => r.seq)).size).toBe(expected.length);
      expect(pages).toBe(Math.max(1, Math.ceil(expected.length / 37)));
      const key = (r: StoredRecord) =>
        order.field === 'window'
          ? r.windowStart
          : order.field === 'bytes'
            ? (r.bytes ?? -Infinity)
            : r.seq;
      for (let i = 1; i < seen.length; i++) {
        const a = seen[i - 1]!;
        const b = seen[i]!;
        const c = key(a) === key(b) ? a.seq - b.seq : key(a) - key(b);
        expect(order.dir === 'asc' ? c < 0 : c > 0).toBe(true);
      }
    }
  });

  it('gives total and sums over the whole match, not the page', async () => {
    const { store } = await openTest();
    const rows = sample(900);
    appendAll(store, rows);
    await store.flush();
    const from = T0 + MIN;
    const to = T0 + 5 * MIN;
    const match = rows.filter(
      ({ topic, r }) =>
        topic === 'topic-eni' &&
        r.dstport === 443 &&
        Math.floor(r.start! / 60) * MIN >= from &&
        Math.floor(r.start! / 60) * MIN < to,
    );
    const page = await store.queryRecords({
      topicId: 'topic-eni',
      fromMs: from,
      toMs: to,
      limit: 5,
      where: q('dstport:443'),
    });
    expect(page.records).toHaveLength(5);
    expect(page.total).toBe(match.length);
    expect(page.sum).toEqual({
      bytes: match.reduce((s, x) => s + (x.r.bytes ?? 0), 0),
      packets: match.reduce((s, x) => s + (x.r.packets ?? 0), 0),
    });
  });

  it('refuses a bad cursor, order or limit with a query error', async () => {
    const { store } = await openTest();
    await expect(
      store.queryRecords({ fromMs: 0, toMs: 1, limit: 10, cursor: 'nope' }),
    ).rejects.toMatchObject({
      kind: 'query',
    });
    await expect(store.queryRecords({ fromMs: 0, toMs: 1, limit: 0 })).rejects.toMatchObject({
      kind: 'query',
    });
    await expect(
      store.queryRecords({
        fromMs: 0,
        toMs: 1,
        limit: 1,
        // Not an AST parseQuery makes: the caller's mistake, told as such.
        where: { type: 'term', field: 'no-such-field', op: 'exists' } as unknown as QueryNode,
      }),
    ).rejects.toMatchObject({ kind: 'query', message: expect.stringMatching(/unknown field/) });
  });

  it('rejects records its columns cannot hold, counts them, and goes on', async () => {
    const warnings: string[] = [];
    const { store } = await openTest({}, T0 + 10 * MIN, warnings);
    const good = [eni({ srcport: 1 }), eni({ srcport: 2 })];
    const ack = store.write({
      streams: [
        { topicId: 'topic-eni', streamId: 'eni-zzzz0000', windowMs: MIN, records: [] },
        {
          topicId: 'topic-eni',
          streamId: 'eni-aaaa1111',
          windowMs: MIN,
          records: [good[0]!, eni({ srcport: 2 ** 40 }), eni({ bytes: 1.5 }), good[1]!],
        },
      ],
    });
    // The unit's ack says which records were refused, by stream and index.
    expect(await ack).toEqual({
      stored: 2,
      rejected: [
        [1, 1, 'bad-srcport'],
        [1, 2, 'bad-bytes'],
      ],
    });
    appendTo(store, 'topic-eni', 'eni-aaaa1111', [eni({ srcport: 3 })]);
    await store.flush();
    const got = await all(store, { order: { field: 'seq', dir: 'asc' } });
    expect(got.map((r) => r.srcport)).toEqual([1, 2, 3]);
    const m = store.metrics();
    expect(m.recordsRejected).toEqual({ 'bad-srcport': 1, 'bad-bytes': 1 });
    expect(m.recordsAppended).toBe(3);
    expect(warnings.some((w) => w.includes('rejected') && w.includes('bad-srcport'))).toBe(true);
  });

  // DuckDB's worker retries a failed transaction once (ClickHouse has no transactions to retry).
  itOn(b, 'duckdb')(
    'counts a write that fails twice, reports it, and later writes go on',
    async () => {
      const warnings: string[] = [];
      const { store } = await openTest({}, T0 + 10 * MIN, warnings);
      // A NULL topic violates windows.topic NOT NULL inside DuckDB.
      const bad = { ...windowAgg('x', T0, 1, 100), topicId: null as unknown as string };
      store.saveWindow(bad);
      store.saveWindow(windowAgg('topic-eni', T0, 1, 100));
      appendTo(store, 'topic-eni', 'eni-aaaa1111', [eni()]);
      await store.flush();
      store.saveWindow(windowAgg('topic-eni', T0 + MIN, 1, 200));
      await store.flush();
      const m = store.metrics();
      expect(m.batchRetries).toBe(1);
      expect(m.batchesFailed).toBe(1);
      expect(m.windowsSaved).toBe(2);
      expect(m.recordsAppended).toBe(1);
      expect(warnings.some((w) => w.includes('windows not stored'))).toBe(true);
      expect((await store.loadWindows('topic-eni', 0, 2 * T0)).map((w) => w.windowStart)).toEqual([
        T0,
        T0 + MIN,
      ]);
    },
  );

  it('refuses appends past maxQueuedRecords and reports the backlog', async () => {
    const { store } = await openTest({
      batchMaxRecords: 100,
      maxQueuedRecords: 100,
      flushIntervalMs: 60_000,
    });
    expect(
      appendTo(
        store,
        't',
        's',
        Array.from({ length: 60 }, () => eni()),
      ),
    ).toBe(true);
    expect(store.backlog()).toBe(60);
    expect(
      appendTo(
        store,
        't',
        's',
        Array.from({ length: 50 }, () => eni()),
      ),
    ).toBe(false);
    expect(store.metrics().writesRefused).toBe(50);
    await store.flush();
    expect(store.backlog()).toBe(0);
    expect(
      appendTo(
        store,
        't',
        's',
        Array.from({ length: 50 }, () => eni()),
      ),
    ).toBe(true);
  });
});

describe.each(BACKENDS)('store: windows (%s)', (b) => {
  useBackend(b);
  it('keeps the highest revision of each window', async () => {
    const { store } = await openTest();
    store.saveWindow(windowAgg('topic-eni', T0, 1, 100));
    store.saveWindow(windowAgg('topic-eni', T0, 3, 300));
    store.saveWindow(windowAgg('topic-eni', T0, 2, 200));
    store.saveWindow(windowAgg('topic-eni', T0 + MIN, 1, 50));
    await store.flush();
    expect(await store.loadWindows('topic-eni', T0, T0 + 2 * MIN)).toEqual([
      windowAgg('topic-eni', T0, 3, 300),
      windowAgg('topic-eni', T0 + MIN, 1, 50),
    ]);
    store.saveWindow(windowAgg('topic-eni', T0, 2, 222));
    await store.flush();
    expect((await store.loadWindows('topic-eni', T0, T0 + MIN))[0]!.revision).toBe(3);
    store.saveWindow(windowAgg('topic-eni', T0, 4, 400));
    await store.flush();
    expect(await store.loadWindows('topic-eni', T0, T0 + MIN)).toEqual([
      windowAgg('topic-eni', T0, 4, 400),
    ]);
    expect(await store.loadWindows('topic-other', 0, 2 * T0)).toEqual([]);
  });

  it('rolls windows up per 1 min, 5 min and 1 h step', async () => {
    const { store } = await openTest();
    const saved: WindowAggregate[] = [];
    for (let i = 0; i < 150; i++) {
      if (i % 13 === 5) continue; // a gap
      const a = windowAgg('topic-eni', T0 + i * MIN, 1 + (i % 3), 1000 + i * 10);
      saved.push(a);
      store.saveWindow(a);
      store.saveWindow(windowAgg('topic-ccn', T0 + i * MIN, 1, 7));
    }
    await store.flush();
    const from = T0 + 3 * MIN;
    const to = T0 + 140 * MIN;
    for (const step of [MIN, 5 * MIN, HOUR]) {
      const expected = new Map<number, ReturnType<typeof point>>();
      function point(t: number) {
        return {
          t,
          acceptBytes: 0,
          acceptPackets: 0,
          acceptRecords: 0,
          rejectBytes: 0,
          rejectPackets: 0,
          rejectRecords: 0,
          windows: 0,
        };
      }
      for (const a of saved) {
        if (a.windowStart < from || a.windowStart >= to) continue;
        const t = Math.floor(a.windowStart / step) * step;
        const p = expected.get(t) ?? point(t);
        p.acceptBytes += a.accept.bytes;
        p.acceptPackets += a.accept.packets;
        p.acceptRecords += a.accept.records;
        p.rejectBytes += a.reject.bytes;
        p.rejectPackets += a.reject.packets;
        p.rejectRecords += a.reject.records;
        p.windows++;
        expected.set(t, p);
      }
      expect(await store.windowSeries('topic-eni', from, to, step)).toEqual([...expected.values()]);
    }
    await expect(store.windowSeries('topic-eni', from, to, 1000)).rejects.toMatchObject({
      kind: 'query',
    });
  });
});

describe.each(BACKENDS)('store: lifecycle (%s)', (b) => {
  useBackend(b);
  it('keeps records, windows and the seq sequence across close and reopen', async () => {
    const first = await openTest();
    appendAll(first.store, sample(300));
    first.store.saveWindow(windowAgg('topic-eni', T0, 2, 100));
    await first.store.flush();
    const before = await all(first.store);
    const positions = await first.store.lastWindows();
    await closeTest(first.store);

    const second = await openTest();
    expect(await all(second.store)).toEqual(before);
    expect(await second.store.loadWindows('topic-eni', T0, T0 + MIN)).toEqual([
      windowAgg('topic-eni', T0, 2, 100),
    ]);
    expect(await second.store.lastWindows()).toEqual(positions);
    const maxSeq = Math.max(...before.map((r) => r.seq));
    appendTo(second.store, 'topic-eni', 'eni-aaaa1111', [eni({ srcport: 7 }), eni({ srcport: 8 })]);
    await second.store.flush();
    const added = (await all(second.store, { where: q('srcport:7 OR srcport:8') })).map(
      (r) => r.seq,
    );
    expect(added.sort((a, b) => a - b)).toEqual([maxSeq + 1, maxSeq + 2]);
  });

  // The DuckDB file.
  itOn(b, 'duckdb')(
    'rejects openStore with a clear error when the file cannot be opened',
    async () => {
      // A directory where the database file should be.
      const { mkdir } = await import('node:fs/promises');
      await mkdir(join(dir, 'taken.duckdb'));
      await expect(
        openStore(
          { ...defaultStoreConfig(dir), path: join(dir, 'taken.duckdb') },
          { clock: manualClock(T0) },
        ),
      ).rejects.toMatchObject({
        name: 'StoreError',
        message: expect.stringContaining('cannot open the store'),
      });
    },
  );

  it('refuses appends once closing, after flushing what was queued', async () => {
    const { store } = await openTest({ flushIntervalMs: 60_000 });
    appendTo(store, 'topic-eni', 'eni-aaaa1111', [eni()]);
    const closing = closeTest(store);
    expect(() => appendTo(store, 'topic-eni', 'eni-aaaa1111', [eni()])).toThrow(/closed/);
    await closing;
    const again = await openTest();
    expect((await all(again.store)).length).toBe(1);
  });

  it('gives the newest window of each log stream', async () => {
    const { store } = await openTest();
    appendTo(store, 'topic-eni', 'eni-aaaa1111', [
      eni({ start: T0 / 1000 + 120 }),
      eni({ start: T0 / 1000 }),
    ]);
    appendTo(store, 'topic-eni', 'eni-bbbb2222', [eni({ start: T0 / 1000 + 60 })]);
    appendTo(store, 'topic-ccn', 'ccn-0x7gk2me/ap-guangzhou', [ccn({ start: T0 / 1000 + 180 })]);
    await store.flush();
    // A late record does not move a stream back.
    appendTo(store, 'topic-eni', 'eni-bbbb2222', [eni({ start: T0 / 1000 - 600 })]);
    await store.flush();
    expect(await store.lastWindows()).toEqual([
      { topicId: 'topic-ccn', streamId: 'ccn-0x7gk2me/ap-guangzhou', windowStart: T0 + 3 * MIN },
      { topicId: 'topic-eni', streamId: 'eni-aaaa1111', windowStart: T0 + 2 * MIN },
      { topicId: 'topic-eni', streamId: 'eni-bbbb2222', windowStart: T0 + MIN },
    ]);
  });

  it('enforces per-topic retention against the clock and keeps seq increasing', async () => {
    const now = T0 + 100 * DAY;
    const { store, clock } = await openTest(
      { rawDays: 7, windowDays: 90, perTopic: { 'topic-short': { rawDays: 1, windowDays: 2 } } },
      now,
    );
    const ages = [0.5, 1.5, 6.5, 7.5, 50, 95];
    for (const topic of ['topic-long', 'topic-short']) {
      for (const age of ages) {
        const ws = Math.floor((now - age * DAY) / MIN) * MIN;
        appendTo(store, topic, 's', [eni({ start: ws / 1000 })]);
        store.saveWindow(windowAgg(topic, ws, 1, 10));
      }
    }
    await store.flush();
    const maxSeq = store.metrics().seq;
    expect(await store.enforceRetention()).toMatchObject({ records: 3 + 5, windows: 1 + 4 });
    const left = await all(store, { toMs: 2 * now });
    const age = (r: StoredRecord) => Math.round(((now - r.windowStart) / DAY) * 10) / 10;
    expect(
      left
        .filter((r) => r.topicId === 'topic-long')
        .map(age)
        .sort(),
    ).toEqual([0.5, 1.5, 6.5]);
    expect(left.filter((r) => r.topicId === 'topic-short').map(age)).toEqual([0.5]);
    const windows = async (t: string) =>
      (await store.loadWindows(t, 0, 2 * now)).map(
        (w) => Math.round(((now - w.windowStart) / DAY) * 10) / 10,
      );
    expect(await windows('topic-long')).toEqual([50, 7.5, 6.5, 1.5, 0.5]);
    expect(await windows('topic-short')).toEqual([1.5, 0.5]);

    // Everything goes; the sequence still continues after a reopen.
    clock.set(now + 1000 * DAY);
    await store.enforceRetention();
    expect(await all(store, { toMs: 4 * now })).toEqual([]);
    await closeTest(store);
    const again = await openTest({}, now);
    appendTo(again.store, 'topic-long', 's', [eni()]);
    await again.store.flush();
    expect((await all(again.store))[0]!.seq).toBe(maxSeq + 1);
  });
});

describe.each(BACKENDS)('store: aggregates from raw records (%s)', (b) => {
  useBackend(b);
  /** Records the simulator writes for the default catalog (1-minute windows), per (topic, stream) and window. */
  const simulated = (windows: number) =>
    simulatedBatches(createCatalog(logsetsWithWindow(60)), T0, windows, 11);

  it('recomputeWindow equals what the window aggregator computes', async () => {
    const batches = simulated(3);
    // A few late and odd records too: no action, no start, a record of another window.
    batches.push({
      topicId: 'topic-eni-prod',
      streamId: 'eni-7m2k9q4d',
      records: [
        eni({ interfaceId: 'eni-7m2k9q4d', action: null }),
        eni({ interfaceId: 'eni-7m2k9q4d', start: null, end: null }),
        eni({ interfaceId: 'eni-7m2k9q4d', start: T0 / 1000 + 61, bytes: null, packets: null }),
      ],
    });
    const clock = manualClock(T0 + 4 * MIN);
    const aggregator = createAggregator(
      { ...defaultAggregatorConfig, flushIntervalMs: 0, topCapacity: 200_000, topKeep: 200_000 },
      { clock, onWindow: () => {}, windowMsOf: () => MIN },
    );
    const { store } = await openTest({}, T0 + 4 * MIN);
    for (const b of batches) {
      aggregator.add(b.topicId, b.streamId, b.records);
      appendTo(store, b.topicId, b.streamId, b.records);
    }
    aggregator.flush();
    await store.flush();
    let compared = 0;
    for (const topicId of aggregator.topicIds()) {
      for (const agg of aggregator.windows(topicId, T0, T0 + 3 * MIN)) {
        const { revision: _r, publishedAt: _p, ...expected } = agg;
        expect(expected.topTruncated).toBe(false);
        expect(await store.recomputeWindow(topicId, agg.windowStart, MIN, 20)).toEqual(expected);
        compared++;
      }
    }
    expect(compared).toBe(12);
  });

  it('aggregate() charts raw records under a filter in one call', async () => {
    const { store } = await openTest();
    const rows = sample(2000);
    appendAll(store, rows);
    await store.flush();
    const where = q('NOT dstport:22');
    const res = await store.aggregate({
      topicId: 'topic-ccn',
      fromMs: T0,
      toMs: T0 + 7 * MIN,
      stepMs: 5 * MIN,
      where,
      topN: 5,
    });
    const match = rows.filter((x) => x.topic === 'topic-ccn' && x.r.dstport !== 22).map((x) => x.r);
    const sum = (f: (r: FlowRecord) => boolean, k: 'bytes' | 'packets') =>
      match.filter(f).reduce((s, r) => s + (r[k] ?? 0), 0);
    const acc = (r: FlowRecord) => r.action === 'ACCEPT';
    const rej = (r: FlowRecord) => r.action === 'REJECT';
    expect(res.accept).toEqual({
      bytes: sum(acc, 'bytes'),
      packets: sum(acc, 'packets'),
      records: match.filter(acc).length,
    });
    expect(res.reject).toEqual({
      bytes: sum(rej, 'bytes'),
      packets: sum(rej, 'packets'),
      records: match.filter(rej).length,
    });
    expect(res.series.map((p) => p.t)).toEqual([T0, T0 + 5 * MIN]);
    expect(res.series.reduce((s, p) => s + p.acceptBytes, 0)).toBe(res.accept.bytes);
    expect(res.series.map((p) => p.windows)).toEqual([5, 2]);
    expect(res.byProtocol.map((p) => p.protocol).sort()).toEqual([17, 6].sort());
    expect(res.byProtocol.reduce((s, p) => s + p.records, 0)).toBe(match.length);
    expect(res.top).toHaveLength(5);
    for (let i = 1; i < res.top.length; i++)
      expect(res.top[i - 1]!.bytes).toBeGreaterThanOrEqual(res.top[i]!.bytes);
    const pairs = new Map<string, number>();
    for (const r of match)
      pairs.set(
        `${r.srcRegion}>${r.dstRegion}`,
        (pairs.get(`${r.srcRegion}>${r.dstRegion}`) ?? 0) + 1,
      );
    expect(res.regionPairs.map((p) => [`${p.src}>${p.dst}`, p.records])).toEqual(
      [...pairs].sort((a, b) => {
        const total = (k: string) =>
          match
            .filter((r) => `${r.srcRegion}>${r.dstRegion}` === k)
            .reduce((s, r) => s + (r.bytes ?? 0), 0);
        return total(b[0]) - total(a[0]);
      }),
    );
    const top = await store.topQuintuples('topic-ccn', T0, T0 + 7 * MIN, 5, where);
    expect(top).toEqual(res.top);
  });
});

// DuckDB keeps hourly rollups of settled hours (and checks them against the records); ClickHouse
// a rollup by window that a materialized view fills on every insert. Either way a read from a
// rollup equals the same read from the raw records.
describe.each(BACKENDS)('store: rollups (%s)', (b) => {
  useBackend(b);
  /** Deterministic PRNG (mulberry32). */
  function prng(seed: number) {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  /** Six hours of two topics: unique ephemeral flows, recurring pings, elephants, odd texts. */
  function traffic(fromMs: number, hours: number) {
    const rand = prng(5);
    const out: Array<{ topic: string; stream: string; r: FlowRecord }> = [];
    for (let w = 0; w < hours * 60; w++) {
      const start = fromMs / 1000 + w * 60;
      for (let i = 0; i < 40; i++) {
        const ccnTopic = i % 2 === 1;
        const elephant = rand() < 0.02;
        const bytes = elephant
          ? 100_000_000 + Math.floor(rand() * 1e6)
          : Math.floor(60 + rand() * rand() * 40_000);
        const base: Partial<FlowRecord> = {
          start,
          end: start + 60,
          srcaddr:
            i === 7
              ? 'host-a'
              : `10.${ccnTopic ? 1 : 0}.${Math.floor(rand() * 4)}.${Math.floor(rand() * 50)}`,
          dstaddr: `10.2.0.${Math.floor(rand() * 20)}`,
          srcport: 32768 + Math.floor(rand() * 28000),
          dstport: [443, 80, 3306, 53][Math.floor(rand() * 4)]!,
          protocol: 6,
          bytes,
          packets: 1 + Math.floor(bytes / 1400),
          action: rand() < 0.05 ? 'REJECT' : 'ACCEPT',
        };
        if (i === 3)
          Object.assign(base, {
            srcaddr: '10.0.0.20',
            srcport: 0,
            dstaddr: '10.0.1.11',
            dstport: 2048,
            protocol: 1,
            bytes: 5040,
          });
        if (i === 5 && w % 17 === 0)
          Object.assign(base, {
            logStatus: 'NODATA',
            action: null,
            bytes: null,
            packets: null,
            srcaddr: null,
            dstaddr: null,
          });
        if (ccnTopic) {
          const region = ['ap-guangzhou', 'ap-tokyo', 'ap-beijing'][i % 3]!;
          out.push({
            topic: 'topic-ccn',
            stream: `ccn-0x7gk2me/${region}`,
            r: ccn({ ...base, regionId: region, srcRegion: region, dstRegion: 'ap-shanghai' }),
          });
        } else {
          const stream = i % 4 === 0 ? 'eni-aaaa1111' : 'eni-bbbb2222';
          out.push({ topic: 'topic-eni', stream, r: eni({ ...base, interfaceId: stream }) });
        }
      }
    }
    return out;
  }

  const keyword = q;
  /** The same filter, made unreadable from rollups (start is not kept there): forces raw records. */
  const raw = (w: QueryNode | null): QueryNode => {
    const always: QueryNode = {
      type: 'or',
      children: [
        { type: 'term', field: 'start', op: 'exists' },
        { type: 'not', child: { type: 'term', field: 'start', op: 'exists' } },
      ],
    };
    expect(rollupSafe(always)).toBe(false);
    return w ? { type: 'and', children: [w, always] } : always;
  };

  async function compare(store: Store, from: number, to: number) {
    for (const topicId of ['topic-eni', 'topic-ccn']) {
      // 20: certified from the rollups (small K, so hours have bounds and candidates are checked
      // against the records); 1000: more than the rollups hold, so read raw.
      for (const n of [1, 20, 1000]) {
        expect(await store.topQuintuples(topicId, from, to, n)).toEqual(
          await store.topQuintuples(topicId, from, to, n, raw(null)),
        );
      }
      const { top: _t1, ...a } = await store.aggregate({
        topicId,
        fromMs: from,
        toMs: to,
        stepMs: 5 * MIN,
      });
      const { top: _t2, ...b } = await store.aggregate({
        topicId,
        fromMs: from,
        toMs: to,
        stepMs: 5 * MIN,
        where: raw(null),
      });
      expect(a).toEqual(b);
    }
    for (const text of [
      'ap-tokyo',
      'host-a',
      'accept',
      'eni-aaaa1111 OR nodata',
      'protocol:1 AND NOT action:REJECT',
    ]) {
      for (const topicId of ['topic-ccn', undefined]) {
        const where = keyword(text);
        const q = { fromMs: from, toMs: to, limit: 5, ...(topicId ? { topicId } : {}) };
        const fast = await store.queryRecords({ ...q, where });
        const slow = await store.queryRecords({ ...q, where: raw(where) });
        expect({ text, topicId, total: fast.total, sum: fast.sum }).toEqual({
          text,
          topicId,
          total: slow.total,
          sum: slow.sum,
        });
        expect(fast.records).toEqual(slow.records);
      }
    }
  }

  it('answer reads exactly as raw records do, also after late records and retention', async () => {
    const { store } = await openTest({ rollupTopK: 30 }, T0 + 7 * HOUR);
    appendAll(store, traffic(T0, 6));
    await store.flush();
    const m = await store.maintain();
    if (b === 'duckdb') expect(m.rolled).toBeGreaterThanOrEqual(10);
    await compare(store, T0 + 30 * MIN, T0 + 5 * HOUR + 30 * MIN);
    await compare(store, T0, T0 + 6 * HOUR);
    const used = await store.maintain();
    expect(used.dimsReads).toBeGreaterThan(0);
    if (b === 'duckdb') expect(used.topReads).toBeGreaterThanOrEqual(8);

    // A late elephant lands in a rolled hour: that hour is read raw until rolled again.
    appendTo(store, 'topic-eni', 'eni-aaaa1111', [
      eni({ start: T0 / 1000 + 2 * 3600 + 5, bytes: 2_000_000_000, srcaddr: '10.9.9.9' }),
    ]);
    await store.flush();
    await compare(store, T0, T0 + 6 * HOUR);
    expect((await store.topQuintuples('topic-eni', T0, T0 + 6 * HOUR, 1))[0]!.srcaddr).toBe(
      '10.9.9.9',
    );
    if (b === 'duckdb') expect((await store.maintain()).rolled).toBeGreaterThanOrEqual(1);
    await compare(store, T0, T0 + 6 * HOUR);

    // Retention cuts into the second hour.
    await store.enforceRetention(T0 + 7 * DAY + HOUR + 30 * MIN);
    await compare(store, T0, T0 + 6 * HOUR);
    await store.maintain();
    await compare(store, T0, T0 + 6 * HOUR);
  });

  it('survive a restart and are checked against the records', async () => {
    const first = await openTest({ rollupTopK: 30 }, T0 + 7 * HOUR);
    appendAll(first.store, traffic(T0, 4));
    await first.store.flush();
    await first.store.maintain();
    await closeTest(first.store);
    const second = await openTest({ rollupTopK: 30 }, T0 + 7 * HOUR);
    expect((await second.store.maintain()).rolled).toBe(0);
    await compare(second.store, T0, T0 + 4 * HOUR);
  });

  itOn(b, 'clickhouse')(
    'are filled from the records already stored when a store without one opens (an upgrade)',
    async () => {
      const first = await openTest({}, T0 + 7 * HOUR);
      appendAll(first.store, traffic(T0, 3));
      await first.store.flush();
      await closeTest(first.store);
      // The store as an older flowdeck left it: records, no rollup.
      const server = clickhouse!;
      for (const q of [
        `DROP TABLE ${database}.records_by_window_view`,
        `DROP TABLE ${database}.records_by_window`,
      ])
        expect((await fetch(`${server.url}/`, { method: 'POST', body: q })).status).toBe(200);
      const second = await openTest({}, T0 + 7 * HOUR);
      await compare(second.store, T0, T0 + 3 * HOUR);
      expect((await second.store.maintain()).dimsReads).toBeGreaterThan(0);
      // New records reach it through its view.
      appendAll(second.store, traffic(T0 + 3 * HOUR, 1));
      await second.store.flush();
      await compare(second.store, T0, T0 + 4 * HOUR);
    },
  );
});
