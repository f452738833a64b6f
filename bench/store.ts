// The embedded store: sustained ingest through write() -> worker -> appender, then query
// latencies on a generated store of 100 M records (FLOWDECK_BENCH_RECORDS overrides). The big
// store is generated inside DuckDB with SQL (7 days, the default catalog's 4 topics and 15 streams
// with the simulator's per-stream shares, a few thousand hosts, skewed service ports, ephemeral
// client ports, lognormal sizes with elephants, a daily shape), in window_start order as a live
// store receives it. Progress goes to stderr. Run alone: node --import tsx bench/store.ts
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  BIGINT,
  DuckDBInstance,
  DuckDBScalarFunction,
  INTEGER,
  UINTEGER,
  type DuckDBConnection,
} from '@duckdb/node-api';
import { parseQuery, type QueryNode } from '../shared/query/index.ts';
import type { FlowRecord } from '../shared/record.ts';
import type { Catalog } from '../server/catalog/catalog.ts';
import { createCatalog } from '../server/catalog/catalog.ts';
import { DEFAULT_CCN_REGIONS, defaultLogsets } from '../server/catalog/default-catalog.ts';
import { systemClock } from '../server/clock.ts';
import {
  CREATE_OPTIONS,
  META_SEQ,
  META_VERSION,
  SCHEMA_SQL,
  SCHEMA_VERSION,
} from '../server/store/duckdb/schema.ts';
import { addressWordsHash, quintupleHash } from '../server/store/duckdb/qhash.ts';
import { defaultStoreConfig, openStore, type Store } from '../server/store/store.ts';
import { printTable, type BenchRow } from './table.ts';
import { simulatedBatches } from '../test/helpers/simulated.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const INGEST_RECORDS = 5_000_000;
const RUNS = 7;

const log = (msg: string) => process.stderr.write(`[bench store] ${msg}\n`);
export const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/**
 * Environment: FLOWDECK_BENCH_RECORDS (size of the generated store), FLOWDECK_BENCH_STORE (a
 * directory: the generated store is kept there, and reused when it already holds one),
 * FLOWDECK_BENCH_ONLY=ingest|queries.
 */
export async function benchStore(opts: { records?: number } = {}): Promise<BenchRow[]> {
  const records = opts.records ?? Number(process.env.FLOWDECK_BENCH_RECORDS ?? 100_000_000);
  const only = process.env.FLOWDECK_BENCH_ONLY;
  const rows: BenchRow[] = [];
  if (only !== 'queries') rows.push(...(await benchIngest(Math.min(INGEST_RECORDS, records))));
  if (only !== 'ingest') {
    rows.push(...(await benchQueries(records, process.env.FLOWDECK_BENCH_STORE)));
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Ingest

export interface StreamBatch {
  topicId: string;
  streamId: string;
  records: FlowRecord[];
}

/** What the simulator writes for `windows` windows from `from` on, per (topic, stream) and window. */
export function simulate(catalog: Catalog, from: number, windows: number): StreamBatch[] {
  return simulatedBatches(catalog, from, windows, 7);
}

async function benchIngest(total: number): Promise<BenchRow[]> {
  const catalog = createCatalog(defaultLogsets());
  const poolWindows = 30;
  const from = Date.UTC(2025, 0, 15, 6, 0, 0);
  log(`ingest: simulating ${poolWindows} windows of the default catalog`);
  const pool = simulate(catalog, from, poolWindows);
  const poolRecords = pool.reduce((s, b) => s + b.records.length, 0);
  const dir = await mkdtemp(join(tmpdir(), 'flowdeck-bench-ingest-'));
  try {
    const config = defaultStoreConfig(dir);
    const store = await openStore(config, { clock: systemClock, warn: log });
    log(
      `ingest: ${total.toLocaleString('en-US')} records (${poolRecords} simulated, replayed later in time)`,
    );
    let appended = 0;
    let mainMs = 0;
    let refused = 0;
    let rep = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    while (appended < total) {
      if (rep > 0) {
        // Replay the pool half an hour later (outside the timed calls).
        for (const b of pool) {
          for (const r of b.records) {
            if (r.start !== null) r.start += poolWindows * 60;
            if (r.end !== null) r.end += poolWindows * 60;
          }
        }
      }
      for (const b of pool) {
        if (appended >= total) break;
        const records =
          appended + b.records.length > total ? b.records.slice(0, total - appended) : b.records;
        // The ingest slows its sources when the store's queue is half full.
        while (store.backlog() > config.maxQueuedRecords / 2) await sleep(2);
        const a = performance.now();
        const ack = store.write({
          streams: [{ topicId: b.topicId, streamId: b.streamId, windowMs: 60_000, records }],
        });
        mainMs += performance.now() - a;
        if (ack) {
          ack.catch(() => {});
          appended += records.length;
        } else refused++;
      }
      rep++;
      await sleep(0);
    }
    await store.flush();
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const m = store.metrics();
    await store.close();
    const fileBytes = (await stat(config.path)).size;
    log(`ingest: ${Math.round(appended / seconds)} records/s, ${m.recordsAppended} committed`);
    return [
      {
        name: 'store ingest: sustained (append -> commit)',
        value: Math.round(appended / seconds),
        unit: 'records/s',
        target: '>= 300,000',
      },
      {
        name: 'store ingest: main-thread write()',
        value: +((mainMs * 1000) / appended).toFixed(3),
        unit: 'µs/record',
        target: '< 1',
      },
      {
        name: 'store ingest: process CPU (all threads)',
        value: +((cpu.user + cpu.system) / appended).toFixed(2),
        unit: 'µs/record',
      },
      { name: 'store ingest: records committed', value: m.recordsAppended, unit: 'records' },
      { name: 'store ingest: refused appends (queue full)', value: refused, unit: 'calls' },
      {
        name: 'store ingest: file size',
        value: +(fileBytes / appended).toFixed(1),
        unit: 'bytes/record',
      },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Generated store

interface GenStream {
  topic: string;
  stream: string;
  kind: 'eni' | 'nat' | 'ccn';
  rejectOnly: boolean;
  weight: number;
  /** ENI: the interface's address; CCN: second octet of its region's 10.x.0.0/16. */
  hostIp: number;
  net: number;
  ccnId: string;
  region: string;
}

/** The catalog's streams with the simulator's record shares (two peak windows). */
function genStreams(): GenStream[] {
  const catalog = createCatalog(defaultLogsets());
  const counts = new Map<string, number>();
  for (const b of simulate(catalog, Date.UTC(2025, 0, 15, 8, 0, 0), 2)) {
    const k = `${b.topicId}\u0000${b.streamId}`;
    counts.set(k, (counts.get(k) ?? 0) + b.records.length);
  }
  const out: GenStream[] = [];
  let eni = 0;
  for (const topic of catalog.topics()) {
    for (const s of topic.streams) {
      const fl = catalog.flowLogOf(topic.id, s.id)!;
      const region = topic.range === 'CCN' ? s.id.slice(fl.resourceId.length + 1) : '';
      out.push({
        topic: topic.id,
        stream: s.id,
        kind: topic.range === 'CCN' ? 'ccn' : topic.range === 'NAT' ? 'nat' : 'eni',
        rejectOnly: fl.collectionType === 'REJECT',
        weight: counts.get(`${topic.id}\u0000${s.id}`) ?? 1,
        hostIp: ((10 * 256 + 0) * 256 + 1) * 256 + 11 + eni++,
        net: Math.max(0, DEFAULT_CCN_REGIONS.indexOf(region)),
        ccnId: fl.resourceId,
        region,
      });
    }
  }
  return out;
}

const sqlList = (xs: ReadonlyArray<string | number | boolean>) =>
  `[${xs.map((x) => (typeof x === 'string' ? `'${x.replace(/'/g, "''")}'` : String(x))).join(', ')}]`;

const CLIENT_OCTETS = [
  36, 39, 42, 58, 59, 60, 61, 101, 106, 110, 111, 112, 113, 114, 115, 116, 117, 119, 120, 121, 122,
  123, 124, 125, 171, 175, 180, 182, 183, 218, 219, 220, 221, 222, 223,
];
const SCANNER_OCTETS = [
  45, 80, 89, 91, 92, 93, 94, 141, 146, 147, 162, 167, 176, 178, 185, 193, 194, 195, 212,
];
const SERVICE_OCTETS = [43, 49, 103, 118, 129, 139, 150, 154, 175, 211, 212, 217];
/** Service ports, their weight (per 100) and median bytes; port 0 is ICMP echo. */
const SERVICES: Array<[port: number, weight: number, median: number]> = [
  [443, 36, 9000],
  [80, 7, 1500],
  [8080, 8, 5000],
  [3306, 8, 4000],
  [6379, 6, 600],
  [53, 12, 130],
  [22, 3, 8000],
  [9092, 4, 30000],
  [123, 2, 76],
  [9100, 5, 12000],
  [0, 4, 84],
  [4500, 2, 60000],
  [23, 1, 60],
  [3389, 2, 60],
];

/** IPv4 (a number) as dotted text, in SQL. */
const dotted = (x: string) =>
  `(${x} // 16777216)::VARCHAR || '.' || ((${x} // 65536) % 256)::VARCHAR || '.' || ((${x} // 256) % 256)::VARCHAR || '.' || (${x} % 256)::VARCHAR`;

/** INSERT of records [lo, hi) of n, spread over [begin, begin + 7 days). */
function generateSql(
  streams: GenStream[],
  n: number,
  lo: number,
  hi: number,
  begin: number,
): string {
  const totalWeight = streams.reduce((s, x) => s + x.weight, 0);
  const pick: number[] = [];
  streams.forEach((s, i) => {
    const k = Math.max(1, Math.round((s.weight / totalWeight) * 1000));
    for (let j = 0; j < k; j++) pick.push(i + 1);
  });
  while (pick.length < 1000) pick.push(1);
  pick.length = 1000;
  const svcPick: number[] = [];
  SERVICES.forEach(([, w], i) => {
    for (let j = 0; j < w; j++) svcPick.push(i + 1);
  });
  const col = <K extends keyof GenStream>(k: K) =>
    sqlList(streams.map((s) => s[k] as string | number | boolean));
  const span = 7 * DAY;
  // Daily shape: density ~ 1 / (1 - A cos(...)), peak at 08:30 UTC (16:30 Beijing), 4:1.
  const A = 0.6;
  const phi = 2 * Math.PI * ((begin % DAY) / DAY) - 2 * Math.PI * (8.5 / 24);
  // Shifted so that the first record is at `begin` and the last at begin + span (span is whole days).
  const shift = ((A * DAY) / (2 * Math.PI)) * Math.sin(phi);
  return `INSERT INTO records BY NAME
WITH b AS (
  SELECT i, hash(i) AS h1, hash(i + 100000000000) AS h2, hash(i + 200000000000) AS h3,
    ${begin} + (floor((${span} * x - ${A} * ${DAY} / (2 * pi()) * sin(2 * pi() * ${span} * x / ${DAY} + ${phi}) + ${shift}) / 60000) * 60000)::BIGINT AS ws
  FROM (SELECT i, (i + 0.5) / ${n} AS x FROM range(${lo}, ${hi}) r(i))
), u AS (
  SELECT i, ws,
    list_element(${sqlList(pick)}, ((h1 & 65535) % 1000)::INTEGER + 1) AS s,
    ((h1 >> 16) & 65535) / 65536.0 AS u_dir,
    ((h1 >> 32) & 65535) / 65536.0 AS u_peer,
    list_element(${sqlList(svcPick)}, (((h1 >> 48) & 65535) % 100)::INTEGER + 1) AS svc_i,
    (h2 & 65535)::INTEGER AS r_eph,
    (((h2 >> 16) & 65535) + 1) / 65537.0 AS u_z1,
    ((h2 >> 32) & 65535) / 65536.0 AS u_z2,
    ((h2 >> 48) & 65535) / 65536.0 AS u_ele,
    (h3 & 65535) / 65536.0 AS u_rej,
    ((h3 >> 16) & 65535) / 65536.0 AS u_nodata,
    ((h3 >> 32) & 65535)::BIGINT AS r_host,
    ((h3 >> 48) & 65535)::BIGINT AS r_reg
  FROM b
), k AS (
  SELECT *,
    list_element(${col('kind')}, s) AS kind,
    list_element(${col('rejectOnly')}, s) AS reject_only,
    list_element(${sqlList(SERVICES.map((x) => x[0]))}, svc_i) AS svc,
    list_element(${sqlList(SERVICES.map((x) => x[2]))}, svc_i) AS median,
    floor(3000 * pow(u_peer, 2.2))::BIGINT AS p_client,
    list_element(${col('net')}::BIGINT[], s) AS net_a,
    (list_element(${col('net')}::BIGINT[], s) + 1 + r_reg % 6) % 7 AS net_b
  FROM u
), e AS (
  SELECT *,
    CASE
      WHEN kind = 'ccn' THEN 167772160 + net_a * 65536 + (1 + r_host % 3) * 256 + 10 + (r_host * 37) % 240
      WHEN kind = 'nat' THEN 167772160 + 2 * 256 + 30 + r_host % 40
      WHEN u_rej < 0.05 THEN list_element(${sqlList(SCANNER_OCTETS)}::BIGINT[], (r_host % 64 % 19)::INTEGER + 1) * 16777216
        + ((r_host % 64) * 53 + 7) % 256 * 65536 + ((r_host % 64) * 29 + 3) % 256 * 256 + 1 + ((r_host % 64) * 11) % 254
      WHEN u_dir >= 0.75 THEN 167772160 + (r_host % 5) * 256 + 2 + (r_host * 7) % 250
      ELSE list_element(${sqlList(CLIENT_OCTETS)}::BIGINT[], (p_client % 35)::INTEGER + 1) * 16777216
        + (p_client * 97 + 13) % 256 * 65536 + (p_client * 31 + 101) % 256 * 256 + 1 + (p_client * 7) % 254
    END AS client,
    CASE
      WHEN kind = 'ccn' THEN 167772160 + net_b * 65536 + (8 + (r_host >> 8) % 2) * 256 + 10 + ((r_host >> 4) * 53) % 240
      WHEN kind = 'nat' THEN list_element(${sqlList(SERVICE_OCTETS)}::BIGINT[], (floor(160 * pow(u_peer, 1.8))::INTEGER % 12) + 1) * 16777216
        + (floor(160 * pow(u_peer, 1.8))::BIGINT * 41 + 5) % 256 * 65536 + (floor(160 * pow(u_peer, 1.8))::BIGINT * 23 + 9) % 256 * 256 + 1 + (floor(160 * pow(u_peer, 1.8))::BIGINT * 13) % 254
      ELSE list_element(${col('hostIp')}::BIGINT[], s)
    END AS server,
    u_dir < 0.5 AS request,
    u_nodata < 0.001 AS nodata,
    reject_only OR (kind <> 'ccn' AND kind <> 'nat' AND u_rej < 0.05) OR u_rej < 0.01 AS rejected,
    CASE WHEN svc IN (53, 123, 4500) THEN 17 WHEN svc = 0 THEN 1 ELSE 6 END AS proto,
    32768 + r_eph % 28232 AS eph,
    CASE WHEN u_ele < 0.002 THEN 20000000 + u_z2 * 380000000
      ELSE exp(ln(median) + 1.3 * sqrt(-2 * ln(u_z1)) * cos(2 * pi() * u_z2)) END AS size
  FROM k
), r AS (
  SELECT *,
    CASE WHEN request THEN client ELSE server END AS src,
    CASE WHEN request THEN server ELSE client END AS dst,
    CASE WHEN proto = 1 THEN 0 WHEN request THEN eph ELSE svc END AS sport,
    CASE WHEN proto = 1 THEN (CASE WHEN request THEN 2048 ELSE 0 END) WHEN request THEN svc ELSE eph END AS dport,
    greatest(40, round(CASE WHEN rejected THEN least(size, 180) ELSE size END))::BIGINT AS nbytes
  FROM e
)
SELECT
  list_element(${col('topic')}, s) AS topic,
  list_element(${col('stream')}, s) AS stream,
  ws AS window_start,
  i + 1 AS seq,
  CASE WHEN kind = 'ccn' THEN '1' ELSE '2' END AS version,
  CASE WHEN kind = 'ccn' THEN NULL ELSE '1300428518' END AS account_id,
  CASE WHEN kind = 'ccn' THEN NULL ELSE list_element(${col('stream')}, s) END AS interface_id,
  CASE WHEN nodata THEN NULL ELSE ${dotted('src')} END AS srcaddr,
  CASE WHEN nodata THEN NULL ELSE ${dotted('dst')} END AS dstaddr,
  CASE WHEN nodata THEN NULL ELSE (281470681743360 + src)::UHUGEINT END AS src_ip,
  CASE WHEN nodata THEN NULL ELSE (281470681743360 + dst)::UHUGEINT END AS dst_ip,
  CASE WHEN nodata OR (kind = 'ccn' AND proto = 1) THEN NULL ELSE sport END AS srcport,
  CASE WHEN nodata OR (kind = 'ccn' AND proto = 1) THEN NULL ELSE dport END AS dstport,
  CASE WHEN nodata THEN NULL ELSE proto END AS protocol,
  CASE WHEN nodata THEN NULL ELSE 1 + nbytes // 1400 + (CASE WHEN proto = 6 THEN 2 ELSE 0 END) END AS packets,
  CASE WHEN nodata THEN NULL ELSE nbytes END AS bytes,
  ws // 1000 AS start_s,
  ws // 1000 + 60 AS end_s,
  CASE WHEN nodata THEN NULL WHEN rejected THEN 'REJECT' ELSE 'ACCEPT' END AS action,
  CASE WHEN nodata THEN 'NODATA' ELSE 'OK' END AS log_status,
  CASE WHEN kind = 'ccn' THEN list_element(${col('ccnId')}, s) END AS ccn_id,
  CASE WHEN kind = 'ccn' AND NOT nodata THEN list_element(${sqlList(DEFAULT_CCN_REGIONS)}, (CASE WHEN request THEN net_a ELSE net_b END)::INTEGER + 1) END AS src_region,
  CASE WHEN kind = 'ccn' AND NOT nodata THEN list_element(${sqlList(DEFAULT_CCN_REGIONS)}, (CASE WHEN request THEN net_b ELSE net_a END)::INTEGER + 1) END AS dst_region,
  CASE WHEN kind = 'ccn' THEN list_element(${col('region')}, s) END AS region_id,
  NULL AS extra,
  CASE WHEN kind = 'ccn' THEN 'ccn' ELSE 'eni' END AS format,
  CASE WHEN nodata THEN ${quintupleHash(0, -1, 0, -1, -1)}
    ELSE flowdeck_qhash(src, CASE WHEN kind = 'ccn' AND proto = 1 THEN -1 ELSE sport END,
      dst, CASE WHEN kind = 'ccn' AND proto = 1 THEN -1 ELSE dport END, proto) END AS qhash
FROM r`;
}

/** records.qhash of the generated rows (IPv4 as numbers): the worker's function, called from SQL. */
function registerQhash(con: DuckDBConnection): void {
  const v4 = (x: number) => addressWordsHash(x >>> 0, 0xffff, 0, 0);
  con.registerScalarFunction(
    DuckDBScalarFunction.create({
      name: 'flowdeck_qhash',
      mainFunction: (_info, input, output) => {
        const cols = [0, 1, 2, 3, 4].map((c) => input.getColumnVector(c));
        for (let i = 0; i < input.rowCount; i++) {
          const v = cols.map((c) => Number(c.getItem(i)));
          output.setItem(i, quintupleHash(v4(v[0]!), v[1]!, v4(v[2]!), v[3]!, v[4]!));
        }
        output.flush();
      },
      returnType: UINTEGER,
      parameterTypes: [BIGINT, INTEGER, BIGINT, INTEGER, INTEGER],
    }),
  );
}

/** The window aggregates of the generated records (top = the window's 20 largest records). */
const WINDOWS_SQL = `INSERT INTO windows BY NAME
WITH p AS (
  SELECT topic, window_start, protocol,
    coalesce(sum(bytes) FILTER (action = 'ACCEPT'), 0) AS ab, coalesce(sum(packets) FILTER (action = 'ACCEPT'), 0) AS ap,
    count(*) FILTER (action = 'ACCEPT') AS ar,
    coalesce(sum(bytes) FILTER (action = 'REJECT'), 0) AS rb, coalesce(sum(packets) FILTER (action = 'REJECT'), 0) AS rp,
    count(*) FILTER (action = 'REJECT') AS rr,
    coalesce(sum(bytes), 0) AS b, coalesce(sum(packets), 0) AS pk, count(*) AS n,
    max_by({'bytes': bytes, 'srcaddr': srcaddr, 'srcport': srcport, 'dstaddr': dstaddr, 'dstport': dstport,
      'protocol': protocol, 'packets': packets, 'records': 1,
      'rejectBytes': CASE WHEN action = 'REJECT' THEN bytes ELSE 0 END,
      'rejectPackets': CASE WHEN action = 'REJECT' THEN packets ELSE 0 END}, bytes, 20) AS top
  FROM records WHERE action IS NOT NULL AND log_status = 'OK'
  GROUP BY topic, window_start, protocol
), w AS (
  SELECT topic, window_start, sum(ab) AS ab, sum(ap) AS ap, sum(ar) AS ar, sum(rb) AS rb, sum(rp) AS rp,
    sum(rr) AS rr, sum(b) AS b, sum(pk) AS pk, sum(n) AS n,
    list({'protocol': protocol, 'bytes': b, 'packets': pk, 'records': n} ORDER BY b DESC) AS by_protocol,
    list_slice(list_reverse_sort(flatten(list(top))), 1, 20) AS top
  FROM p GROUP BY topic, window_start
)
SELECT topic, window_start, 1 AS revision, window_start + 75000 AS published_at,
  ab AS accept_bytes, ap AS accept_packets, ar AS accept_records,
  rb AS reject_bytes, rp AS reject_packets, rr AS reject_records,
  to_json({'topicId': topic, 'windowStart': window_start, 'revision': 1, 'publishedAt': window_start + 75000,
    'accept': {'bytes': ab, 'packets': ap, 'records': ar}, 'reject': {'bytes': rb, 'packets': rp, 'records': rr},
    'byProtocol': by_protocol, 'top': top,
    'topOther': {'bytes': b - list_sum(list_transform(top, x -> x.bytes)),
      'packets': pk - list_sum(list_transform(top, x -> x.packets)), 'records': n - len(top)},
    'topTruncated': true, 'regionPairs': [], 'streams': []})::VARCHAR AS aggregate
FROM w`;

export async function generate(path: string, n: number, end: number): Promise<GenStream[]> {
  const streams = genStreams();
  const begin = end - 7 * DAY;
  const instance = await DuckDBInstance.create(path, { ...CREATE_OPTIONS });
  const con = await instance.connect();
  for (const sql of SCHEMA_SQL) await con.run(sql);
  registerQhash(con);
  const step = 5_000_000;
  const t0 = performance.now();
  for (let lo = 0; lo < n; lo += step) {
    const hi = Math.min(n, lo + step);
    await con.run(generateSql(streams, n, lo, hi, begin));
    const s = (performance.now() - t0) / 1000;
    log(
      `generate: ${hi.toLocaleString('en-US')} / ${n.toLocaleString('en-US')} records, ${s.toFixed(0)} s`,
    );
  }
  log('generate: window aggregates');
  await con.run(WINDOWS_SQL);
  await con.run('INSERT OR REPLACE INTO meta VALUES (?, ?), (?, ?)', [
    META_VERSION,
    String(SCHEMA_VERSION),
    META_SEQ,
    String(n),
  ]);
  await con.run('CHECKPOINT');
  con.closeSync();
  instance.closeSync();
  return streams;
}

/** p50 of `runs` timed calls, after one untimed warm-up call. */
/** The median of `runs` timed calls of `fn`, after one untimed (warming) call, ms. */
export async function p50(runs: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  await fn(-1);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const a = performance.now();
    await fn(i);
    times.push(performance.now() - a);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

function filter(text: string): QueryNode | null {
  const parsed = parseQuery(text);
  if (!parsed.ok) throw new Error(`bench query ${text}: ${parsed.error.message}`);
  return parsed.ast;
}

async function benchQueries(n: number, keep?: string): Promise<BenchRow[]> {
  const dir = keep ?? (await mkdtemp(join(tmpdir(), 'flowdeck-bench-store-')));
  const path = join(dir, 'flowdeck.duckdb');
  const end = Math.floor(Date.UTC(2025, 0, 22, 0, 0, 0) / MIN) * MIN;
  const rows: BenchRow[] = [];
  let store: Store | null = null;
  try {
    let streams: GenStream[];
    const reuse = keep !== undefined && (await stat(path).catch(() => null)) !== null;
    if (reuse) {
      log(`reusing the store in ${path}`);
      streams = genStreams();
    } else {
      await mkdir(dir, { recursive: true });
      log(`generate: ${n.toLocaleString('en-US')} records over 7 days into ${path}`);
      const g0 = performance.now();
      streams = await generate(path, n, end);
      const genSeconds = (performance.now() - g0) / 1000;
      log(`generate: ${genSeconds.toFixed(0)} s`);
      rows.push({
        name: `store ${fmtCount(n)}: generation (SQL)`,
        value: +genSeconds.toFixed(1),
        unit: 's',
      });
    }
    const fileBytes = (await stat(path)).size;
    rows.push(
      {
        name: `store ${fmtCount(n)}: file size`,
        value: +(fileBytes / 2 ** 30).toFixed(2),
        unit: 'GiB',
      },
      {
        name: `store ${fmtCount(n)}: bytes per record`,
        value: +(fileBytes / n).toFixed(1),
        unit: 'B',
      },
    );

    const o0 = performance.now();
    store = await openStore(
      { ...defaultStoreConfig(dir), path },
      { clock: { now: () => end }, warn: log },
    );
    rows.push({
      name: `store ${fmtCount(n)}: open`,
      value: Math.round(performance.now() - o0),
      unit: 'ms',
    });
    const s = store;
    // What the worker does in the background after a restart: check and build the hourly rollups.
    log('rollups: checking and building the hourly rollups');
    const r0 = performance.now();
    const rolled = await s.maintain();
    const rollSeconds = (performance.now() - r0) / 1000;
    log(`rollups: ${rolled.rolled} hours in ${rollSeconds.toFixed(0)} s`);
    rows.push({
      name: `store ${fmtCount(n)}: rollup build (${rolled.rolled} topic-hours)`,
      value: +rollSeconds.toFixed(1),
      unit: 's',
    });
    const topics = [...new Set(streams.map((x) => x.topic))];
    const weight = (t: string) =>
      streams.filter((x) => x.topic === t).reduce((a, x) => a + x.weight, 0);
    const biggest = [...topics].sort((a, b) => weight(b) - weight(a))[0]!;

    const dashboards: Array<[string, number, number]> = [
      ['1 h', HOUR, MIN],
      ['24 h', DAY, 5 * MIN],
      ['7 d', 7 * DAY, 30 * MIN],
    ];
    for (const [label, range, step] of dashboards) {
      log(`query: dashboard ${label}`);
      const ms = await p50(RUNS, (i) =>
        s.windowSeries(topics[(i + topics.length) % topics.length]!, end - range, end, step),
      );
      rows.push({
        name: `store ${fmtCount(n)}: dashboard ${label} (${range / step} points)`,
        value: +ms.toFixed(1),
        unit: 'ms p50',
        target: '<= 100',
      });
    }

    log(`query: top quintuples 24 h of ${biggest}`);
    const top = await p50(RUNS, () => s.topQuintuples(biggest, end - DAY, end, 20));
    rows.push({
      name: `store ${fmtCount(n)}: top 20 quintuples, 24 h, largest topic`,
      value: +top.toFixed(0),
      unit: 'ms p50',
      target: '<= 500',
    });

    log('query: filtered dashboard from raw records, 24 h');
    const dash = await p50(3, () =>
      s.aggregate({
        topicId: biggest,
        fromMs: end - DAY,
        toMs: end,
        stepMs: 5 * MIN,
        where: filter('dstport:443'),
      }),
    );
    rows.push({
      name: `store ${fmtCount(n)}: raw aggregate() 24 h, dstport:443`,
      value: +dash.toFixed(0),
      unit: 'ms p50',
    });

    // Drill-down: one window, one quintuple taken from that window.
    const ws = end - DAY / 2;
    const sample = await s.queryRecords({
      topicId: biggest,
      fromMs: ws,
      toMs: ws + MIN,
      limit: 50,
      where: filter('srcport:* AND dstport:*'),
    });
    const q = sample.records[sample.records.length >> 1]!;
    const drill = filter(
      `srcaddr:${q.srcaddr} AND srcport:${q.srcport} AND dstaddr:${q.dstaddr} AND dstport:${q.dstport} AND protocol:${q.protocol}`,
    );
    log('query: drill-down of one window and one quintuple');
    const drillMs = await p50(RUNS, () =>
      s.queryRecords({ topicId: biggest, fromMs: ws, toMs: ws + MIN, where: drill, limit: 100 }),
    );
    rows.push({
      name: `store ${fmtCount(n)}: drill-down, one window + quintuple`,
      value: +drillMs.toFixed(1),
      unit: 'ms p50',
      target: '<= 200',
    });

    for (const text of ['ap-tokyo', 'srcaddr:203.0.113.*']) {
      log(`query: free search '${text}' over everything`);
      const where = filter(text);
      let total = 0;
      const ms = await p50(3, async () => {
        const page = await s.queryRecords({ fromMs: 0, toMs: end + DAY, where, limit: 50 });
        total = page.total;
      });
      rows.push({
        name: `store ${fmtCount(n)}: free search '${text}' (${fmtCount(total)} hits)`,
        value: +ms.toFixed(0),
        unit: 'ms p50',
        target: '<= 2000',
      });
    }

    const used = await s.maintain();
    rows.push({
      name: `store ${fmtCount(n)}: reads from rollups, dims / top`,
      value: used.dimsReads,
      unit: `/ ${used.topReads}`,
    });
    log('query: lastWindows (scan at first call)');
    const l0 = performance.now();
    await s.lastWindows();
    rows.push({
      name: `store ${fmtCount(n)}: lastWindows first call`,
      value: Math.round(performance.now() - l0),
      unit: 'ms',
    });
    return rows;
  } finally {
    await store?.close().catch(() => {});
    if (keep === undefined) await rm(dir, { recursive: true, force: true });
  }
}

function fmtCount(n: number): string {
  if (n >= 1e6) return `${+(n / 1e6).toFixed(1)} M`;
  if (n >= 1e3) return `${+(n / 1e3).toFixed(1)} k`;
  return String(n);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = await benchStore();
  printTable(rows);
}
