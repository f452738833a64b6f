// The ClickHouse backend's tables. Raw records live in a MergeTree partitioned by day (retention
// drops whole partitions: 18.16 has no TTL) and ordered by topic and window, so a dashboard's
// range reads only its topic's granules. Addresses are text plus two UInt64 halves (18.16 has no
// IPv6 or 128-bit integer type); missing values (`-` in a log line) are NULL.
import { COLUMN_NAMES, type ColumnKey } from '../../../shared/query/fields.ts';
import { ROLLUP_FIELDS } from '../filter.ts';
import { ident, literal } from './sql.ts';

/** [column, type] of `records`, in insert (TSV) order. */
export const RECORD_COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ['topic', 'String'],
  ['stream', 'String'],
  ['window_start', 'Int64'],
  ['seq', 'UInt64'],
  ['format', 'String'],
  ['version', 'Nullable(String)'],
  ['account_id', 'Nullable(String)'],
  ['interface_id', 'Nullable(String)'],
  ['srcaddr', 'Nullable(String)'],
  ['dstaddr', 'Nullable(String)'],
  ['src_ip_hi', 'Nullable(UInt64)'],
  ['src_ip_lo', 'Nullable(UInt64)'],
  ['dst_ip_hi', 'Nullable(UInt64)'],
  ['dst_ip_lo', 'Nullable(UInt64)'],
  ['srcport', 'Nullable(Int32)'],
  ['dstport', 'Nullable(Int32)'],
  ['protocol', 'Nullable(Int32)'],
  ['packets', 'Nullable(Int64)'],
  ['bytes', 'Nullable(Int64)'],
  ['start_s', 'Nullable(Int64)'],
  ['end_s', 'Nullable(Int64)'],
  ['action', 'Nullable(String)'],
  ['log_status', 'Nullable(String)'],
  ['ccn_id', 'Nullable(String)'],
  ['src_region', 'Nullable(String)'],
  ['dst_region', 'Nullable(String)'],
  ['region_id', 'Nullable(String)'],
  ['extra', 'Nullable(String)'],
];

export const DAY_MS = 86_400_000;

/**
 * What the server's version allows beyond 18.16 (SELECT version()). Only table creation uses it:
 * tables made by an older server stay as they are.
 */
export interface ClickHouseFeatures {
  version: string;
  /** LowCardinality(String) without an experimental setting (19.3 and later). */
  lowCardinality: boolean;
}

export function featuresOf(version: string): ClickHouseFeatures {
  const [major = 0, minor = 0] = version.split('.').map((n) => Number.parseInt(n, 10) || 0);
  return { version, lowCardinality: major > 19 || (major === 19 && minor >= 3) };
}

/** 18.16's feature set: what every statement here works with. */
export const BASELINE: ClickHouseFeatures = featuresOf('18.16');

/** Text columns with few distinct values (dictionary-encoded where the server allows). */
const LOW_CARDINALITY = new Set([
  'topic',
  'stream',
  'format',
  'version',
  'account_id',
  'action',
  'log_status',
  'src_region',
  'dst_region',
  'region_id',
]);

/** A column's type under `features`: a low-cardinality text column dictionary-encoded if allowed. */
export function columnType(column: string, type: string, features: ClickHouseFeatures): string {
  if (!features.lowCardinality || !LOW_CARDINALITY.has(column)) return type;
  return type === 'String' || type === 'Nullable(String)' ? `LowCardinality(${type})` : type;
}

/** The partition of a row: its topic and the UTC day of its window start (what retention drops). */
export const PARTITION = '(topic, toYYYYMMDD(toDateTime(intDiv(window_start, 1000))))';

const checkDatabase = (database: string) => ident(database, 'a database name');

export function createRecordsTable(database: string, features = BASELINE): string {
  const db = checkDatabase(database);
  return `CREATE TABLE IF NOT EXISTS ${db}.records (
  ${RECORD_COLUMNS.map(([c, t]) => `${c} ${columnType(c, t, features)}`).join(',\n  ')}
) ENGINE = MergeTree
PARTITION BY ${PARTITION}
ORDER BY (topic, window_start, seq)`;
}

/**
 * The rollup: per topic, window and combination of the dimensions a dashboard filters by (the
 * query language's rollup fields), the sums of bytes, packets and records, kept by a materialized
 * view on every insert into the records (late records included). Its partitions are the records'
 * (retention drops and deletes the same rows), so it is always exact: a rollup-safe filter gives
 * the same answer on it as on the records, from a hundredth of the rows.
 */
export const ROLLUP_DIMS: ReadonlyArray<readonly [string, string]> = [
  // The rollup fields of the query language (filter.ts), as columns of the records' types.
  ...[...ROLLUP_FIELDS]
    .filter((f) => f !== 'topic')
    .map((f) => {
      const c = COLUMN_NAMES[f as ColumnKey];
      return [c, RECORD_COLUMNS.find(([name]) => name === c)![1]] as const;
    }),
  // An address that is not an IP (a host name some formats write) is kept as text: a word looked
  // for in the addresses can match it. IP addresses are not kept (a word never equals one).
  ['src_text', 'Nullable(String)'],
  ['dst_text', 'Nullable(String)'],
];

/** How each rollup dimension is computed from a record (most are the column itself). */
const DIM_SOURCE: Readonly<Record<string, string>> = {
  src_text: 'if(isNull(src_ip_hi), srcaddr, NULL)',
  dst_text: 'if(isNull(dst_ip_hi), dstaddr, NULL)',
};

// NULL and '' differ: each nullable dimension is hashed with its null flag.
const HASHED = ROLLUP_DIMS.map(([c, t]) =>
  t.startsWith('Nullable') ? `isNull(${c}), ifNull(toString(${c}), '')` : c,
).join(', ');

/** A record counted as traffic by the window aggregator's rules (kept as a rollup dimension). */
export const TRAFFIC_EXPR =
  "toUInt8(start_s IS NOT NULL AND action IS NOT NULL AND (log_status IS NULL OR log_status = 'OK'))";

/**
 * The rollup table `table` and the view filling it from `source` (records, or a shard's
 * records_shard). A rollup-safe query reads the same columns from it as from the records; its
 * `srcaddr` and `dstaddr` are the addresses that are not IPs (what a word can equal).
 */
export function createRollup(
  database: string,
  source: string,
  table: string,
  features = BASELINE,
): string[] {
  const db = checkDatabase(database);
  const dims = ROLLUP_DIMS.map(([c]) => c);
  return [
    `CREATE TABLE IF NOT EXISTS ${db}.${table} (
  topic ${columnType('topic', 'String', features)}, window_start Int64, dims_key UInt64,
  ${ROLLUP_DIMS.map(([c, t]) => `${c} ${columnType(c, t, features)}`).join(', ')},
  traffic UInt8, bytes Int64, packets Int64, records UInt64,
  srcaddr Nullable(String) ALIAS src_text,
  dstaddr Nullable(String) ALIAS dst_text
) ENGINE = SummingMergeTree((bytes, packets, records))
PARTITION BY ${PARTITION}
ORDER BY (topic, window_start, dims_key)`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.${table}_view TO ${db}.${table} AS ${rollupSelect(db, source, dims, HASHED)}`,
  ];
}

function rollupSelect(
  db: string,
  source: string,
  dims: string[],
  hashed: string,
  where = '',
): string {
  const picked = dims.map((c) => (DIM_SOURCE[c] ? `${DIM_SOURCE[c]} AS ${c}` : c));
  return `SELECT topic, window_start, cityHash64(${hashed}, ${TRAFFIC_EXPR}) AS dims_key,
  ${picked.join(', ')}, ${TRAFFIC_EXPR} AS traffic,
  sum(ifNull(bytes, 0)) AS bytes, sum(ifNull(packets, 0)) AS packets, count() AS records
FROM ${db}.${source}${where ? `\nWHERE ${where}` : ''}
GROUP BY topic, window_start, dims_key, ${dims.join(', ')}, traffic`;
}

/** Fills the rollup from the records (`where`) stored before its view existed. */
export function backfillRollup(
  database: string,
  source: string,
  table: string,
  where: string,
): string {
  const db = checkDatabase(database);
  return `INSERT INTO ${db}.${table} (topic, window_start, dims_key, ${ROLLUP_DIMS.map(([c]) => c).join(', ')}, traffic, bytes, packets, records)
${rollupSelect(
  db,
  source,
  ROLLUP_DIMS.map(([c]) => c),
  HASHED,
  where,
)}`;
}

/**
 * Sharded: on every shard, the records of its topics (`records_shard`) and a `Distributed` table
 * over all shards named `records`, which every read goes through and every insert goes into
 * (spread by topic, so a topic's records stay on one shard and its partitions drop there).
 */
export function createShardTables(
  database: string,
  cluster: string,
  features = BASELINE,
): string[] {
  const db = checkDatabase(database);
  const name = ident(cluster, 'a cluster name');
  return [
    createRecordsTable(db, features).replace(`${db}.records (`, `${db}.records_shard (`),
    `CREATE TABLE IF NOT EXISTS ${db}.records AS ${db}.records_shard
ENGINE = Distributed(${name}, ${db}, records_shard, sipHash64(topic))`,
  ];
}

/**
 * Every table of the store, in a database that exists. Sharded, `records` is made on every shard
 * by createShardTables and the rest (windows, catalog, rejected lines, offsets, marks: small) live
 * on the first shard.
 */
export function createTables(
  database: string,
  opts: { records: boolean; features?: ClickHouseFeatures } = { records: true },
): string[] {
  const db = checkDatabase(database);
  return [
    ...(opts.records ? [createRecordsTable(db, opts.features)] : []),
    // A window's aggregate per revision; FINAL (or a merge) keeps the highest.
    `CREATE TABLE IF NOT EXISTS ${db}.windows (
  topic String, window_start Int64, revision UInt64,
  accept_bytes Int64, accept_packets Int64, accept_records Int64,
  reject_bytes Int64, reject_packets Int64, reject_records Int64, body String
) ENGINE = ReplacingMergeTree(revision) PARTITION BY ${PARTITION} ORDER BY (topic, window_start)`,
    // One JSON document per catalog entity and version; `deleted` marks a removal.
    `CREATE TABLE IF NOT EXISTS ${db}.catalog (
  kind String, id String, version UInt64, deleted UInt8, body String
) ENGINE = ReplacingMergeTree(version) ORDER BY (kind, id)`,
    `CREATE TABLE IF NOT EXISTS ${db}.quarantine (
  topic String, at Int64, id UInt64, source String, origin String, line UInt64,
  reason String, message String, raw String, raw_length UInt64
) ENGINE = MergeTree PARTITION BY toYYYYMMDD(toDateTime(intDiv(at, 1000))) ORDER BY (topic, at, id)`,
    `CREATE TABLE IF NOT EXISTS ${db}.offsets (
  source String, version UInt64, state String
) ENGINE = ReplacingMergeTree(version) ORDER BY source`,
    `CREATE TABLE IF NOT EXISTS ${db}.meta (
  key String, version UInt64, value Int64
) ENGINE = ReplacingMergeTree(version) ORDER BY key`,
  ];
}

export interface ClickHouseTarget {
  /** The first (or only) server's HTTP address: windows, catalog and the rest live there. */
  httpUrl: string;
  database: string;
  username?: string;
  password?: string;
  /** Several servers: the shards' HTTP addresses, in the URL's order, and their cluster's name. */
  shards?: { httpUrls: string[]; cluster: string };
}

const URL_SHAPE = /^clickhouse:\/\/(?:([^@/?#]*)@)?([^/?#]+)(?:\/([^?#]*))?(?:\?([^#]*))?$/;
const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/;

/**
 * `clickhouse://[USER[:PASSWORD]@]HOST[:PORT][,HOST[:PORT]...][/DB][?cluster=NAME]` (HTTP ports,
 * 8123 by default; database flowdeck by default) as the client's HTTP addresses, credentials and
 * database. Several hosts are the shards of the cluster NAME (default flowdeck) that each server's
 * `remote_servers` defines.
 */
export function parseClickHouseUrl(text: string): ClickHouseTarget {
  const bad = () => new Error(`not a ClickHouse URL: ${text} (clickhouse://HOST:PORT/DB)`);
  const m = URL_SHAPE.exec(text);
  if (!m) throw bad();
  const [, auth, hostList, path, query] = m;
  const httpUrls = hostList!.split(',').map((h) => {
    const hp = HOST_PORT.exec(h.trim());
    if (!hp) throw bad();
    return `http://${hp[1]}:${hp[2] ?? '8123'}`;
  });
  const database = checkDatabase(decodeURIComponent(path ?? '') || 'flowdeck');
  const params = new URLSearchParams(query ?? '');
  for (const key of params.keys())
    if (key !== 'cluster')
      throw new Error(`unknown ClickHouse URL parameter ${key} (only cluster)`);
  const cluster = ident(params.get('cluster') ?? 'flowdeck', 'a cluster name');
  const [user, pass] = auth === undefined ? [] : auth.split(/:(.*)/s);
  return {
    httpUrl: httpUrls[0]!,
    database,
    ...(user ? { username: decodeURIComponent(user) } : {}),
    ...(pass ? { password: decodeURIComponent(pass) } : {}),
    ...(httpUrls.length > 1 ? { shards: { httpUrls, cluster } } : {}),
  };
}

/** A value as a TSV field: NULL as \N, text with its backslashes, tabs and newlines escaped. */
export function tsvField(value: string | number | bigint | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value !== 'string') return literal(value);
  return value.replace(/[\\\t\n\r\0]/g, (c) => TSV_ESCAPES[c]!);
}

const TSV_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '\t': '\\t',
  '\n': '\\n',
  '\r': '\\r',
  '\0': '\\0',
};
