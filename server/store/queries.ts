// Worker side: the store's reads as SQL. Every statement is parameterized; the caller's filter is
// a compiled `?` expression spliced in with its parameters in textual order.
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type {
  ProtocolTotals,
  RegionPairTotals,
  StreamStatus,
  Totals,
  TopQuintuple,
  WindowAggregate,
} from '../../shared/events.ts';
import type { Action, FlowRecord, FormatKind, LogStatus } from '../../shared/record.ts';
import {
  ORDER_FIELDS,
  type AggregateQuery,
  type AggregateResult,
  type OrderField,
  type RecomputedWindow,
  type RecordPage,
  type RecordQuery,
  type SeriesPoint,
  type SqlFilter,
  type StoredRecord,
  type StreamPosition,
} from './types.ts';

/** Runs `fn` on a connection of the read pool. */
export type WithConnection = <T>(fn: (con: DuckDBConnection) => Promise<T>) => Promise<T>;

type Param = string | number | bigint | null;

/** A caller error (bad query arguments), as opposed to a database failure. */
export class StoreQueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreQueryError';
  }
}

const WINDOW_MS = 60_000;
/** Sort value of NULL: below every stored value. */
const NULL_KEY = -9007199254740991;

/** BIGINT and HUGEINT results arrive as bigint: numbers are exact up to 2^53. */
function n(v: DuckDBValue): number {
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number') return v;
  return 0;
}
function nOrNull(v: DuckDBValue): number | null {
  return v === null ? null : n(v);
}
function sOrNull(v: DuckDBValue): string | null {
  return v === null ? null : String(v);
}

async function rows(con: DuckDBConnection, sql: string, params: Param[]): Promise<DuckDBValue[][]> {
  const reader = await con.runAndReadAll(sql, params as DuckDBValue[]);
  return reader.getRows();
}

function checkRange(fromMs: number, toMs: number): void {
  if (!Number.isSafeInteger(fromMs) || !Number.isSafeInteger(toMs)) {
    throw new StoreQueryError('fromMs and toMs must be integers (epoch ms)');
  }
}

/** `window_start >= ? AND window_start < ? [AND topic = ?] [AND (filter)]` and its parameters. */
function baseWhere(
  topicId: string | undefined,
  fromMs: number,
  toMs: number,
  where: SqlFilter | null | undefined,
): [string, Param[]] {
  checkRange(fromMs, toMs);
  let sql = 'window_start >= ? AND window_start < ?';
  const params: Param[] = [fromMs, toMs];
  if (topicId !== undefined) {
    sql += ' AND topic = ?';
    params.push(topicId);
  }
  if (where && where.sql.trim() !== '' && where.sql.trim().toUpperCase() !== 'TRUE') {
    sql += ` AND (${where.sql})`;
    params.push(...where.params);
  }
  return [sql, params];
}

/** Records that count as traffic in the window aggregator: a start, an action, log-status OK or none. */
const TRAFFIC = `start_s IS NOT NULL AND action IS NOT NULL AND (log_status IS NULL OR log_status = 'OK')`;

// ---------------------------------------------------------------------------------------------
// Records

const RECORD_SELECT = `topic, stream, window_start, seq, format, version, account_id, interface_id,
  srcaddr, dstaddr, srcport, dstport, protocol, packets, bytes, start_s, end_s, action, log_status,
  ccn_id, src_region, dst_region, region_id, extra`;

function toStored(r: DuckDBValue[]): StoredRecord {
  const extra = r[23];
  return {
    topicId: String(r[0]),
    streamId: String(r[1]),
    windowStart: n(r[2]!),
    seq: n(r[3]!),
    format: String(r[4]) as FormatKind,
    version: sOrNull(r[5]!),
    accountId: sOrNull(r[6]!),
    interfaceId: sOrNull(r[7]!),
    srcaddr: sOrNull(r[8]!),
    dstaddr: sOrNull(r[9]!),
    srcport: nOrNull(r[10]!),
    dstport: nOrNull(r[11]!),
    protocol: nOrNull(r[12]!),
    packets: nOrNull(r[13]!),
    bytes: nOrNull(r[14]!),
    start: nOrNull(r[15]!),
    end: nOrNull(r[16]!),
    action: sOrNull(r[17]!) as Action | null,
    logStatus: sOrNull(r[18]!) as LogStatus | null,
    ccnId: sOrNull(r[19]!),
    srcRegion: sOrNull(r[20]!),
    dstRegion: sOrNull(r[21]!),
    regionId: sOrNull(r[22]!),
    extra: extra === null || extra === undefined ? null : (JSON.parse(String(extra)) as FlowRecord['extra']),
  };
}

const NULLABLE_ORDER = new Set<OrderField>([
  'bytes',
  'packets',
  'start_s',
  'end_s',
  'srcport',
  'dstport',
  'protocol',
]);

function sortKey(field: OrderField): string {
  return NULLABLE_ORDER.has(field) ? `coalesce(${field}, ${NULL_KEY})` : field;
}

function sortValue(r: StoredRecord, field: OrderField): number {
  const v: Record<OrderField, number | null> = {
    window_start: r.windowStart,
    seq: r.seq,
    bytes: r.bytes,
    packets: r.packets,
    start_s: r.start,
    end_s: r.end,
    srcport: r.srcport,
    dstport: r.dstport,
    protocol: r.protocol,
  };
  return v[field] ?? NULL_KEY;
}

/** Opaque cursor: base64url of [order field, direction, sort value, seq] of the last row. */
export function encodeCursor(field: OrderField, dir: 'asc' | 'desc', key: number, seq: number): string {
  return Buffer.from(JSON.stringify([field, dir, key, seq])).toString('base64url');
}

export function decodeCursor(
  cursor: string,
  field: OrderField,
  dir: 'asc' | 'desc',
): { key: number; seq: number } {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new StoreQueryError('bad cursor');
  }
  if (
    !Array.isArray(v) ||
    v.length !== 4 ||
    v[0] !== field ||
    v[1] !== dir ||
    !Number.isSafeInteger(v[2]) ||
    !Number.isSafeInteger(v[3])
  ) {
    throw new StoreQueryError('bad cursor (or one from a query with another order)');
  }
  return { key: v[2] as number, seq: v[3] as number };
}

export async function queryRecords(use: WithConnection, q: RecordQuery): Promise<RecordPage> {
  const field = q.order?.field ?? 'window_start';
  const dir = q.order?.dir ?? 'desc';
  if (!(ORDER_FIELDS as readonly string[]).includes(field)) {
    throw new StoreQueryError(`cannot order by ${String(field)}`);
  }
  if (dir !== 'asc' && dir !== 'desc') throw new StoreQueryError('order dir must be asc or desc');
  if (!Number.isSafeInteger(q.limit) || q.limit < 1 || q.limit > 10_000) {
    throw new StoreQueryError('limit must be an integer in [1, 10000]');
  }
  const [base, baseParams] = baseWhere(q.topicId, q.fromMs, q.toMs, q.where);
  const key = sortKey(field);
  const op = dir === 'desc' ? '<' : '>';
  let pageSql = base;
  const pageParams = [...baseParams];
  if (q.cursor) {
    const c = decodeCursor(q.cursor, field, dir);
    if (field === 'seq') {
      pageSql += ` AND seq ${op} ?`;
      pageParams.push(c.seq);
    } else {
      pageSql += ` AND (${key} ${op} ? OR (${key} = ? AND seq ${op} ?))`;
      pageParams.push(c.key, c.key, c.seq);
    }
  }
  const order = field === 'seq' ? `seq ${dir}` : `${key} ${dir}, seq ${dir}`;
  pageParams.push(q.limit + 1);
  const [page, totals] = await Promise.all([
    use((con) =>
      rows(
        con,
        `SELECT ${RECORD_SELECT} FROM records WHERE ${pageSql} ORDER BY ${order} LIMIT ?`,
        pageParams,
      ),
    ),
    use((con) =>
      rows(
        con,
        `SELECT count(*), coalesce(sum(bytes), 0), coalesce(sum(packets), 0) FROM records WHERE ${base}`,
        baseParams,
      ),
    ),
  ]);
  const records = page.slice(0, q.limit).map(toStored);
  const last = records[records.length - 1];
  const next =
    page.length > q.limit && last !== undefined
      ? encodeCursor(field, dir, sortValue(last, field), last.seq)
      : null;
  const t = totals[0]!;
  return { records, total: n(t[0]!), sum: { bytes: n(t[1]!), packets: n(t[2]!) }, next };
}

// ---------------------------------------------------------------------------------------------
// Windows

function checkStep(stepMs: number): void {
  if (!Number.isSafeInteger(stepMs) || stepMs <= 0 || stepMs % WINDOW_MS !== 0) {
    throw new StoreQueryError('stepMs must be a positive multiple of 60000');
  }
}

export async function loadWindows(
  use: WithConnection,
  topicId: string,
  fromMs: number,
  toMs: number,
): Promise<WindowAggregate[]> {
  checkRange(fromMs, toMs);
  const r = await use((con) =>
    rows(
      con,
      `SELECT aggregate FROM windows WHERE topic = ? AND window_start >= ? AND window_start < ?
       ORDER BY window_start`,
      [topicId, fromMs, toMs],
    ),
  );
  return r.map((x) => JSON.parse(String(x[0])) as WindowAggregate);
}

function seriesPoint(r: DuckDBValue[]): SeriesPoint {
  return {
    t: n(r[0]!),
    acceptBytes: n(r[1]!),
    acceptPackets: n(r[2]!),
    acceptRecords: n(r[3]!),
    rejectBytes: n(r[4]!),
    rejectPackets: n(r[5]!),
    rejectRecords: n(r[6]!),
    windows: n(r[7]!),
  };
}

export async function windowSeries(
  use: WithConnection,
  topicId: string,
  fromMs: number,
  toMs: number,
  stepMs: number,
): Promise<SeriesPoint[]> {
  checkRange(fromMs, toMs);
  checkStep(stepMs);
  const r = await use((con) =>
    rows(
      con,
      `SELECT window_start // ? * ? AS t, sum(accept_bytes), sum(accept_packets), sum(accept_records),
         sum(reject_bytes), sum(reject_packets), sum(reject_records), count(*)
       FROM windows WHERE topic = ? AND window_start >= ? AND window_start < ?
       GROUP BY t ORDER BY t`,
      [stepMs, stepMs, topicId, fromMs, toMs],
    ),
  );
  return r.map(seriesPoint);
}

// ---------------------------------------------------------------------------------------------
// Aggregates of raw records

const SUMS = `coalesce(sum(bytes) FILTER (action = 'ACCEPT'), 0), coalesce(sum(packets) FILTER (action = 'ACCEPT'), 0),
  count(*) FILTER (action = 'ACCEPT'), coalesce(sum(bytes) FILTER (action = 'REJECT'), 0),
  coalesce(sum(packets) FILTER (action = 'REJECT'), 0), count(*) FILTER (action = 'REJECT')`;

function protocolTotals(r: DuckDBValue[]): ProtocolTotals {
  return { protocol: n(r[0]!), bytes: n(r[1]!), packets: n(r[2]!), records: n(r[3]!) };
}

function quintuple(r: DuckDBValue[]): TopQuintuple {
  return {
    srcaddr: String(r[0]),
    srcport: n(r[1]!),
    dstaddr: String(r[2]),
    dstport: n(r[3]!),
    protocol: n(r[4]!),
    bytes: n(r[5]!),
    packets: n(r[6]!),
    records: n(r[7]!),
    rejectBytes: n(r[8]!),
    rejectPackets: n(r[9]!),
  };
}

function regionPair(r: DuckDBValue[]): RegionPairTotals {
  return {
    src: String(r[0]),
    dst: String(r[1]),
    acceptBytes: n(r[2]!),
    acceptPackets: n(r[3]!),
    rejectBytes: n(r[4]!),
    rejectPackets: n(r[5]!),
    records: n(r[6]!),
  };
}

const QUINTUPLE_COLUMNS = 'srcaddr, srcport, dstaddr, dstport, protocol';
const QUINTUPLE_SUMS = `coalesce(sum(bytes), 0) AS b, coalesce(sum(packets), 0), count(*),
  coalesce(sum(bytes) FILTER (action = 'REJECT'), 0), coalesce(sum(packets) FILTER (action = 'REJECT'), 0)`;
const QUINTUPLE_COMPLETE =
  'srcaddr IS NOT NULL AND srcport IS NOT NULL AND dstaddr IS NOT NULL AND dstport IS NOT NULL AND protocol IS NOT NULL';

const REGION_SUMS = `coalesce(sum(bytes) FILTER (action = 'ACCEPT'), 0), coalesce(sum(packets) FILTER (action = 'ACCEPT'), 0),
  coalesce(sum(bytes) FILTER (action = 'REJECT'), 0), coalesce(sum(packets) FILTER (action = 'REJECT'), 0),
  count(*), coalesce(sum(bytes), 0) AS total`;

function checkTopN(topN: number): void {
  if (!Number.isSafeInteger(topN) || topN < 1 || topN > 1000) {
    throw new StoreQueryError('topN must be an integer in [1, 1000]');
  }
}

/** Top quintuples by bytes of the traffic in [fromMs, toMs); ties by the quintuple's fields. */
export async function topQuintuples(
  use: WithConnection,
  topicId: string,
  fromMs: number,
  toMs: number,
  topN: number,
  where?: SqlFilter | null,
): Promise<TopQuintuple[]> {
  checkTopN(topN);
  const [base, params] = baseWhere(topicId, fromMs, toMs, where);
  const r = await use((con) =>
    rows(
      con,
      `SELECT ${QUINTUPLE_COLUMNS}, ${QUINTUPLE_SUMS} FROM records
       WHERE ${base} AND ${TRAFFIC} AND ${QUINTUPLE_COMPLETE}
       GROUP BY ALL ORDER BY b DESC, ${QUINTUPLE_COLUMNS} LIMIT ?`,
      [...params, topN],
    ),
  );
  return r.map(quintuple);
}

export async function aggregate(use: WithConnection, q: AggregateQuery): Promise<AggregateResult> {
  checkStep(q.stepMs);
  const topN = q.topN ?? 20;
  checkTopN(topN);
  const [base, params] = baseWhere(q.topicId, q.fromMs, q.toMs, q.where);
  const [series, byProtocol, top, pairs] = await Promise.all([
    use((con) =>
      rows(
        con,
        `SELECT window_start // ? * ? AS t, ${SUMS}, count(DISTINCT window_start)
         FROM records WHERE ${base} AND ${TRAFFIC} GROUP BY t ORDER BY t`,
        [q.stepMs, q.stepMs, ...params],
      ),
    ),
    use((con) =>
      rows(
        con,
        `SELECT protocol, coalesce(sum(bytes), 0) AS b, coalesce(sum(packets), 0), count(*)
         FROM records WHERE ${base} AND ${TRAFFIC} AND protocol IS NOT NULL
         GROUP BY protocol ORDER BY b DESC, protocol`,
        params,
      ),
    ),
    topQuintuples(use, q.topicId, q.fromMs, q.toMs, topN, q.where),
    use((con) =>
      rows(
        con,
        `SELECT src_region, dst_region, ${REGION_SUMS} FROM records
         WHERE ${base} AND ${TRAFFIC} AND src_region IS NOT NULL AND dst_region IS NOT NULL
         GROUP BY ALL ORDER BY total DESC, src_region, dst_region`,
        params,
      ),
    ),
  ]);
  const points = series.map(seriesPoint);
  const accept: Totals = { bytes: 0, packets: 0, records: 0 };
  const reject: Totals = { bytes: 0, packets: 0, records: 0 };
  for (const p of points) {
    accept.bytes += p.acceptBytes;
    accept.packets += p.acceptPackets;
    accept.records += p.acceptRecords;
    reject.bytes += p.rejectBytes;
    reject.packets += p.rejectPackets;
    reject.records += p.rejectRecords;
  }
  return {
    series: points,
    accept,
    reject,
    byProtocol: byProtocol.map(protocolTotals),
    top,
    regionPairs: pairs.map(regionPair),
  };
}

/**
 * The aggregate of one window computed from its raw records, as the window aggregator computes it
 * (same inclusion rules, sort orders and tie-breaks); exact, so topTruncated is false.
 */
export async function recomputeWindow(
  use: WithConnection,
  topicId: string,
  windowStart: number,
  topN: number,
): Promise<RecomputedWindow> {
  checkTopN(topN);
  if (!Number.isSafeInteger(windowStart) || windowStart % WINDOW_MS !== 0) {
    throw new StoreQueryError('windowStart must be a multiple of 60000');
  }
  const base = 'topic = ? AND window_start = ? AND start_s IS NOT NULL';
  const p: Param[] = [topicId, windowStart];
  const [totals, byProtocol, top, pairs, streams] = await Promise.all([
    use((con) => rows(con, `SELECT ${SUMS} FROM records WHERE ${base} AND ${TRAFFIC}`, p)),
    use((con) =>
      rows(
        con,
        `SELECT protocol, coalesce(sum(bytes), 0) AS b, coalesce(sum(packets), 0), count(*)
         FROM records WHERE ${base} AND ${TRAFFIC} AND protocol IS NOT NULL
         GROUP BY protocol ORDER BY b DESC, protocol`,
        p,
      ),
    ),
    // Ties by the aggregator's key text `srcaddr|srcport|dstaddr|dstport|protocol`.
    use((con) =>
      rows(
        con,
        `SELECT ${QUINTUPLE_COLUMNS}, ${QUINTUPLE_SUMS} FROM records
         WHERE ${base} AND ${TRAFFIC} AND ${QUINTUPLE_COMPLETE}
         GROUP BY ${QUINTUPLE_COLUMNS} ORDER BY b DESC, concat_ws('|', ${QUINTUPLE_COLUMNS}) LIMIT ?`,
        [...p, topN],
      ),
    ),
    use((con) =>
      rows(
        con,
        `SELECT src_region, dst_region, ${REGION_SUMS} FROM records
         WHERE ${base} AND ${TRAFFIC} AND src_region IS NOT NULL AND dst_region IS NOT NULL
         GROUP BY ALL ORDER BY total DESC, src_region, dst_region`,
        p,
      ),
    ),
    use((con) =>
      rows(
        con,
        `SELECT stream, count(*) FILTER (${TRAFFIC}) AS ok,
           count(*) FILTER (log_status = 'NODATA') AS nodata,
           count(*) FILTER (log_status = 'SKIPDATA') AS skipdata
         FROM records WHERE ${base} GROUP BY stream
         HAVING ok + nodata + skipdata > 0 ORDER BY stream`,
        p,
      ),
    ),
  ]);
  const t = totals[0]!;
  const accept: Totals = { bytes: n(t[0]!), packets: n(t[1]!), records: n(t[2]!) };
  const reject: Totals = { bytes: n(t[3]!), packets: n(t[4]!), records: n(t[5]!) };
  const topList = top.map(quintuple);
  const topOther: Totals = {
    bytes: accept.bytes + reject.bytes,
    packets: accept.packets + reject.packets,
    records: accept.records + reject.records,
  };
  for (const x of topList) {
    topOther.bytes -= x.bytes;
    topOther.packets -= x.packets;
    topOther.records -= x.records;
  }
  return {
    topicId,
    windowStart,
    accept,
    reject,
    byProtocol: byProtocol.map(protocolTotals),
    top: topList,
    topOther,
    topTruncated: false,
    regionPairs: pairs.map(regionPair),
    streams: streams.map(
      (r): StreamStatus => ({
        streamId: String(r[0]),
        ok: n(r[1]!),
        nodata: n(r[2]!),
        skipdata: n(r[3]!),
      }),
    ),
  };
}

export async function lastWindows(use: WithConnection): Promise<StreamPosition[]> {
  const r = await use((con) =>
    rows(con, 'SELECT topic, stream, last_window_start FROM streams ORDER BY topic, stream', []),
  );
  return r.map((x) => ({ topicId: String(x[0]), streamId: String(x[1]), windowStart: n(x[2]!) }));
}
