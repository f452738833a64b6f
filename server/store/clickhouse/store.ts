// The ClickHouse backend (`--store clickhouse://HOST:PORT/DB`): the Store contract over
// @clickhouse/client (HTTP). Raw records go in as TabSeparated batches (write.ts); window
// aggregates, the catalog, rejected lines, source offsets and marks are small tables beside them.
// Reads are SQL with literals (sql.ts: 18.16 has no query parameters). ClickHouse has no
// transactions: a write unit's records, rejected lines and offsets are separate inserts, in that
// order, so a crash between them can store records whose offset was not saved (the source then
// sends them again).
import { Readable } from 'node:stream';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { isSortField, type RejectedLinesPage } from '../../../shared/api.ts';
import { emptyEntities, type CatalogEntities } from '../../../shared/catalog.ts';
import type {
  ProtocolTotals,
  RegionPairTotals,
  StreamStatus,
  Totals,
  TopQuintuple,
  WindowAggregate,
} from '../../../shared/events.ts';
import { RECORD_FIELDS } from '../../../shared/fields.ts';
import type { Action, FormatKind, LogStatus } from '../../../shared/record.ts';
import { checkStoreConfig, retentionOf, type StoreConfig } from '../config.ts';
import { StoreError, type Store, type StoreDeps } from '../contract.ts';
import type { Filter } from '../filter.ts';
import { recomputedWindow, seriesTotals } from '../results.ts';
import {
  checkRange,
  checkStep,
  checkSourcePorts,
  checkTopN,
  decodeCursor,
  encodeCursor,
  NULL_KEY,
  sortValue,
  StoreQueryError,
} from '../paging.ts';
import type {
  AggregateQuery,
  AggregateResult,
  CatalogChange,
  QuarantineQuery,
  QuarantineRow,
  RebuildPlan,
  RecomputedWindow,
  RecordPage,
  RecordQuery,
  SeriesPoint,
  SourcePorts,
  SourcePortsQuery,
  StoredRecord,
  StoreMetrics,
  StreamPosition,
  WriteAck,
  WriteUnit,
} from '../types.ts';
import {
  backfillRollup,
  createRollup,
  createShardTables,
  createTables,
  DAY_MS,
  featuresOf,
  parseClickHouseUrl,
  type ClickHouseFeatures,
} from './schema.ts';
import { rollupSafe } from '../filter.ts';
import { compileClickHouse, literal } from './sql.ts';
import { recordsTsv, tsvLines } from './write.ts';

const TRAFFIC =
  "start_s IS NOT NULL AND action IS NOT NULL AND (log_status IS NULL OR log_status = 'OK')";
const COMPLETE =
  'srcaddr IS NOT NULL AND srcport IS NOT NULL AND dstaddr IS NOT NULL AND dstport IS NOT NULL AND protocol IS NOT NULL';
const Q_COLS = 'srcaddr, srcport, dstaddr, dstport, protocol';
const Q_SUMS = `sum(ifNull(bytes, 0)) AS b, sum(ifNull(packets, 0)) AS p, count() AS n,
  sumIf(ifNull(bytes, 0), action = 'REJECT') AS rb, sumIf(ifNull(packets, 0), action = 'REJECT') AS rp`;
const SUMS = `sumIf(ifNull(bytes, 0), action = 'ACCEPT') AS ab, sumIf(ifNull(packets, 0), action = 'ACCEPT') AS ap,
  countIf(action = 'ACCEPT') AS an, sumIf(ifNull(bytes, 0), action = 'REJECT') AS rb,
  sumIf(ifNull(packets, 0), action = 'REJECT') AS rp, countIf(action = 'REJECT') AS rn`;
/** SUMS over the rollup: its rows carry sums, not records. */
const ROLLUP_SUMS = `sumIf(bytes, action = 'ACCEPT') AS ab, sumIf(packets, action = 'ACCEPT') AS ap,
  sumIf(records, action = 'ACCEPT') AS an, sumIf(bytes, action = 'REJECT') AS rb,
  sumIf(packets, action = 'REJECT') AS rp, sumIf(records, action = 'REJECT') AS rn`;
/** The rollup of records by window and dimensions (read through it when a filter allows). */
const ROLLUP = 'records_by_window';
const RECORD_SELECT = `topic, stream, window_start, seq, format, version, account_id, interface_id,
  srcaddr, dstaddr, srcport, dstport, protocol, packets, bytes, start_s, end_s, action, log_status,
  ccn_id, src_region, dst_region, region_id, extra`;

type Row = Record<string, unknown>;
const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

function filterSql(where: Filter | undefined): string {
  if (!where) return '';
  try {
    return ` AND (${compileClickHouse(where)})`;
  } catch (err) {
    throw new StoreQueryError(`bad filter: ${(err as Error).message}`);
  }
}

/** `window_start >= from AND window_start < to [AND topic = t] [AND (filter)]`. */
function baseWhere(topicId: string | undefined, from: number, to: number, where?: Filter): string {
  checkRange(from, to);
  const topic = topicId === undefined ? '' : ` AND topic = ${literal(topicId)}`;
  return `window_start >= ${literal(from)} AND window_start < ${literal(to)}${topic}${filterSql(where)}`;
}

/** The column of a sort field; NULL sorts as the smallest value (paging.ts). */
function sortKey(field: string): string {
  const info = RECORD_FIELDS.get(field)!;
  return info.key === 'stored' ? info.column! : `ifNull(${info.column!}, ${NULL_KEY})`;
}

function toStored(r: Row): StoredRecord {
  return {
    topicId: String(r.topic),
    streamId: String(r.stream),
    windowStart: num(r.window_start),
    seq: num(r.seq),
    format: String(r.format) as FormatKind,
    version: strOrNull(r.version),
    accountId: strOrNull(r.account_id),
    interfaceId: strOrNull(r.interface_id),
    srcaddr: strOrNull(r.srcaddr),
    dstaddr: strOrNull(r.dstaddr),
    srcport: numOrNull(r.srcport),
    dstport: numOrNull(r.dstport),
    protocol: numOrNull(r.protocol),
    packets: numOrNull(r.packets),
    bytes: numOrNull(r.bytes),
    start: numOrNull(r.start_s),
    end: numOrNull(r.end_s),
    action: strOrNull(r.action) as Action | null,
    logStatus: strOrNull(r.log_status) as LogStatus | null,
    ccnId: strOrNull(r.ccn_id),
    srcRegion: strOrNull(r.src_region),
    dstRegion: strOrNull(r.dst_region),
    regionId: strOrNull(r.region_id),
    extra: r.extra === null || r.extra === undefined ? null : JSON.parse(String(r.extra)),
  };
}

const quintuple = (r: Row): TopQuintuple => ({
  srcaddr: String(r.srcaddr),
  srcport: num(r.srcport),
  dstaddr: String(r.dstaddr),
  dstport: num(r.dstport),
  protocol: num(r.protocol),
  bytes: num(r.b),
  packets: num(r.p),
  records: num(r.n),
  rejectBytes: num(r.rb),
  rejectPackets: num(r.rp),
});
const protocolTotals = (r: Row): ProtocolTotals => ({
  protocol: num(r.protocol),
  bytes: num(r.b),
  packets: num(r.p),
  records: num(r.n),
});
const regionPair = (r: Row): RegionPairTotals => ({
  src: String(r.src_region),
  dst: String(r.dst_region),
  acceptBytes: num(r.ab),
  acceptPackets: num(r.ap),
  rejectBytes: num(r.rb),
  rejectPackets: num(r.rp),
  records: num(r.n),
});
const seriesPoint = (r: Row): SeriesPoint => ({
  t: num(r.t),
  acceptBytes: num(r.ab),
  acceptPackets: num(r.ap),
  acceptRecords: num(r.an),
  rejectBytes: num(r.rb),
  rejectPackets: num(r.rp),
  rejectRecords: num(r.rn),
  windows: num(r.w),
});

interface QueuedUnit {
  unit: WriteUnit;
  rows: number;
  resolve: (ack: WriteAck) => void;
  reject: (err: Error) => void;
}

export async function openClickHouseStore(
  url: string,
  config: StoreConfig,
  deps: StoreDeps,
): Promise<Store> {
  const cfg = checkStoreConfig(config);
  let perTopic = { ...(cfg.perTopic ?? {}) };
  const { httpUrl, database, username, password, shards } = parseClickHouseUrl(url);
  const db = database;
  const client = (at: string): ClickHouseClient =>
    createClient({
      url: at,
      ...(username !== undefined ? { username } : {}),
      ...(password !== undefined ? { password } : {}),
      log: { level: ClickHouseLogLevel.OFF },
      request_timeout: 120_000,
    });
  const ch: ClickHouseClient = client(httpUrl);
  // Sharded: records go through the Distributed `records` table, by topic, into each shard's
  // `records_shard`; what removes records (partitions, deletes) runs on every shard's own table.
  const shardClients: ClickHouseClient[] = shards
    ? [ch, ...shards.httpUrls.slice(1).map(client)]
    : [ch];
  const RECORDS_LOCAL = shards ? 'records_shard' : 'records';
  const ROLLUP_LOCAL = shards ? `${ROLLUP}_shard` : ROLLUP;
  const warn = deps.warn ?? ((m: string) => console.warn(m));

  async function select<T = Row>(query: string): Promise<T[]> {
    const t0 = performance.now();
    try {
      const r = await ch.query({ query, format: 'JSONEachRow' });
      return await r.json<T>();
    } catch (err) {
      throw new StoreError(`ClickHouse: ${(err as Error).message}`, 'db', { cause: err });
    } finally {
      deps.onRead?.('clickhouse', (performance.now() - t0) / 1000);
    }
  }
  async function command(query: string, on: ClickHouseClient = ch): Promise<void> {
    try {
      await on.command({ query });
    } catch (err) {
      throw new StoreError(`ClickHouse: ${(err as Error).message}`, 'db', { cause: err });
    }
  }
  /** The statement on every shard (one server: on it), one after the other. */
  async function onEveryShard(query: string): Promise<void> {
    for (const c of shardClients) await command(query, c);
  }
  async function insertTsv(table: string, body: string): Promise<void> {
    if (body === '') return;
    try {
      await ch.insert({
        table: `${db}.${table}`,
        values: Readable.from([Buffer.from(body)], { objectMode: false }),
        format: 'TabSeparated',
        // Into a Distributed table: answered once every shard has its part (a read right after
        // sees the records, as on one server).
        ...(shards && table === 'records'
          ? { clickhouse_settings: { insert_distributed_sync: 1 } }
          : {}),
      });
    } catch (err) {
      throw new StoreError(`ClickHouse: ${(err as Error).message}`, 'db', { cause: err });
    }
  }
  /**
   * Versions of ReplacingMergeTree rows (offsets, catalog, marks) and ids of rejected lines: one
   * counter, increasing across restarts (microseconds of the wall clock, or one more than the last).
   */
  let lastVersion = 0;
  const nextVersion = () => (lastVersion = Math.max(lastVersion + 1, Date.now() * 1000));
  /** A read's caller error stays a query error; anything else is the database's. */
  const read = async <T>(fn: () => Promise<T>): Promise<T> => {
    if (closed) throw new StoreError('the store is closed', 'closed');
    try {
      return await fn();
    } catch (err) {
      if (err instanceof StoreQueryError) throw new StoreError(err.message, 'query');
      throw err;
    }
  };

  /**
   * The rollup on a server (each shard: its own, over its own records). Made by the first process
   * to open the store, which fills it with the records already there (up to the highest seq read
   * before its view began to take inserts); from then on its view takes every insert.
   */
  async function ensureRollup(c: ClickHouseClient): Promise<void> {
    const exists = await c.query({
      query: `EXISTS TABLE ${db}.${ROLLUP_LOCAL}`,
      format: 'TabSeparated',
    });
    if ((await exists.text()).trim() === '1') {
      for (const ddl of createRollup(db, RECORDS_LOCAL, ROLLUP_LOCAL, features))
        await command(ddl, c);
      return;
    }
    const seq = await c.query({
      query: `SELECT max(seq) FROM ${db}.${RECORDS_LOCAL}`,
      format: 'TabSeparated',
    });
    const upTo = Number((await seq.text()).trim() || 0);
    for (const ddl of createRollup(db, RECORDS_LOCAL, ROLLUP_LOCAL, features))
      await command(ddl, c);
    if (upTo > 0)
      await command(backfillRollup(db, RECORDS_LOCAL, ROLLUP_LOCAL, `seq <= ${literal(upTo)}`), c);
  }

  // New tables use what the server's version allows (the oldest shard's, when sharded).
  let features: ClickHouseFeatures = featuresOf('18.16');
  try {
    const versions: string[] = [];
    for (const c of shardClients) {
      const r = await c.query({ query: 'SELECT version()', format: 'TabSeparated' });
      versions.push((await r.text()).trim());
    }
    const oldest = versions
      .map(featuresOf)
      .sort((a, b) => Number(a.lowCardinality) - Number(b.lowCardinality))[0];
    if (oldest) features = oldest;
  } catch (err) {
    await Promise.all(shardClients.map((c) => c.close()));
    throw new StoreError(`ClickHouse: ${(err as Error).message}`, 'db', { cause: err });
  }
  try {
    if (shards) {
      for (const c of shardClients) {
        await command(`CREATE DATABASE IF NOT EXISTS ${db}`, c);
        for (const ddl of createShardTables(db, shards.cluster, features)) await command(ddl, c);
        await ensureRollup(c);
        await command(
          `CREATE TABLE IF NOT EXISTS ${db}.${ROLLUP} AS ${db}.${ROLLUP_LOCAL}
ENGINE = Distributed(${shards.cluster}, ${db}, ${ROLLUP_LOCAL}, sipHash64(topic))`,
          c,
        );
      }
      for (const ddl of createTables(db, { records: false, features })) await command(ddl);
    } else {
      await command(`CREATE DATABASE IF NOT EXISTS ${db}`);
      for (const ddl of createTables(db, { records: true, features })) await command(ddl);
      await ensureRollup(ch);
    }
  } catch (err) {
    await Promise.all(shardClients.map((c) => c.close()));
    throw err;
  }
  const [seqRow] = await select<{ s: string }>(
    `SELECT greatest((SELECT max(seq) FROM ${db}.records),
       (SELECT ifNull(max(value), 0) FROM ${db}.meta FINAL WHERE key = 'seq')) AS s`,
  );
  let seq = num(seqRow?.s);
  let committed = seq;

  // ---- writes: one batch at a time ----
  let queue: QueuedUnit[] = [];
  let queued = 0;
  let inflight = 0;
  const windows = new Map<string, WindowAggregate>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  let sending: Promise<void> = Promise.resolve();
  let closed = false;
  /** close() began: writes are refused, what was queued is still sent. */
  let closing = false;
  let retentionTimer: ReturnType<typeof setInterval> | null = null;
  const m = {
    recordsAppended: 0,
    recordsFailed: 0,
    windowsFailed: 0,
    windowsSaved: 0,
    quarantined: 0,
    writesRefused: 0,
    batches: 0,
    batchesFailed: 0,
    lastBatchMs: null as number | null,
    lastBatchRecords: 0,
    recordsRejected: {} as Record<string, number>,
    /** Reads answered from the rollup. */
    rollupReads: 0,
  };

  const schedule = () => {
    if (timer !== null || closed) return;
    timer = setTimeout(() => {
      timer = null;
      void send();
    }, cfg.flushIntervalMs);
  };

  /** Record inserts run this many at a time; the rest of a batch is saved in batch order. */
  const INSERTS_IN_FLIGHT = 2;
  let inserting = 0;
  const waitingSlot: Array<() => void> = [];
  async function insertRecords(body: string): Promise<void> {
    if (inserting >= INSERTS_IN_FLIGHT) await new Promise<void>((go) => waitingSlot.push(go));
    inserting++;
    try {
      await insertTsv('records', body);
    } finally {
      inserting--;
      waitingSlot.shift()?.();
    }
  }

  /**
   * Sends what is queued as one batch. Its records are numbered and encoded now, and inserted
   * beside the previous batch's; its rejected lines, source offsets, seq mark and windows are
   * written only after every earlier batch is settled, so a saved offset never runs ahead of
   * records that are not stored. Resolves when the batch is settled.
   */
  function send(): Promise<void> {
    const units = queue;
    queue = [];
    const saves = [...windows.values()];
    windows.clear();
    if (units.length === 0 && saves.length === 0) return sending;
    const rows = units.reduce((n, u) => n + u.rows, 0);
    inflight += rows;
    queued -= rows;
    const t0 = performance.now();
    const now = deps.clock.now();
    const bodies: string[] = [];
    const acks: WriteAck[] = [];
    for (const u of units) {
      const b = recordsTsv(u.unit.streams, seq + 1, now);
      seq += b.rows;
      bodies.push(b.body);
      acks.push({ stored: b.rows, rejected: b.rejected });
      for (const [, , reason] of b.rejected)
        m.recordsRejected[reason] = (m.recordsRejected[reason] ?? 0) + 1;
      const first = b.rejected[0];
      if (first)
        warn(
          `clickhouse store: ${b.rejected.length} records rejected (${first[2]}, e.g. record ${first[1]} of ${u.unit.streams[first[0]]?.streamId ?? '?'})`,
        );
    }
    const lastSeq = seq;
    const stored = acks.reduce((n, a) => n + a.stored, 0);
    const inserted = insertRecords(bodies.join(''));
    inserted.catch(() => {}); // awaited below, in batch order
    const before = sending;
    sending = (async () => {
      await before;
      try {
        await inserted;
        const quarantine = units.flatMap((u) => u.unit.quarantine ?? []);
        await insertTsv('quarantine', tsvLines(quarantine.map(quarantineRow)));
        const offsets = units.flatMap((u) => u.unit.offsets ?? []);
        await insertTsv(
          'offsets',
          tsvLines(offsets.map((o) => [o.source, nextVersion(), o.state])),
        );
        m.recordsAppended += stored;
        m.quarantined += quarantine.length;
        m.batches++;
        m.lastBatchMs = performance.now() - t0;
        m.lastBatchRecords = stored;
        deps.onCommit?.((performance.now() - t0) / 1000, stored);
        units.forEach((u, i) => u.resolve(acks[i]!));
      } catch (err) {
        m.batchesFailed++;
        m.recordsFailed += rows;
        warn(`clickhouse store: a write of ${rows} records failed: ${(err as Error).message}`);
        const e = new StoreError(`write failed: ${(err as Error).message}`, 'db', { cause: err });
        for (const u of units) u.reject(e);
      } finally {
        inflight -= rows;
        // Settled, stored or lost: what follows no longer waits for it.
        committed = lastSeq;
      }
      if (saves.length > 0) await saveWindows(saves);
    })();
    return sending;
  }

  async function saveWindows(saves: readonly WindowAggregate[]): Promise<void> {
    // A window that cannot be written (a value no column holds) is lost alone.
    const lines: string[] = [];
    for (const a of saves) {
      try {
        lines.push(tsvLines([windowRow(a)]));
      } catch (err) {
        m.windowsFailed++;
        warn(
          `clickhouse store: window ${a.topicId} ${a.windowStart} not stored: ${(err as Error).message}`,
        );
      }
    }
    try {
      await insertTsv('windows', lines.join(''));
      m.windowsSaved += lines.length;
    } catch (err) {
      m.windowsFailed += lines.length;
      warn(`clickhouse store: ${lines.length} windows not stored: ${(err as Error).message}`);
    }
  }

  const hasRoom = (n: number) => queued + inflight + n <= cfg.maxQueuedRecords;

  function write(unit: WriteUnit): Promise<WriteAck> | null {
    if (closing) throw new StoreError('the store is closed', 'closed');
    const rows = unit.streams.reduce((n, s) => n + s.records.length, 0);
    if (!hasRoom(rows)) {
      m.writesRefused += rows;
      return null;
    }
    return new Promise<WriteAck>((resolve, reject) => {
      queue.push({ unit, rows, resolve, reject });
      queued += rows;
      if (unit.urgent || queued >= cfg.batchMaxRecords) void send();
      else schedule();
    });
  }

  // ---- reads ----
  async function totals(topicId: string | undefined, from: number, to: number, where?: Filter) {
    const rolled = rollupSafe(where);
    if (rolled) m.rollupReads++;
    const [r] = await select(
      rolled
        ? `SELECT sum(records) AS n, sum(bytes) AS b, sum(packets) AS p
           FROM ${db}.${ROLLUP} WHERE ${baseWhere(topicId, from, to, where)}`
        : `SELECT count() AS n, sum(ifNull(bytes, 0)) AS b, sum(ifNull(packets, 0)) AS p
           FROM ${db}.records WHERE ${baseWhere(topicId, from, to, where)}`,
    );
    return { records: num(r?.n), bytes: num(r?.b), packets: num(r?.p) };
  }

  async function queryRecords(q: RecordQuery): Promise<RecordPage> {
    const field = q.order?.field ?? 'window';
    const dir = q.order?.dir ?? 'desc';
    if (!isSortField(field)) throw new StoreQueryError(`cannot order by ${String(field)}`);
    if (dir !== 'asc' && dir !== 'desc') throw new StoreQueryError('order dir must be asc or desc');
    if (!Number.isSafeInteger(q.limit) || q.limit < 1 || q.limit > 10_000)
      throw new StoreQueryError('limit must be an integer in [1, 10000]');
    let where = baseWhere(q.topicId, q.fromMs, q.toMs, q.where);
    const key = sortKey(field);
    const op = dir === 'desc' ? '<' : '>';
    const cursor = q.cursor ? decodeCursor(q.cursor, field, dir) : null;
    if (cursor) {
      where +=
        field === 'seq'
          ? ` AND seq ${op} ${literal(cursor.seq)}`
          : ` AND (${key} ${op} ${literal(cursor.key)} OR (${key} = ${literal(cursor.key)} AND seq ${op} ${literal(cursor.seq)}))`;
    }
    const order = field === 'seq' ? `seq ${dir}` : `${key} ${dir}, seq ${dir}`;
    const [rows, sums] = await Promise.all([
      select(
        `SELECT ${RECORD_SELECT} FROM ${db}.records WHERE ${where} ORDER BY ${order} LIMIT ${literal(q.limit + 1)}`,
      ),
      totals(q.topicId, q.fromMs, q.toMs, q.where),
    ]);
    const records = rows.slice(0, q.limit).map(toStored);
    const last = records.at(-1);
    const next =
      rows.length > q.limit && last !== undefined
        ? encodeCursor(field, dir, sortValue(last, field), last.seq)
        : null;
    return {
      records,
      total: sums.records,
      sum: { bytes: sums.bytes, packets: sums.packets },
      next,
    };
  }

  async function topQuintuples(
    topicId: string,
    from: number,
    to: number,
    topN: number,
    where?: Filter,
  ): Promise<TopQuintuple[]> {
    checkTopN(topN);
    const rows = await select(
      `SELECT ${Q_COLS}, ${Q_SUMS} FROM ${db}.records
       WHERE ${baseWhere(topicId, from, to, where)} AND ${TRAFFIC} AND ${COMPLETE}
       GROUP BY ${Q_COLS} ORDER BY b DESC, ${Q_COLS} LIMIT ${literal(topN)}`,
    );
    return rows.map(quintuple);
  }

  async function sourcePorts(q: SourcePortsQuery): Promise<SourcePorts[]> {
    checkSourcePorts(q.minPorts, q.limit);
    const list = q.lists ? ', arraySort(groupUniqArray(dstport)) AS list' : '';
    const rows = await select(
      `SELECT window_start, srcaddr, uniqExact(dstport) AS ports${list} FROM ${db}.records
       WHERE ${baseWhere(q.topicId, q.fromMs, q.toMs, q.where)} AND ${TRAFFIC}
         AND srcaddr IS NOT NULL AND dstport IS NOT NULL
       GROUP BY window_start, srcaddr HAVING ports >= ${literal(q.minPorts)}
       ORDER BY ports DESC, window_start, srcaddr LIMIT ${literal(q.limit)}`,
    );
    return rows.map((r) => ({
      windowStart: num(r.window_start),
      srcaddr: String(r.srcaddr),
      ports: num(r.ports),
      ...(q.lists ? { list: (r.list as unknown[]).map(num) } : {}),
    }));
  }

  async function aggregate(q: AggregateQuery): Promise<AggregateResult> {
    checkStep(q.stepMs);
    const topN = q.topN ?? 20;
    checkTopN(topN);
    const step = literal(q.stepMs);
    // The series, protocols and region pairs come from the rollup when the filter allows (the
    // same sums from far fewer rows); the top quintuples need the records.
    const rolled = rollupSafe(q.where);
    if (rolled) m.rollupReads++;
    const where = baseWhere(q.topicId, q.fromMs, q.toMs, q.where);
    const [from, base, sums, n, b, p] = rolled
      ? [
          ROLLUP,
          `${where} AND traffic = 1`,
          ROLLUP_SUMS,
          'sum(records)',
          'sum(bytes)',
          'sum(packets)',
        ]
      : [
          'records',
          `${where} AND ${TRAFFIC}`,
          SUMS,
          'count()',
          'sum(ifNull(bytes, 0))',
          'sum(ifNull(packets, 0))',
        ];
    const [series, byProtocol, top, pairs] = await Promise.all([
      select(
        `SELECT intDiv(window_start, ${step}) * ${step} AS t, ${sums}, uniqExact(window_start) AS w
         FROM ${db}.${from} WHERE ${base} GROUP BY t ORDER BY t`,
      ),
      select(
        `SELECT protocol, ${b} AS b, ${p} AS p, ${n} AS n
         FROM ${db}.${from} WHERE ${base} AND protocol IS NOT NULL
         GROUP BY protocol ORDER BY b DESC, protocol`,
      ),
      topQuintuples(q.topicId, q.fromMs, q.toMs, topN, q.where),
      select(
        `SELECT src_region, dst_region, ${sums}, ${n} AS n, ${b} AS total
         FROM ${db}.${from} WHERE ${base} AND src_region IS NOT NULL AND dst_region IS NOT NULL
         GROUP BY src_region, dst_region ORDER BY total DESC, src_region, dst_region`,
      ),
    ]);
    const points = series.map(seriesPoint);
    const { accept, reject } = seriesTotals(points);
    return {
      series: points,
      accept,
      reject,
      byProtocol: byProtocol.map(protocolTotals),
      top,
      regionPairs: pairs.map(regionPair),
    };
  }

  async function recomputeWindow(
    topicId: string,
    windowStart: number,
    windowMs: number,
    topN: number,
  ): Promise<RecomputedWindow> {
    checkTopN(topN);
    if (!Number.isSafeInteger(windowStart) || windowStart % windowMs !== 0)
      throw new StoreQueryError(`windowStart must be a multiple of ${windowMs}`);
    const base = `topic = ${literal(topicId)} AND window_start = ${literal(windowStart)} AND start_s IS NOT NULL`;
    const [t, byProtocol, top, pairs, streams] = await Promise.all([
      select(`SELECT ${SUMS} FROM ${db}.records WHERE ${base} AND ${TRAFFIC}`),
      select(
        `SELECT protocol, sum(ifNull(bytes, 0)) AS b, sum(ifNull(packets, 0)) AS p, count() AS n
         FROM ${db}.records WHERE ${base} AND ${TRAFFIC} AND protocol IS NOT NULL
         GROUP BY protocol ORDER BY b DESC, protocol`,
      ),
      // Ties by the aggregator's key text `srcaddr|srcport|dstaddr|dstport|protocol`.
      select(
        `SELECT ${Q_COLS}, ${Q_SUMS} FROM ${db}.records WHERE ${base} AND ${TRAFFIC} AND ${COMPLETE}
         GROUP BY ${Q_COLS}
         ORDER BY b DESC, concat(srcaddr, '|', toString(srcport), '|', dstaddr, '|',
           toString(dstport), '|', toString(protocol)) LIMIT ${literal(topN)}`,
      ),
      select(
        `SELECT src_region, dst_region, ${SUMS}, count() AS n, sum(ifNull(bytes, 0)) AS total
         FROM ${db}.records WHERE ${base} AND ${TRAFFIC} AND src_region IS NOT NULL AND dst_region IS NOT NULL
         GROUP BY src_region, dst_region ORDER BY total DESC, src_region, dst_region`,
      ),
      select(
        `SELECT stream, countIf(${TRAFFIC}) AS ok, countIf(log_status = 'NODATA') AS nodata,
           countIf(log_status = 'SKIPDATA') AS skipdata
         FROM ${db}.records WHERE ${base} GROUP BY stream
         HAVING ok + nodata + skipdata > 0 ORDER BY stream`,
      ),
    ]);
    const s = t[0] ?? {};
    const accept: Totals = { bytes: num(s.ab), packets: num(s.ap), records: num(s.an) };
    const reject: Totals = { bytes: num(s.rb), packets: num(s.rp), records: num(s.rn) };
    return recomputedWindow({
      topicId,
      windowStart,
      windowMs,
      accept,
      reject,
      byProtocol: byProtocol.map(protocolTotals),
      top: top.map(quintuple),
      regionPairs: pairs.map(regionPair),
      streams: streams.map((r): StreamStatus => ({
        streamId: String(r.stream),
        ok: num(r.ok),
        nodata: num(r.nodata),
        skipdata: num(r.skipdata),
      })),
    });
  }

  /**
   * Waits until the table's mutations (ALTER ... DELETE) have run on every server that holds it:
   * 18.16 runs them in the background.
   */
  async function mutationsDone(table: string): Promise<void> {
    const deadline = Date.now() + 120_000;
    const on = table === RECORDS_LOCAL || table === ROLLUP_LOCAL ? shardClients : [ch];
    for (;;) {
      let running = 0;
      for (const c of on) {
        const r = await c.query({
          query: `SELECT count() AS n FROM system.mutations
                  WHERE database = ${literal(db)} AND table = ${literal(table)} AND is_done = 0`,
          format: 'JSONEachRow',
        });
        const [row] = await r.json<Row>();
        running += num(row?.n);
      }
      if (running === 0) return;
      if (Date.now() > deadline)
        throw new StoreError(`ClickHouse: ${table} mutations still running`, 'db');
      await new Promise((done) => setTimeout(done, 50));
    }
  }

  /**
   * Deletes the rows of a topic older than `cutoff`: the days wholly before it as partitions (what
   * 18.16 does instead of TTL), the rest of the cutoff's day by a mutation, waited for. Returns
   * the rows (windows: the newest revision of each) that went.
   */
  async function expire(table: 'records' | 'windows', topic: string, cutoff: number) {
    const scope = `topic = ${literal(topic)} AND window_start < ${literal(cutoff)}`;
    const [c] = await select(
      `SELECT count() AS n FROM ${db}.${table}${table === 'windows' ? ' FINAL' : ''} WHERE ${scope}`,
    );
    const n = num(c?.n);
    if (n === 0) return 0;
    const days = await select<{ d: string }>(
      `SELECT DISTINCT toYYYYMMDD(toDateTime(intDiv(window_start, 1000))) AS d
       FROM ${db}.${table} WHERE ${scope}`,
    );
    let partial = false;
    for (const { d } of days) {
      const day = String(d);
      const end =
        Date.UTC(Number(day.slice(0, 4)), Number(day.slice(4, 6)) - 1, Number(day.slice(6))) +
        DAY_MS;
      if (end > cutoff) partial = true;
      else if (table === 'records')
        for (const t of [RECORDS_LOCAL, ROLLUP_LOCAL])
          await onEveryShard(
            `ALTER TABLE ${db}.${t} DROP PARTITION (${literal(topic)}, ${literal(Number(day))})`,
          );
      else
        await command(
          `ALTER TABLE ${db}.${table} DROP PARTITION (${literal(topic)}, ${literal(Number(day))})`,
        );
    }
    if (partial) {
      if (table === 'records') {
        for (const t of [RECORDS_LOCAL, ROLLUP_LOCAL]) {
          await onEveryShard(`ALTER TABLE ${db}.${t} DELETE WHERE ${scope}`);
          await mutationsDone(t);
        }
      } else {
        await command(`ALTER TABLE ${db}.${table} DELETE WHERE ${scope}`);
        await mutationsDone(table);
      }
    }
    return n;
  }

  /** The highest seq handed out, kept where a deletion cannot take it (the records' max is lost with them). */
  async function saveSeq(): Promise<void> {
    await insertTsv('meta', tsvLines([['seq', nextVersion(), seq]]));
  }

  async function enforceRetention(now = deps.clock.now()) {
    await sending;
    await saveSeq();
    const out = { records: 0, windows: 0, rejectedLines: 0, offsets: 0 };
    for (const table of ['records', 'windows'] as const) {
      const topics = await select<{ topic: string }>(`SELECT DISTINCT topic FROM ${db}.${table}`);
      for (const { topic } of topics) {
        const r = retentionOf({ ...cfg, perTopic }, topic);
        out[table] += await expire(
          table,
          topic,
          now - (table === 'records' ? r.rawMs : r.windowMs),
        );
      }
    }
    // Rejected lines: whole days past quarantineDays.
    const cutoffDay = Number(
      new Date(now - cfg.quarantineDays * DAY_MS).toISOString().slice(0, 10).replace(/-/g, ''),
    );
    const old = await select<{ partition: string; rows: string }>(
      `SELECT partition, sum(rows) AS rows FROM system.parts
       WHERE database = ${literal(db)} AND table = 'quarantine' AND active
       GROUP BY partition HAVING toUInt32(partition) < ${literal(cutoffDay)}`,
    );
    for (const p of old) {
      await command(`ALTER TABLE ${db}.quarantine DROP PARTITION ${literal(Number(p.partition))}`);
      out.rejectedLines += num(p.rows);
    }
    return out;
  }

  const store: Store = {
    write,
    hasRoom,
    saveWindow(agg) {
      const k = `${agg.topicId}\u0000${agg.windowStart}`;
      const held = windows.get(k);
      if (!held || held.revision < agg.revision) windows.set(k, agg);
      schedule();
    },
    async flush() {
      await send();
    },
    backlog: () => queued + inflight,
    loadWindows: (topicId, fromMs, toMs) =>
      read(async () => {
        checkRange(fromMs, toMs);
        const rows = await select<{ body: string }>(
          `SELECT body FROM ${db}.windows FINAL WHERE topic = ${literal(topicId)}
           AND window_start >= ${literal(fromMs)} AND window_start < ${literal(toMs)}
           ORDER BY window_start`,
        );
        return rows.map((r) => JSON.parse(r.body) as WindowAggregate);
      }),
    windowSeries: (topicId, fromMs, toMs, stepMs) =>
      read(async () => {
        checkRange(fromMs, toMs);
        checkStep(stepMs);
        const step = literal(stepMs);
        const rows = await select(
          `SELECT intDiv(window_start, ${step}) * ${step} AS t, sum(accept_bytes) AS ab,
             sum(accept_packets) AS ap, sum(accept_records) AS an, sum(reject_bytes) AS rb,
             sum(reject_packets) AS rp, sum(reject_records) AS rn, count() AS w
           FROM ${db}.windows FINAL WHERE topic = ${literal(topicId)}
             AND window_start >= ${literal(fromMs)} AND window_start < ${literal(toMs)}
           GROUP BY t ORDER BY t`,
        );
        return rows.map(seriesPoint);
      }),
    queryRecords: (q) => read(() => queryRecords(q)),
    aggregate: (q) => read(() => aggregate(q)),
    topQuintuples: (topicId, from, to, topN, where) =>
      read(() => topQuintuples(topicId, from, to, topN, where)),
    sourcePorts: (q) => read(() => sourcePorts(q)),
    lastWindows: () =>
      read(async () => {
        const rows = await select(
          `SELECT topic, stream, max(window_start) AS w FROM ${db}.records
           GROUP BY topic, stream ORDER BY topic, stream`,
        );
        return rows.map((r): StreamPosition => ({
          topicId: String(r.topic),
          streamId: String(r.stream),
          windowStart: num(r.w),
        }));
      }),
    recomputeWindow: (topicId, windowStart, windowMs, topN) =>
      read(() => recomputeWindow(topicId, windowStart, windowMs, topN)),
    // The rollup is kept by its view on every insert: nothing to roll; reads answered from it count.
    maintain: async () => ({ rolled: 0, rolls: 0, due: 0, dimsReads: m.rollupReads, topReads: 0 }),
    enforceRetention: (now) => read(() => enforceRetention(now)),
    async setRetention(next) {
      perTopic = { ...(next ?? {}) };
    },
    committedSeq: () => committed,
    markWindowsClean: (upTo) =>
      read(() => insertTsv('meta', tsvLines([['clean_seq', nextVersion(), upTo]]))),
    windowsToRebuild: (fallbackFrom) =>
      read(async (): Promise<RebuildPlan> => {
        const [mark] = await select<{ v: string | null; n: string }>(
          `SELECT max(value) AS v, count() AS n FROM ${db}.meta FINAL WHERE key = 'clean_seq'`,
        );
        const clean = num(mark?.n) > 0 ? num(mark?.v) : null;
        const rows = await select(
          clean === null
            ? `SELECT DISTINCT topic, window_start FROM ${db}.records
               WHERE window_start >= ${literal(fallbackFrom)} ORDER BY topic, window_start`
            : `SELECT DISTINCT topic, window_start FROM ${db}.records
               WHERE seq > ${literal(clean)} ORDER BY topic, window_start`,
        );
        return {
          cleanSeq: clean,
          seq,
          windows: rows.map((r) => [String(r.topic), num(r.window_start)] as [string, number]),
        };
      }),
    loadCatalog: () =>
      read(async () => {
        const rows = await select<{ kind: string; body: string; deleted: number }>(
          `SELECT kind, body, deleted FROM ${db}.catalog FINAL`,
        );
        if (rows.length === 0) return null;
        const out = emptyEntities();
        for (const r of rows) {
          if (Number(r.deleted) === 1) continue;
          const list = out[r.kind as keyof CatalogEntities] as unknown[] | undefined;
          list?.push(JSON.parse(r.body));
        }
        return out;
      }),
    saveCatalog: (change: CatalogChange) =>
      read(async () => {
        await send();
        const version = nextVersion();
        const rows: Array<Array<string | number>> = [];
        for (const kind of [
          'logsets',
          'topics',
          'flowLogs',
          'alertRules',
          'alertEpisodes',
          'alertSilences',
          'alertDeliveries',
        ] as const) {
          for (const e of change.upsert?.[kind] ?? [])
            rows.push([kind, e.id, version, 0, JSON.stringify(e)]);
          for (const id of change.remove?.[kind] ?? []) rows.push([kind, id, version, 1, '']);
        }
        await insertTsv('catalog', tsvLines(rows));
        let records = 0;
        let windowsDropped = 0;
        for (const t of change.dropTopicData ?? []) {
          const u = await topicUsage(t);
          records += u.records;
          windowsDropped += u.windows;
          for (const local of [RECORDS_LOCAL, ROLLUP_LOCAL])
            await onEveryShard(`ALTER TABLE ${db}.${local} DELETE WHERE topic = ${literal(t)}`);
          for (const table of ['windows', 'quarantine'])
            await command(`ALTER TABLE ${db}.${table} DELETE WHERE topic = ${literal(t)}`);
        }
        return { records, windows: windowsDropped };
      }),
    topicUsage: (topicId) => read(() => topicUsage(topicId)),
    rejectedLines: (q: QuarantineQuery) => read(() => rejectedLines(q)),
    rejectedLineCount: (topicId) =>
      read(async () => {
        const [r] = await select(
          `SELECT count() AS n FROM ${db}.quarantine WHERE topic = ${literal(topicId)}`,
        );
        return num(r?.n);
      }),
    loadOffsets: (prefix) =>
      read(async () => {
        const rows = await select<{ source: string; state: string }>(
          `SELECT source, argMax(state, version) AS state FROM ${db}.offsets
           WHERE startsWith(source, ${literal(prefix)}) GROUP BY source`,
        );
        return rows.map((r) => ({ source: r.source, state: r.state }));
      }),
    metrics: (): StoreMetrics => ({
      recordsAppended: m.recordsAppended,
      recordsRejected: { ...m.recordsRejected },
      writesRefused: m.writesRefused,
      recordsFailed: m.recordsFailed,
      windowsFailed: m.windowsFailed,
      quarantined: m.quarantined,
      windowsSaved: m.windowsSaved,
      batches: m.batches,
      batchesFailed: m.batchesFailed,
      batchRetries: 0,
      queued: queued + inflight,
      workerErrors: 0,
      readsCancelled: 0,
      workerRestarts: 0,
      lastBatchMs: m.lastBatchMs,
      lastBatchRecords: m.lastBatchRecords,
      maxQueued: cfg.maxQueuedRecords,
      rows: { records: 0, windows: 0 },
      fileBytes: 0,
      memory: { usedBytes: 0, tempBytes: 0, limitBytes: 0, threads: 0 },
      workerHeap: { usedBytes: 0, totalBytes: 0 },
      seq,
    }),
    start() {
      if (retentionTimer !== null || cfg.retentionEveryMs <= 0) return;
      const sweep = () =>
        void enforceRetention().catch((err: Error) =>
          warn(`clickhouse store: retention failed: ${err.message}`),
        );
      sweep();
      retentionTimer = setInterval(sweep, cfg.retentionEveryMs);
      retentionTimer.unref();
    },
    stop() {
      if (retentionTimer !== null) clearInterval(retentionTimer);
      retentionTimer = null;
    },
    async close() {
      if (closing) return;
      closing = true;
      store.stop();
      await send();
      await saveSeq().catch((err: Error) =>
        warn(`clickhouse store: saving the seq mark failed: ${err.message}`),
      );
      closed = true;
      if (timer !== null) clearTimeout(timer);
      await Promise.all(shardClients.map((c) => c.close()));
    },
  };

  async function topicUsage(topicId: string) {
    const topic = literal(topicId);
    const [r] = await select(
      `SELECT count() AS records, max(window_start) AS newest,
         (SELECT count() FROM ${db}.windows FINAL WHERE topic = ${topic}) AS windows
       FROM ${db}.records WHERE topic = ${topic}`,
    );
    // max() of no rows is 0 in ClickHouse, not NULL.
    return {
      records: num(r?.records),
      windows: num(r?.windows),
      newest: num(r?.records) > 0 ? num(r?.newest) : null,
    };
  }

  async function rejectedLines(q: QuarantineQuery): Promise<RejectedLinesPage> {
    const scope = q.topicId === undefined ? '1' : `topic = ${literal(q.topicId)}`;
    let where = scope;
    if (q.reason !== undefined) where += ` AND reason = ${literal(q.reason)}`;
    if (q.source !== undefined) where += ` AND source = ${literal(q.source)}`;
    if (q.origin !== undefined) where += ` AND origin = ${literal(q.origin)}`;
    let page = where;
    if (q.before) {
      const [at, id] = q.before.split('.');
      if (!/^\d+$/.test(at ?? '') || !/^\d+$/.test(id ?? ''))
        throw new StoreQueryError('bad cursor');
      page += ` AND (at < ${at} OR (at = ${at} AND id < ${id}))`;
    }
    const [lines, total, byReason, bySource] = await Promise.all([
      select(
        `SELECT * FROM ${db}.quarantine WHERE ${page} ORDER BY at DESC, id DESC LIMIT ${literal(q.limit + 1)}`,
      ),
      select(`SELECT count() AS n FROM ${db}.quarantine WHERE ${where}`),
      select(
        `SELECT reason, count() AS n FROM ${db}.quarantine WHERE ${scope} GROUP BY reason ORDER BY n DESC, reason`,
      ),
      select(
        `SELECT source, origin, count() AS n FROM ${db}.quarantine WHERE ${scope}
         GROUP BY source, origin ORDER BY n DESC, source, origin`,
      ),
    ]);
    const shown = lines.slice(0, q.limit);
    const last = shown.at(-1);
    return {
      lines: shown.map((r) => ({
        topicId: String(r.topic),
        source: String(r.source),
        origin: String(r.origin),
        line: num(r.line),
        reason: String(r.reason),
        message: String(r.message),
        raw: String(r.raw),
        rawLength: num(r.raw_length),
        at: num(r.at),
      })),
      total: num(total[0]?.n),
      byReason: byReason.map((r) => ({ reason: String(r.reason), count: num(r.n) })),
      bySource: bySource.map((r) => ({
        source: String(r.source),
        origin: String(r.origin),
        count: num(r.n),
      })),
      next: lines.length > q.limit && last ? `${num(last.at)}.${num(last.id)}` : null,
    };
  }

  function quarantineRow(r: QuarantineRow): Array<string | number> {
    return [
      r.topicId,
      r.at,
      nextVersion(),
      r.source,
      r.origin,
      r.line,
      r.reason,
      r.message,
      r.raw,
      r.rawLength,
    ];
  }

  return store;
}

/** A window's row; counters are rounded to integers as DuckDB's BIGINT columns round them. */
function windowRow(a: WindowAggregate): Array<string | number> {
  const int = (v: number) => Math.round(v);
  return [
    a.topicId,
    a.windowStart,
    a.revision,
    int(a.accept.bytes),
    int(a.accept.packets),
    int(a.accept.records),
    int(a.reject.bytes),
    int(a.reject.packets),
    int(a.reject.records),
    JSON.stringify(a),
  ];
}
