// The DuckDB schema of the store. The columns of `records` and their types come from the field
// table (shared/fields.ts), in the order the worker's appender fills them.
import { RECORD_FIELDS, type FieldType } from '../../../shared/fields.ts';

/** 2: the catalog (logsets, topics, flow logs), quarantined lines and source offsets. */
export const SCHEMA_VERSION = 2;

export const HOUR_MS = 3_600_000;

/**
 * Column order of `records` is the order the worker's appender fills. No index on `records`: data
 * arrives roughly in window_start order, so the per-row-group min/max (zonemaps) of window_start
 * prune time ranges, and an ART index would slow every append.
 */
export const RECORD_COLUMNS = [
  'topic',
  'stream',
  'window_start',
  'seq',
  'version',
  'account_id',
  'interface_id',
  'srcaddr',
  'dstaddr',
  'src_ip',
  'dst_ip',
  'srcport',
  'dstport',
  'protocol',
  'packets',
  'bytes',
  'start_s',
  'end_s',
  'action',
  'log_status',
  'ccn_id',
  'src_region',
  'dst_region',
  'region_id',
  'extra',
  'format',
  'qhash',
] as const;

/** Columns of `quarantine`, in the order the worker's appender fills them. */
export const QUARANTINE_COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ['topic', 'VARCHAR NOT NULL'],
  ['source', 'VARCHAR NOT NULL'],
  ['origin', 'VARCHAR NOT NULL'],
  ['line', 'BIGINT NOT NULL'],
  ['reason', 'VARCHAR NOT NULL'],
  ['message', 'VARCHAR NOT NULL'],
  ['raw', 'VARCHAR NOT NULL'],
  ['raw_length', 'BIGINT NOT NULL'],
  ['at_ms', 'BIGINT NOT NULL'],
];

export const ACTIONS = ['ACCEPT', 'REJECT'] as const;
export const LOG_STATUSES = ['OK', 'NODATA', 'SKIPDATA'] as const;
export const FORMATS = ['eni', 'ccn', 'custom'] as const;

/**
 * Options of a new database file: the newest storage format (DICT_FSST strings, dictionary
 * vectors and functions: low-cardinality text filters run once per distinct value).
 */
export const CREATE_OPTIONS: Readonly<Record<string, string>> = {
  storage_compatibility_version: 'latest',
};

const enumList = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

/** SQL type of each field type (shared/fields.ts); `-` is NULL. */
const SQL_TYPES: Record<FieldType, string> = {
  version: 'VARCHAR',
  string: 'VARCHAR',
  addr: 'VARCHAR',
  port: 'INTEGER',
  protocol: 'INTEGER',
  int: 'INTEGER',
  long: 'BIGINT',
  action: 'VARCHAR',
  status: 'VARCHAR',
};

/** Columns that are not fields of the table: the address integers, custom fields, the format and the key hash. */
const OTHER_COLUMNS: Readonly<Record<string, string>> = {
  src_ip: 'UHUGEINT',
  dst_ip: 'UHUGEINT',
  extra: 'VARCHAR', // JSON of the custom fields
  format: 'format_t NOT NULL',
  // qhash.ts: hash of (srcaddr, srcport, dstaddr, dstport, protocol), a filter for key lookups
  qhash: 'UINTEGER NOT NULL',
};

const FIELD_OF_COLUMN = new Map([...RECORD_FIELDS.values()].map((f) => [f.column, f]));

/** The column's SQL type, from the field table; storage columns are NOT NULL. */
export function columnType(column: string): string {
  const other = OTHER_COLUMNS[column];
  if (other) return other;
  const field = FIELD_OF_COLUMN.get(column);
  if (!field) throw new Error(`records column ${column} is not in the field table`);
  return field.key === 'stored' ? `${SQL_TYPES[field.type]} NOT NULL` : SQL_TYPES[field.type];
}

/** Statements run on every open; all idempotent. */
export const SCHEMA_SQL: readonly string[] = [
  `CREATE TYPE IF NOT EXISTS format_t AS ENUM (${enumList(FORMATS)})`,
  `CREATE TABLE IF NOT EXISTS records (
    ${RECORD_COLUMNS.map((c) => `${c} ${columnType(c)}`).join(',\n    ')}
  )`,
  `CREATE TABLE IF NOT EXISTS windows (
    topic VARCHAR NOT NULL,
    window_start BIGINT NOT NULL,
    revision INTEGER NOT NULL,
    published_at BIGINT NOT NULL,
    accept_bytes BIGINT NOT NULL,
    accept_packets BIGINT NOT NULL,
    accept_records BIGINT NOT NULL,
    reject_bytes BIGINT NOT NULL,
    reject_packets BIGINT NOT NULL,
    reject_records BIGINT NOT NULL,
    aggregate VARCHAR NOT NULL,
    PRIMARY KEY (topic, window_start)
  )`,
  `CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)`,
  // Rejected input lines, written in the transaction of the records around them.
  `CREATE TABLE IF NOT EXISTS quarantine (
    ${QUARANTINE_COLUMNS.map(([c, t]) => `${c} ${t}`).join(',\n    ')}
  )`,
  // Where each source stands (file offsets, parser state), appended in the transaction of the
  // records it produced; the newest row per source counts, older ones are pruned.
  `CREATE TABLE IF NOT EXISTS source_offsets (
    source VARCHAR NOT NULL,
    seq BIGINT NOT NULL,
    state VARCHAR NOT NULL,
    at_ms BIGINT NOT NULL
  )`,
  // The flow-log catalog: one JSON document per logset, topic and flow log (kind: 'logset',
  // 'topic', 'flowlog'), each with its format version `v` (catalog-store.ts).
  `CREATE TABLE IF NOT EXISTS catalog (
    kind VARCHAR NOT NULL,
    id VARCHAR NOT NULL,
    doc VARCHAR NOT NULL,
    PRIMARY KEY (kind, id)
  )`,
  // Rollups of settled hours, kept by the worker (rollup.ts). A rolled hour is used only while its
  // records are unchanged: `records` and `max_seq` are those of all its records when rolled.
  `CREATE TABLE IF NOT EXISTS rollup_hours (
    topic VARCHAR NOT NULL,
    hour_start BIGINT NOT NULL,
    records BIGINT NOT NULL,
    max_seq BIGINT NOT NULL,
    top_bound BIGINT NOT NULL,
    PRIMARY KEY (topic, hour_start)
  )`,
  // Records counted per window and per value of every low-cardinality column; srcaddr / dstaddr
  // hold only texts that are not addresses (NULL otherwise).
  `CREATE TABLE IF NOT EXISTS rollup_dims (
    topic VARCHAR NOT NULL,
    hour_start BIGINT NOT NULL,
    stream VARCHAR NOT NULL,
    window_start BIGINT NOT NULL,
    format format_t NOT NULL,
    version VARCHAR,
    account_id VARCHAR,
    interface_id VARCHAR,
    srcaddr VARCHAR,
    dstaddr VARCHAR,
    protocol INTEGER,
    action VARCHAR,
    log_status VARCHAR,
    ccn_id VARCHAR,
    src_region VARCHAR,
    dst_region VARCHAR,
    region_id VARCHAR,
    has_start BOOLEAN NOT NULL,
    records BIGINT NOT NULL,
    bytes BIGINT NOT NULL,
    packets BIGINT NOT NULL
  )`,
  // The rollupTopK largest quintuples (traffic only) of each rolled hour; every other quintuple
  // of the hour has at most rollup_hours.top_bound bytes in it.
  `CREATE TABLE IF NOT EXISTS rollup_top (
    topic VARCHAR NOT NULL,
    hour_start BIGINT NOT NULL,
    srcaddr VARCHAR NOT NULL,
    srcport INTEGER NOT NULL,
    dstaddr VARCHAR NOT NULL,
    dstport INTEGER NOT NULL,
    protocol INTEGER NOT NULL,
    bytes BIGINT NOT NULL,
    packets BIGINT NOT NULL,
    records BIGINT NOT NULL,
    reject_bytes BIGINT NOT NULL,
    reject_packets BIGINT NOT NULL
  )`,
];

/** Upsert of one window aggregate: a lower revision than the stored one is ignored. */
export const UPSERT_WINDOW_SQL = `INSERT INTO windows VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (topic, window_start) DO UPDATE SET
    revision = excluded.revision, published_at = excluded.published_at,
    accept_bytes = excluded.accept_bytes, accept_packets = excluded.accept_packets,
    accept_records = excluded.accept_records, reject_bytes = excluded.reject_bytes,
    reject_packets = excluded.reject_packets, reject_records = excluded.reject_records,
    aggregate = excluded.aggregate
  WHERE excluded.revision >= windows.revision`;

export const META_SEQ = 'seq_high_water';
/** Every record with a seq up to this value is counted in the stored window aggregates. */
export const META_WINDOWS_CLEAN = 'windows_clean_seq';
export const META_VERSION = 'schema_version';
/** Set once the catalog was first written: an emptied catalog stays empty. */
export const META_CATALOG = 'catalog_seeded';
