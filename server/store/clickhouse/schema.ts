// The ClickHouse backend's tables. Raw records live in a MergeTree partitioned by day (retention
// drops whole partitions: 18.16 has no TTL) and ordered by topic and window, so a dashboard's
// range reads only its topic's granules. Addresses are text plus two UInt64 halves (18.16 has no
// IPv6 or 128-bit integer type); missing values (`-` in a log line) are NULL.
import { literal } from './sql.ts';

/** [column, type] of `records`, in insert (TSV) order. */
export const RECORD_COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ['topic', 'String'],
  ['stream', 'String'],
  ['window_start', 'Int64'],
  ['seq', 'UInt64'],
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

/** The day partition of a window start (epoch ms): what retention drops. */
export const DAY_PARTITION = 'toYYYYMMDD(toDateTime(intDiv(window_start, 1000)))';

export function createRecordsTable(database: string): string {
  const db = database.replace(/[^A-Za-z0-9_]/g, '');
  if (db !== database || db === '') throw new Error(`not a database name: ${database}`);
  return `CREATE TABLE IF NOT EXISTS ${db}.records (
  ${RECORD_COLUMNS.map(([c, t]) => `${c} ${t}`).join(',\n  ')}
) ENGINE = MergeTree
PARTITION BY ${DAY_PARTITION}
ORDER BY (topic, window_start, seq)`;
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
