// The ClickHouse store against the DuckDB store: the same writes go into both (a real
// clickhouse-server 18.16 as a child process, and DuckDB in a temporary directory), and every read
// must give the same answer. DuckDB's answers are checked against hand-computed ones in
// store.test.ts; here ClickHouse must equal them.
import type { AlertEpisode, AlertSilence } from '../../shared/alerts/episode.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SortField } from '../../shared/api.ts';
import { entitiesOf } from '../../shared/catalog.ts';
import type { WindowAggregate } from '../../shared/events.ts';
import { parseQuery, type QueryNode } from '../../shared/query/index.ts';
import type { FlowRecord } from '../../shared/record.ts';
import { createCatalog } from '../../server/catalog/catalog.ts';
import { defaultLogsets } from '../../server/catalog/default-catalog.ts';
import { manualClock } from '../../server/clock.ts';
import { openClickHouseStore } from '../../server/store/clickhouse/store.ts';
import { openDuckDbStore } from '../../server/store/duckdb/store.ts';
import {
  defaultStoreConfig,
  type RecordQuery,
  type Store,
  type StreamRecords,
} from '../../server/store/store.ts';
import { startClickHouse, type ClickHouseChild } from '../helpers/clickhouse.ts';
import { simulatedBatches } from '../helpers/simulated.ts';

const MIN = 60_000;
/** 2025-01-15 06:00 UTC. */
const T0 = Date.UTC(2025, 0, 15, 6, 0, 0);
const WINDOWS = 6;

let server: ClickHouseChild;
let dir: string;
let duck: Store;
let house: Store;
const units: StreamRecords[][] = [];

function q(text: string): QueryNode | null {
  const p = parseQuery(text);
  if (!p.ok) throw new Error(`${text}: ${p.error.message}`);
  return p.ast;
}

/** The simulator's records for WINDOWS windows, one write unit per window. */
function simulated(): StreamRecords[][] {
  const batches = simulatedBatches(createCatalog(defaultLogsets()), T0, WINDOWS, 11);
  const perWindow = batches.length / WINDOWS;
  return Array.from({ length: WINDOWS }, (_, w) =>
    batches
      .slice(w * perWindow, (w + 1) * perWindow)
      .filter((b) => b.records.length > 0)
      .map((b) => ({ ...b, windowMs: MIN })),
  );
}

/** Records the simulator does not write: IPv6, a text address, no start, custom fields. */
function edges(): StreamRecords[] {
  const base: FlowRecord = {
    format: 'eni',
    version: '2',
    accountId: '1300428518',
    interfaceId: 'eni-edge0001',
    srcaddr: '2001:db8::1',
    dstaddr: 'fe80::1',
    srcport: 443,
    dstport: 50000,
    protocol: 6,
    packets: 3,
    bytes: 2 ** 40,
    start: T0 / 1000 + 5,
    end: T0 / 1000 + 65,
    action: 'REJECT',
    logStatus: 'OK',
    ccnId: null,
    srcRegion: null,
    dstRegion: null,
    regionId: null,
    extra: null,
  };
  return [
    {
      topicId: 'topic-eni-prod',
      streamId: 'eni-edge0001',
      windowMs: MIN,
      records: [
        base,
        { ...base, srcaddr: 'not-an-ip', srcport: null, bytes: null, packets: null },
        { ...base, logStatus: 'NODATA', action: null, srcaddr: null, dstaddr: null },
        { ...base, logStatus: 'SKIPDATA', start: null, end: null, action: null },
        {
          ...base,
          format: 'custom',
          version: null,
          extra: { 'tcp-flags': 18, 'vpc-id': 'vpc-m4k2x9p7', 'pkt-srcaddr': null },
        },
        { ...base, interfaceId: "eni-'quote\\", action: 'ACCEPT', srcaddr: '10.0.0.1' },
      ],
    },
  ];
}

async function write(store: Store, unit: StreamRecords[]): Promise<void> {
  const ack = store.write({ streams: unit, urgent: true });
  if (!ack) throw new Error('no room');
  await ack;
}

beforeAll(async () => {
  server = await startClickHouse();
  dir = await mkdtemp(join(tmpdir(), 'flowdeck-store-ch-'));
  const clock = manualClock(T0 + WINDOWS * MIN + 30_000);
  const config = { ...defaultStoreConfig(dir), flushIntervalMs: 20 };
  duck = await openDuckDbStore(config, { clock });
  // The default user, named in the URL as an operator would name theirs.
  house = await openClickHouseStore(
    `clickhouse://default@127.0.0.1:${server.httpPort}/flowdeck`,
    config,
    {
      clock,
    },
  );
  units.push(...simulated(), edges());
  for (const unit of units) {
    await write(duck, unit);
    await write(house, unit);
  }
}, 180_000);

afterAll(async () => {
  await duck?.close();
  await house?.close();
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Every page of a query, in order. */
async function pages(store: Store, query: Omit<RecordQuery, 'cursor'>) {
  const out = [];
  let cursor: string | null = null;
  do {
    const page = await store.queryRecords({ ...query, cursor });
    out.push(page);
    cursor = page.next;
  } while (cursor !== null);
  return out;
}

describe('the ClickHouse store answers as the DuckDB store does', () => {
  it('stores every record with the same seq and window, and pages through them alike', async () => {
    const written = units.flat().reduce((n, s) => n + s.records.length, 0);
    expect(written).toBeGreaterThan(1000);
    console.log(`store-clickhouse: ${written} records in both stores`);
    for (const order of [
      undefined,
      { field: 'seq', dir: 'asc' },
      { field: 'bytes', dir: 'desc' },
      { field: 'srcport', dir: 'asc' }, // nullable
      { field: 'start', dir: 'desc' }, // nullable
    ] as Array<{ field: SortField; dir: 'asc' | 'desc' } | undefined>) {
      const query = { fromMs: 0, toMs: T0 + 10 * MIN, limit: 4999, ...(order ? { order } : {}) };
      const [a, b] = await Promise.all([pages(duck, query), pages(house, query)]);
      expect(
        b.map((p) => p.records),
        JSON.stringify(order),
      ).toEqual(a.map((p) => p.records));
      expect(b[0]!.total).toBe(written);
      expect(b.map((p) => [p.total, p.sum, p.next])).toEqual(
        a.map((p) => [p.total, p.sum, p.next]),
      );
    }
  }, 120_000);

  it.each([
    'action:REJECT',
    'dstport:22 OR dstport:3389',
    'srcaddr:10.0.0.0/8 AND NOT protocol:udp',
    'addr:2001:db8::/32',
    'not-an-ip',
    'ap-beijing',
    'log-status:NODATA OR log-status:SKIPDATA',
    'interface-id:eni-*',
    'bytes:>100000',
  ])(
    'filters alike: %s',
    async (text) => {
      const query = { fromMs: T0, toMs: T0 + 10 * MIN, limit: 2500, where: q(text) };
      const [a, b] = await Promise.all([pages(duck, query), pages(house, query)]);
      expect(b.map((p) => p.records)).toEqual(a.map((p) => p.records));
      expect(b[0]!.total, text).toBe(a[0]!.total);
    },
    60_000,
  );

  it('charts, top quintuples and region pairs alike, with and without a filter', async () => {
    for (const topicId of ['topic-eni-prod', 'topic-ccn-backbone', 'topic-nat-prod']) {
      for (const where of [null, q('NOT action:REJECT'), q('protocol:tcp')]) {
        for (const stepMs of [MIN, 5 * MIN]) {
          const query = { topicId, fromMs: T0, toMs: T0 + WINDOWS * MIN, stepMs, where, topN: 25 };
          const [a, b] = await Promise.all([duck.aggregate(query), house.aggregate(query)]);
          expect(b, `${topicId} ${JSON.stringify(where)} ${stepMs}`).toEqual(a);
        }
        const [a, b] = await Promise.all([
          duck.topQuintuples(topicId, T0, T0 + WINDOWS * MIN, 50, where),
          house.topQuintuples(topicId, T0, T0 + WINDOWS * MIN, 50, where),
        ]);
        expect(b).toEqual(a);
      }
    }
  });

  it('counts sources’ distinct destination ports per window alike, with and without the ports', async () => {
    for (const where of [null, q('action:REJECT'), q('protocol:tcp')]) {
      for (const [minPorts, lists] of [
        [1, true],
        [3, false],
      ] as const) {
        const query = { topicId: 'topic-eni-prod', fromMs: T0, toMs: T0 + WINDOWS * MIN };
        const ask = { ...query, where, minPorts, lists, limit: 500 };
        const [a, b] = await Promise.all([duck.sourcePorts(ask), house.sourcePorts(ask)]);
        expect(a.length, JSON.stringify(where)).toBeGreaterThan(0);
        expect(b, `${JSON.stringify(where)} ${minPorts}`).toEqual(a);
        for (const row of a) {
          expect(row.ports).toBeGreaterThanOrEqual(minPorts);
          if (lists) expect(row.list).toHaveLength(row.ports);
        }
      }
    }
  });

  it('recomputes a window from its records alike, and knows the newest window per stream', async () => {
    for (const topicId of ['topic-eni-prod', 'topic-ccn-backbone']) {
      for (let w = 0; w < WINDOWS; w += 2) {
        const [a, b] = await Promise.all([
          duck.recomputeWindow(topicId, T0 + w * MIN, MIN, 20),
          house.recomputeWindow(topicId, T0 + w * MIN, MIN, 20),
        ]);
        expect(b).toEqual(a);
      }
    }
    expect(await house.lastWindows()).toEqual(await duck.lastWindows());
    for (const topicId of ['topic-eni-prod', 'no-such-topic'])
      expect(await house.topicUsage(topicId)).toMatchObject({
        records: (await duck.topicUsage(topicId)).records,
        newest: (await duck.topicUsage(topicId)).newest,
      });
  });

  it('keeps the highest revision of a window, and rolls windows into series alike', async () => {
    const agg = (windowStart: number, revision: number, bytes: number): WindowAggregate => ({
      topicId: 'topic-eni-prod',
      windowStart,
      windowMs: MIN,
      revision,
      publishedAt: windowStart + 5 * MIN + revision,
      accept: { bytes, packets: 2, records: 1 },
      reject: { bytes: 1, packets: 1, records: 1 },
      byProtocol: [],
      top: [],
      topOther: { bytes: 0, packets: 0, records: 0 },
      topTruncated: false,
      regionPairs: [],
      streams: [],
    });
    for (const s of [duck, house]) {
      for (let w = 0; w < WINDOWS; w++) s.saveWindow(agg(T0 + w * MIN, 1, 100 + w));
      s.saveWindow(agg(T0, 3, 999));
      s.saveWindow(agg(T0, 2, 555)); // older than what is queued: ignored
      await s.flush();
      s.saveWindow(agg(T0 + MIN, 2, 777)); // a later revision in a later batch
      await s.flush();
    }
    const [a, b] = await Promise.all([
      duck.loadWindows('topic-eni-prod', T0, T0 + WINDOWS * MIN),
      house.loadWindows('topic-eni-prod', T0, T0 + WINDOWS * MIN),
    ]);
    expect(b).toEqual(a);
    expect(b.slice(0, 2).map((w) => [w.revision, w.accept.bytes])).toEqual([
      [3, 999],
      [2, 777],
    ]);
    expect(await house.windowSeries('topic-eni-prod', T0, T0 + WINDOWS * MIN, 5 * MIN)).toEqual(
      await duck.windowSeries('topic-eni-prod', T0, T0 + WINDOWS * MIN, 5 * MIN),
    );
  });

  it('keeps the catalog, source offsets and rejected lines', async () => {
    const entities = entitiesOf(defaultLogsets());
    for (const s of [duck, house]) {
      await s.saveCatalog({ upsert: entities });
      await s.saveCatalog({ remove: { flowLogs: [entities.flowLogs[0]!.id] } });
    }
    const sort = <T extends { id: string }>(xs: T[]) =>
      [...xs].sort((x, y) => x.id.localeCompare(y.id));
    const [a, b] = [await duck.loadCatalog(), await house.loadCatalog()];
    expect(b && sort(b.flowLogs)).toEqual(a && sort(a.flowLogs));
    expect(b && sort(b.topics)).toEqual(a && sort(a.topics));
    expect(b?.flowLogs).toHaveLength(entities.flowLogs.length - 1);

    // Alerting's episodes and silences are catalog documents too: kept, replaced, removed.
    const episode = (id: string, state: 'firing' | 'resolved'): AlertEpisode => ({
      id,
      ruleId: 'rule-1',
      ruleName: 'ssh rejects',
      topicId: 'topic-eni-prod',
      group: '',
      state,
      since: T0,
      lastWindow: T0 + MIN,
      end: state === 'resolved' ? T0 + 2 * MIN : null,
      value: 7,
      peak: 9,
      threshold: 5,
      query: 'dstport:22',
      measure: 'records',
      op: '>',
      change: null,
      firedAt: T0 + 6 * MIN,
      ackedBy: state === 'resolved' ? 'ops' : null,
      ackedAt: state === 'resolved' ? T0 + 7 * MIN : null,
      silenced: false,
    });
    const silence: AlertSilence = {
      id: 'silence-1',
      topicId: 'topic-eni-prod',
      ruleId: null,
      until: T0 + 60 * MIN,
      reason: 'maintenance',
      by: 'ops',
      createdAt: T0,
    };
    const delivery = (id: string, outcome: 'retrying' | 'delivered') => ({
      id,
      at: T0 + 2 * MIN,
      ruleId: 'rule-a',
      episode: 1,
      kind: 'firing' as const,
      target: 'https://hooks.example.com',
      attempt: outcome === 'retrying' ? 1 : 2,
      status: outcome === 'retrying' ? 503 : 200,
      outcome,
      ...(outcome === 'retrying' ? { error: 'HTTP 503' } : {}),
    });
    for (const s of [duck, house]) {
      await s.saveCatalog({
        upsert: {
          alertEpisodes: [episode('ep-1', 'firing'), episode('ep-2', 'firing')],
          alertDeliveries: [delivery('d-1', 'retrying')],
        },
      });
      await s.saveCatalog({
        upsert: {
          alertEpisodes: [episode('ep-1', 'resolved')],
          alertSilences: [silence],
          alertDeliveries: [delivery('d-2', 'delivered')],
        },
        remove: { alertEpisodes: ['ep-2'], alertDeliveries: ['d-1'] },
      });
    }
    for (const s of [duck, house]) {
      const c = await s.loadCatalog();
      expect(c?.alertEpisodes).toEqual([episode('ep-1', 'resolved')]);
      expect(c?.alertSilences).toEqual([silence]);
      expect(c?.alertDeliveries).toEqual([delivery('d-2', 'delivered')]);
    }

    for (const s of [duck, house]) {
      await s.write({
        streams: [],
        urgent: true,
        offsets: [
          { source: 'file:/var/log/a.log', state: '{"offset":10}' },
          { source: 'file:/var/log/b.log', state: '{"offset":5}' },
        ],
        quarantine: [1, 2, 3].map((line) => ({
          topicId: 'topic-eni-prod',
          source: 'file',
          origin: '/var/log/a.log',
          line,
          reason: line === 2 ? 'bad-ip' : 'field-count',
          message: `line ${line} is bad`,
          raw: `raw '${line}'\t\\`,
          rawLength: 9,
          at: T0 + line,
        })),
      });
      await s.write({
        streams: [],
        urgent: true,
        offsets: [{ source: 'file:/var/log/a.log', state: '{"offset":20}' }],
      });
    }
    const byName = (xs: Array<{ source: string; state: string }>) =>
      [...xs].sort((x, y) => x.source.localeCompare(y.source));
    expect(byName(await house.loadOffsets('file:'))).toEqual(
      byName(await duck.loadOffsets('file:')),
    );
    expect(byName(await house.loadOffsets('file:'))[0]!.state).toBe('{"offset":20}');
    const query = { topicId: 'topic-eni-prod', limit: 2 };
    const [la, lb] = [await duck.rejectedLines(query), await house.rejectedLines(query)];
    expect(lb.lines).toEqual(la.lines);
    expect([lb.total, lb.byReason, lb.bySource]).toEqual([la.total, la.byReason, la.bySource]);
    expect(lb.next).not.toBeNull();
    expect(await house.rejectedLineCount('topic-eni-prod')).toBe(3);
  });

  it('refuses a bad filter, cursor or step as the caller’s error', async () => {
    const bad = { type: 'term', field: 'nope', op: 'exists' } as unknown as QueryNode;
    await expect(
      house.queryRecords({ fromMs: 0, toMs: 1, limit: 1, where: bad }),
    ).rejects.toMatchObject({ kind: 'query' });
    await expect(
      house.queryRecords({ fromMs: 0, toMs: 1, limit: 1, cursor: 'nope' }),
    ).rejects.toMatchObject({ kind: 'query' });
    await expect(
      house.aggregate({ topicId: 't', fromMs: 0, toMs: 1, stepMs: 1234 }),
    ).rejects.toMatchObject({ kind: 'query' });
  });

  it('drops whole days of a topic past its retention (18.16 has no TTL)', async () => {
    const day = 86_400_000;
    const old = T0 - 10 * day;
    const rec = { ...edges()[0]!.records[0]!, start: old / 1000 + 1, end: old / 1000 + 2 };
    await write(house, [
      { topicId: 'topic-old', streamId: 'eni-old', windowMs: MIN, records: [rec] },
    ]);
    expect((await house.topicUsage('topic-old')).records).toBe(1);
    // Default retention (7 days of raw records): the day ten days back goes, today stays.
    const dropped = await house.enforceRetention(T0 + MIN);
    expect(dropped.records).toBe(1);
    expect((await house.topicUsage('topic-old')).records).toBe(0);
    expect((await house.topicUsage('topic-eni-prod')).records).toBeGreaterThan(0);
  });
});
