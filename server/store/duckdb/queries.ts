// Worker side: the store's reads as SQL. Every statement is parameterized; the caller's filter (a
// query AST) is compiled to a `?` expression spliced in with its parameters in textual order.
import type { DuckDBConnection, DuckDBListValue, DuckDBValue } from '@duckdb/node-api';
import type {
  ProtocolTotals,
  RegionPairTotals,
  StreamStatus,
  Totals,
  TopQuintuple,
  WindowAggregate,
} from '../../../shared/events.ts';
import type { Action, FlowRecord, FormatKind, LogStatus } from '../../../shared/record.ts';
import { addressHash, quintupleHash } from './qhash.ts';
import { COMPLETE_QUINTUPLE, TRAFFIC, type RollupView } from './rollup.ts';
import { HOUR_MS } from './schema.ts';
import { isSortField, type SortField } from '../../../shared/api.ts';
import { CAPTURE_WINDOWS, isCaptureWindow, MIN_WINDOW_MS } from '../../../shared/capture-window.ts';
import { RECORD_FIELDS } from '../../../shared/fields.ts';
import { compileQuery, type CompiledQuery } from './compile.ts';
import { rollupSafe, type Filter } from '../filter.ts';
import { recomputedWindow, seriesTotals } from '../results.ts';
import {
  checkRange,
  checkSourcePorts,
  checkStep,
  checkTopN,
  decodeCursor,
  encodeCursor,
  NULL_KEY,
  sortValue,
  StoreQueryError,
} from '../paging.ts';

export { StoreQueryError };
import {
  type AggregateQuery,
  type AggregateResult,
  type RecomputedWindow,
  type RecordPage,
  type RecordQuery,
  type SeriesPoint,
  type SourcePorts,
  type SourcePortsQuery,
  type StoredRecord,
  type StreamPosition,
} from '../types.ts';

/** Runs `fn` on a connection of the read pool. */
export type WithConnection = <T>(fn: (con: DuckDBConnection) => Promise<T>) => Promise<T>;

export interface ReadContext {
  use: WithConnection;
  /** Rolled hours; null until the worker has checked them (then every read is raw). */
  rollups: RollupView | null;
}

type Param = string | number | bigint | null;

/** Sort value of NULL: below every stored value. */

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

/** `window_start >= ? AND window_start < ? [AND topic = ?] [AND (filter)]` and its parameters. */
function baseWhere(
  topicId: string | undefined,
  fromMs: number,
  toMs: number,
  where: Filter | undefined,
): [string, Param[]] {
  checkRange(fromMs, toMs);
  let sql = 'window_start >= ? AND window_start < ?';
  const params: Param[] = [fromMs, toMs];
  if (topicId !== undefined) {
    sql += ' AND topic = ?';
    params.push(topicId);
  }
  const [f, fp] = filterSql(where);
  return [sql + f, [...params, ...fp]];
}

// ---------------------------------------------------------------------------------------------
// Rollup planning: rolled hours are read from the rollups, the rest of the range from records.

interface Coverage {
  /** Predicate on rollup_dims / rollup_top: the valid hours used. */
  rolled: { sql: string; params: Param[] } | null;
  /** Predicate on records: [from, to) (and the topic) minus the rolled hours. */
  raw: { sql: string; params: Param[] } | null;
  /** The rolled hours per topic. */
  hours: Map<string, number[]>;
}

/** Disjoint [a, b) runs of consecutive hours. */
function runs(hours: readonly number[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const h of hours) {
    const last = out[out.length - 1];
    if (last && last[1] === h) last[1] = h + HOUR_MS;
    else out.push([h, h + HOUR_MS]);
  }
  return out;
}

/** [from, to) minus the runs. */
function complement(
  from: number,
  to: number,
  covered: Array<[number, number]>,
): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let at = from;
  for (const [a, b] of covered) {
    if (a > at) out.push([at, a]);
    at = Math.max(at, b);
  }
  if (at < to) out.push([at, to]);
  return out;
}

function rangesSql(col: string, ranges: Array<[number, number]>, params: Param[]): string {
  const parts = ranges.map(([a, b]) => {
    params.push(a, b);
    return `(${col} >= ? AND ${col} < ?)`;
  });
  return parts.length === 1 ? parts[0]! : `(${parts.join(' OR ')})`;
}

function coverage(
  view: RollupView | null,
  topicId: string | undefined,
  fromMs: number,
  toMs: number,
): Coverage {
  checkRange(fromMs, toMs);
  let from = fromMs;
  let to = toMs;
  if (view !== null) {
    // Once checked, the rollups know every hour that holds records: nothing outside needs reading
    // (and an empty leading range would keep zonemaps from pruning the rest).
    const e = view.extent(topicId);
    if (e === null) return { rolled: null, raw: null, hours: new Map() };
    from = Math.max(from, e[0]);
    to = Math.min(to, e[1]);
    if (from >= to) return { rolled: null, raw: null, hours: new Map() };
  }
  const hours = new Map<string, number[]>();
  const known = view === null ? [] : topicId !== undefined ? [topicId] : view.topics();
  for (const t of known) {
    const h = view!.validHours(t, from, to);
    if (h.length > 0) hours.set(t, h);
  }
  if (hours.size === 0) {
    const params: Param[] = [from, to];
    let sql = 'window_start >= ? AND window_start < ?';
    if (topicId !== undefined) {
      sql += ' AND topic = ?';
      params.push(topicId);
    }
    return { rolled: null, raw: { sql, params }, hours };
  }
  const rolledParams: Param[] = [];
  const rolledParts: string[] = [];
  const rawParams: Param[] = [];
  const rawParts: string[] = [];
  const envelope: Array<[number, number]> = [];
  for (const [t, h] of hours) {
    const r = runs(h);
    rolledParams.push(t);
    rolledParts.push(`(topic = ? AND ${rangesSql('hour_start', r, rolledParams)})`);
    const rest = complement(from, to, r);
    if (rest.length > 0) {
      rawParams.push(t);
      rawParts.push(`(topic = ? AND ${rangesSql('window_start', rest, rawParams)})`);
      envelope.push(...rest);
    }
  }
  if (topicId === undefined) {
    // Topics with records but no rolled hour in the range are read whole.
    const others = view!.allTopics().filter((t) => !hours.has(t));
    if (others.length > 0) {
      rawParams.push(...others);
      rawParts.push(`(topic IN (${others.map(() => '?').join(', ')}))`);
      envelope.push([from, to]);
    }
  }
  let raw: Coverage['raw'] = null;
  if (rawParts.length > 0) {
    envelope.sort((a, b) => a[0] - b[0]);
    const merged: Array<[number, number]> = [];
    for (const [a, b] of envelope) {
      const last = merged[merged.length - 1];
      if (last && a <= last[1]) last[1] = Math.max(last[1], b);
      else merged.push([a, b]);
    }
    const params: Param[] = [];
    const env = rangesSql('window_start', merged, params);
    raw = { sql: `${env} AND (${rawParts.join(' OR ')})`, params: [...params, ...rawParams] };
  }
  return {
    rolled: { sql: `(${rolledParts.join(' OR ')})`, params: rolledParams },
    raw,
    hours,
  };
}

/** ` AND (filter)` in DuckDB SQL and its parameters; nothing for every record. */
function filterSql(where: Filter | undefined): [string, Param[]] {
  if (!where) return ['', []];
  let compiled: CompiledQuery;
  try {
    compiled = compileQuery(where);
  } catch (err) {
    // Only an AST parseQuery cannot produce gets here: the caller's error, not the database's.
    throw new StoreQueryError(`bad filter: ${(err as Error).message}`);
  }
  return [` AND (${compiled.sql})`, [...compiled.params]];
}

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
    extra:
      extra === null || extra === undefined
        ? null
        : (JSON.parse(String(extra)) as FlowRecord['extra']),
  };
}

/** The column of a sort field (shared/fields.ts); NULL sorts as the smallest value. */
function sortKey(field: SortField): string {
  const info = RECORD_FIELDS.get(field)!;
  return info.key === 'stored' ? info.column! : `coalesce(${info.column!}, ${NULL_KEY})`;
}

export async function queryRecords(ctx: ReadContext, q: RecordQuery): Promise<RecordPage> {
  const field = q.order?.field ?? 'window';
  const dir = q.order?.dir ?? 'desc';
  if (!isSortField(field)) {
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
  const cursor = q.cursor ? decodeCursor(q.cursor, field, dir) : null;
  if (cursor) {
    if (field === 'seq') {
      pageSql += ` AND seq ${op} ?`;
      pageParams.push(cursor.seq);
    } else {
      pageSql += ` AND (${key} ${op} ? OR (${key} = ? AND seq ${op} ?))`;
      pageParams.push(cursor.key, cursor.key, cursor.seq);
    }
  }
  const order = field === 'seq' ? `seq ${dir}` : `${key} ${dir}, seq ${dir}`;
  const page = async (cut: number | null) => {
    let sql = pageSql;
    const params = [...pageParams];
    if (cut !== null) {
      sql += ` AND window_start ${dir === 'desc' ? '>=' : '<='} ?`;
      params.push(cut);
    }
    params.push(q.limit + 1);
    return ctx.use((con) =>
      rows(
        con,
        `SELECT ${RECORD_SELECT} FROM records WHERE ${sql} ORDER BY ${order} LIMIT ?`,
        params,
      ),
    );
  };
  let rowsOut: DuckDBValue[][];
  let sums: { records: number; bytes: number; packets: number };
  if (field === 'window' && ctx.rollups !== null && rollupSafe(q.where)) {
    // Matches per rolled window tell how far back (or forward) the page can reach.
    const t = await totals(ctx, q.topicId, q.fromMs, q.toMs, q.where, true);
    sums = t;
    let cut: number | null = null;
    let seen = 0;
    const windows = [...t.windows].sort((a, b) => (dir === 'desc' ? b[0] - a[0] : a[0] - b[0]));
    for (const [w, count] of windows) {
      if (cursor && (dir === 'desc' ? w >= cursor.key : w <= cursor.key)) continue;
      seen += count;
      if (seen > q.limit) {
        cut = w;
        break;
      }
    }
    rowsOut = await page(cut);
  } else {
    [rowsOut, sums] = await Promise.all([
      page(null),
      totals(ctx, q.topicId, q.fromMs, q.toMs, q.where),
    ]);
  }
  const records = rowsOut.slice(0, q.limit).map(toStored);
  const last = records[records.length - 1];
  const next =
    rowsOut.length > q.limit && last !== undefined
      ? encodeCursor(field, dir, sortValue(last, field), last.seq)
      : null;
  return { records, total: sums.records, sum: { bytes: sums.bytes, packets: sums.packets }, next };
}

/**
 * Count and sums of the records matching; rolled hours from rollup_dims when the filter allows.
 * With `perWindow`, also the matches per rolled window (from the same scan).
 */
async function totals(
  ctx: ReadContext,
  topicId: string | undefined,
  from: number,
  to: number,
  where: Filter | undefined,
  perWindow = false,
): Promise<{ records: number; bytes: number; packets: number; windows: Array<[number, number]> }> {
  const cov = coverage(rollupSafe(where) ? ctx.rollups : null, topicId, from, to);
  if (cov.rolled) ctx.rollups?.used('dims');
  const [f, fp] = filterSql(where);
  const out = { records: 0, bytes: 0, packets: 0, windows: [] as Array<[number, number]> };
  await Promise.all([
    cov.rolled
      ? ctx
          .use((con) =>
            rows(
              con,
              `SELECT ${perWindow ? 'window_start' : '0'}, sum(records), sum(bytes), sum(packets)
               FROM rollup_dims WHERE ${cov.rolled!.sql} AND window_start >= ? AND window_start < ?${f}
               ${perWindow ? 'GROUP BY window_start' : ''}`,
              [...cov.rolled!.params, from, to, ...fp],
            ),
          )
          .then((r) => {
            for (const x of r) {
              if (x[1] === null) continue;
              out.records += n(x[1]!);
              out.bytes += n(x[2]!);
              out.packets += n(x[3]!);
              if (perWindow) out.windows.push([n(x[0]!), n(x[1]!)]);
            }
          })
      : null,
    cov.raw
      ? ctx
          .use((con) =>
            rows(
              con,
              `SELECT count(*), coalesce(sum(bytes), 0), coalesce(sum(packets), 0) FROM records
               WHERE ${cov.raw!.sql}${f}`,
              [...cov.raw!.params, ...fp],
            ),
          )
          .then((r) => {
            out.records += n(r[0]![0]!);
            out.bytes += n(r[0]![1]!);
            out.packets += n(r[0]![2]!);
          })
      : null,
  ]);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Windows

export async function loadWindows(
  { use }: ReadContext,
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
  return r.map((x) => windowFromDisk(JSON.parse(String(x[0])) as StoredAggregate));
}

/** An aggregate as stored: windows written before capture windows had lengths were 1 minute. */
type StoredAggregate = Omit<WindowAggregate, 'windowMs'> & { windowMs?: number };

function windowFromDisk(a: StoredAggregate): WindowAggregate {
  return a.windowMs === undefined ? { ...a, windowMs: MIN_WINDOW_MS } : (a as WindowAggregate);
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
  { use }: ReadContext,
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
const QUINTUPLE_COMPLETE = COMPLETE_QUINTUPLE;

const REGION_SUMS = `coalesce(sum(bytes) FILTER (action = 'ACCEPT'), 0), coalesce(sum(packets) FILTER (action = 'ACCEPT'), 0),
  coalesce(sum(bytes) FILTER (action = 'REJECT'), 0), coalesce(sum(packets) FILTER (action = 'REJECT'), 0),
  count(*), coalesce(sum(bytes), 0) AS total`;

/** Top quintuples by bytes of the traffic in [fromMs, toMs); ties by the quintuple's fields. */
export async function topQuintuples(
  ctx: ReadContext,
  topicId: string,
  fromMs: number,
  toMs: number,
  topN: number,
  where?: Filter,
): Promise<TopQuintuple[]> {
  checkTopN(topN);
  const [f] = filterSql(where);
  if (f === '' && ctx.rollups !== null) {
    const fast = await topFromRollups(ctx, topicId, fromMs, toMs, topN);
    if (fast !== null) return fast;
  }
  const [base, params] = baseWhere(topicId, fromMs, toMs, where);
  const r = await ctx.use((con) =>
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

/** Sources' distinct destination ports per window (the most first; ties by window, address). */
export async function sourcePorts(ctx: ReadContext, q: SourcePortsQuery): Promise<SourcePorts[]> {
  checkSourcePorts(q.minPorts, q.limit);
  const [base, params] = baseWhere(q.topicId, q.fromMs, q.toMs, q.where);
  const list = q.lists ? ', list_sort(list(DISTINCT dstport))' : '';
  const r = await ctx.use((con) =>
    rows(
      con,
      `SELECT window_start, srcaddr, count(DISTINCT dstport) AS ports${list} FROM records
       WHERE ${base} AND ${TRAFFIC} AND srcaddr IS NOT NULL AND dstport IS NOT NULL
       GROUP BY window_start, srcaddr HAVING count(DISTINCT dstport) >= ?
       ORDER BY ports DESC, window_start, srcaddr LIMIT ?`,
      [...params, q.minPorts, q.limit],
    ),
  );
  return r.map((row) => ({
    windowStart: n(row[0]!),
    srcaddr: String(row[1]),
    ports: n(row[2]!),
    ...(q.lists ? { list: (row[3] as DuckDBListValue).items.map((v) => n(v)) } : {}),
  }));
}

/**
 * Exact top-N from the hourly rollups (threshold algorithm); null when the bounds cannot certify
 * the result (the caller then groups the raw records).
 *
 * Every quintuple's bytes in a rolled hour are known when it is in the hour's top, and at most the
 * hour's bound otherwise; the raw part of the range (hours not rolled) counts as one more hour,
 * grouped now. L0, the N-th largest of the known parts, is at most the N-th largest true total.
 * A quintuple in no top has at most U0 = the sum of all bounds: if U0 >= L0 nothing can be
 * excluded (null). Otherwise every quintuple whose upper bound reaches L0 is summed exactly from
 * the records (found by qhash, kept by full key), and their N largest are the answer.
 */
async function topFromRollups(
  ctx: ReadContext,
  topicId: string,
  from: number,
  to: number,
  topN: number,
): Promise<TopQuintuple[] | null> {
  const cov = coverage(ctx.rollups, topicId, from, to);
  const hours = cov.hours.get(topicId);
  if (!cov.rolled || !hours) return null;
  const view = ctx.rollups!;
  let u0 = 0;
  for (const h of hours) u0 += view.bound(topicId, h);

  // One statement: the rollups' candidates, the raw part of the range (its topK largest, and the
  // (topK+1)-th as its bound), each candidate's known part and upper bound, and L0. Only the
  // candidates reaching L0 come back.
  const rolled = cov.rolled.sql.replace(/\b(topic|hour_start)\b/g, 't.$1');
  const params: Param[] = [...cov.rolled.params];
  let rawCte = `rawg AS (SELECT NULL::VARCHAR AS srcaddr, NULL::INTEGER AS srcport,
    NULL::VARCHAR AS dstaddr, NULL::INTEGER AS dstport, NULL::INTEGER AS protocol,
    NULL::BIGINT AS rb WHERE FALSE)`;
  if (cov.raw) {
    rawCte = `rawg AS MATERIALIZED (
      SELECT ${QUINTUPLE_COLUMNS}, coalesce(sum(bytes), 0) AS rb FROM records
      WHERE ${cov.raw.sql} AND ${TRAFFIC} AND ${QUINTUPLE_COMPLETE} GROUP BY ${QUINTUPLE_COLUMNS})`;
    params.push(...cov.raw.params);
  }
  const picked = await ctx.use((con) =>
    rows(
      con,
      `WITH roll AS (
         SELECT t.srcaddr, t.srcport, t.dstaddr, t.dstport, t.protocol,
           sum(t.bytes) AS known, sum(h.top_bound) AS present
         FROM rollup_top t JOIN rollup_hours h ON h.topic = t.topic AND h.hour_start = t.hour_start
         WHERE ${rolled} GROUP BY ALL),
       ${rawCte},
       raw AS (SELECT * FROM rawg ORDER BY rb DESC LIMIT ${view.topK}),
       rb AS (SELECT coalesce((SELECT rb FROM rawg ORDER BY rb DESC LIMIT 1 OFFSET ${view.topK}), 0) AS raw_bound),
       c AS MATERIALIZED (
         SELECT ${QUINTUPLE_COLUMNS}, coalesce(known, 0) + coalesce(raw.rb, 0) AS low,
           coalesce(known, 0) + coalesce(raw.rb, 0) + (${u0} - coalesce(present, 0)) AS high,
           raw.rb IS NULL AS no_raw
         FROM roll FULL OUTER JOIN raw USING (${QUINTUPLE_COLUMNS})),
       l AS (SELECT low AS l0 FROM c ORDER BY low DESC LIMIT 1 OFFSET ${topN - 1})
       SELECT ${QUINTUPLE_COLUMNS}, l0, raw_bound FROM c, l, rb
       WHERE high + CASE WHEN no_raw THEN raw_bound ELSE 0 END >= l0`,
      params,
    ),
  );
  if (picked.length === 0) return null;
  const l0 = n(picked[0]![5]!);
  if (u0 + n(picked[0]![6]!) >= l0) return null;
  // Exact totals of the survivors: every record with one of their hashes, grouped by full key;
  // other keys sharing a hash are dropped here, in DuckDB's order.
  const keys = picked.map(
    (r) => [String(r[0]), n(r[1]!), String(r[2]), n(r[3]!), n(r[4]!)] as const,
  );
  const wanted = new Set(keys.map((k) => k.join('\u0000')));
  const hashes = [
    ...new Set(
      keys.map((k) => quintupleHash(addressHash(k[0]), k[1], addressHash(k[2]), k[3], k[4])),
    ),
  ];
  view.used('top');
  // The hash filter first (one integer column), then the rest on the few rows it keeps.
  const r = await ctx.use((con) =>
    rows(
      con,
      `WITH m AS MATERIALIZED (
         SELECT topic, start_s, action, log_status, ${QUINTUPLE_COLUMNS}, bytes, packets FROM records
         WHERE window_start >= ? AND window_start < ? AND qhash IN (${hashes.join(', ')}))
       SELECT ${QUINTUPLE_COLUMNS}, ${QUINTUPLE_SUMS} FROM m
       WHERE topic = ? AND ${TRAFFIC} AND ${QUINTUPLE_COMPLETE}
       GROUP BY ${QUINTUPLE_COLUMNS} ORDER BY b DESC, ${QUINTUPLE_COLUMNS}`,
      [from, to, topicId],
    ),
  );
  return r
    .filter((x) =>
      wanted.has([String(x[0]), n(x[1]!), String(x[2]), n(x[3]!), n(x[4]!)].join('\u0000')),
    )
    .slice(0, topN)
    .map(quintuple);
}

/** Traffic rows of rollup_dims (same rules as TRAFFIC on records). */
const DIMS_TRAFFIC =
  "has_start AND action IS NOT NULL AND (log_status IS NULL OR log_status = 'OK')";

export async function aggregate(ctx: ReadContext, q: AggregateQuery): Promise<AggregateResult> {
  checkStep(q.stepMs);
  const topN = q.topN ?? 20;
  checkTopN(topN);
  const cov = coverage(rollupSafe(q.where) ? ctx.rollups : null, q.topicId, q.fromMs, q.toMs);
  if (cov.rolled) ctx.rollups?.used('dims');
  const [f, fp] = filterSql(q.where);
  // The traffic rows, one union of rollup rows (records = their count) and raw rows (records = 1).
  const parts: string[] = [];
  const params: Param[] = [];
  const cols = 'window_start, protocol, action, src_region, dst_region';
  if (cov.rolled) {
    parts.push(
      `SELECT ${cols}, bytes, packets, records FROM rollup_dims
       WHERE ${cov.rolled.sql} AND window_start >= ? AND window_start < ? AND ${DIMS_TRAFFIC}${f}`,
    );
    params.push(...cov.rolled.params, q.fromMs, q.toMs, ...fp);
  }
  if (cov.raw) {
    parts.push(
      `SELECT ${cols}, coalesce(bytes, 0) AS bytes, coalesce(packets, 0) AS packets, 1 AS records
       FROM records WHERE ${cov.raw.sql} AND ${TRAFFIC}${f}`,
    );
    params.push(...cov.raw.params, ...fp);
  }
  if (parts.length === 0) {
    return {
      series: [],
      accept: { bytes: 0, packets: 0, records: 0 },
      reject: { bytes: 0, packets: 0, records: 0 },
      byProtocol: [],
      top: [],
      regionPairs: [],
    };
  }
  const traffic = `(${parts.join(' UNION ALL ')})`;
  const acc = (x: string) => `coalesce(sum(${x}) FILTER (action = 'ACCEPT'), 0)`;
  const rej = (x: string) => `coalesce(sum(${x}) FILTER (action = 'REJECT'), 0)`;
  const [series, byProtocol, top, pairs] = await Promise.all([
    ctx.use((con) =>
      rows(
        con,
        `SELECT window_start // ? * ? AS t, ${acc('bytes')}, ${acc('packets')}, ${acc('records')},
           ${rej('bytes')}, ${rej('packets')}, ${rej('records')}, count(DISTINCT window_start)
         FROM ${traffic} GROUP BY t ORDER BY t`,
        [q.stepMs, q.stepMs, ...params],
      ),
    ),
    ctx.use((con) =>
      rows(
        con,
        `SELECT protocol, sum(bytes) AS b, sum(packets), sum(records)
         FROM ${traffic} WHERE protocol IS NOT NULL GROUP BY protocol ORDER BY b DESC, protocol`,
        params,
      ),
    ),
    topQuintuples(ctx, q.topicId, q.fromMs, q.toMs, topN, q.where),
    ctx.use((con) =>
      rows(
        con,
        `SELECT src_region, dst_region, ${acc('bytes')}, ${acc('packets')}, ${rej('bytes')}, ${rej('packets')},
           sum(records), sum(bytes) AS total
         FROM ${traffic} WHERE src_region IS NOT NULL AND dst_region IS NOT NULL
         GROUP BY ALL ORDER BY total DESC, src_region, dst_region`,
        params,
      ),
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

/**
 * The aggregate of one window computed from its raw records, as the window aggregator computes it
 * (same inclusion rules, sort orders and tie-breaks); exact, so topTruncated is false.
 */
export async function recomputeWindow(
  { use }: ReadContext,
  topicId: string,
  windowStart: number,
  windowMs: number,
  topN: number,
): Promise<RecomputedWindow> {
  checkTopN(topN);
  if (!isCaptureWindow(windowMs / 1000)) {
    throw new StoreQueryError(
      `windowMs must be one of ${CAPTURE_WINDOWS.map((s) => s * 1000).join(', ')}`,
    );
  }
  if (!Number.isSafeInteger(windowStart) || windowStart % windowMs !== 0) {
    throw new StoreQueryError(`windowStart must be a multiple of ${windowMs}`);
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
      streamId: String(r[0]),
      ok: n(r[1]!),
      nodata: n(r[2]!),
      skipdata: n(r[3]!),
    })),
  });
}

export async function lastWindows({ use }: ReadContext): Promise<StreamPosition[]> {
  const r = await use((con) =>
    rows(con, 'SELECT topic, stream, last_window_start FROM streams ORDER BY topic, stream', []),
  );
  return r.map((x) => ({ topicId: String(x[0]), streamId: String(x[1]), windowStart: n(x[2]!) }));
}
