// The DuckDB schema of the store. Column names of `records` are a contract: shared/query compiles
// filters against them (RECORD_COLUMNS).

export const SCHEMA_VERSION = 1;

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
] as const;

export const ACTIONS = ['ACCEPT', 'REJECT'] as const;
export const LOG_STATUSES = ['OK', 'NODATA', 'SKIPDATA'] as const;
export const FORMATS = ['eni', 'ccn', 'custom'] as const;

const enumList = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

/** Statements run on every open; all idempotent. */
export const SCHEMA_SQL: readonly string[] = [
  `CREATE TYPE IF NOT EXISTS action_t AS ENUM (${enumList(ACTIONS)})`,
  `CREATE TYPE IF NOT EXISTS log_status_t AS ENUM (${enumList(LOG_STATUSES)})`,
  `CREATE TYPE IF NOT EXISTS format_t AS ENUM (${enumList(FORMATS)})`,
  `CREATE TABLE IF NOT EXISTS records (
    topic VARCHAR NOT NULL,
    stream VARCHAR NOT NULL,
    window_start BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    version VARCHAR,
    account_id VARCHAR,
    interface_id VARCHAR,
    srcaddr VARCHAR,
    dstaddr VARCHAR,
    src_ip UHUGEINT,
    dst_ip UHUGEINT,
    srcport INTEGER,
    dstport INTEGER,
    protocol INTEGER,
    packets BIGINT,
    bytes BIGINT,
    start_s BIGINT,
    end_s BIGINT,
    action action_t,
    log_status log_status_t,
    ccn_id VARCHAR,
    src_region VARCHAR,
    dst_region VARCHAR,
    region_id VARCHAR,
    extra VARCHAR,
    format format_t NOT NULL
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
export const META_VERSION = 'schema_version';
