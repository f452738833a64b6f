// The fields a query can name: the fields shared/fields.ts marks filterable (the documented
// flow-log fields the store keeps in columns, and the record's topic and stream), plus two
// pseudo-fields for drill-down (`addr`, `port`).
import { RECORD_FIELDS, protocolName, type FieldInfo } from '../fields.ts';

/** How a field's values are checked and compared. */
export type QueryFieldKind =
  | 'text' // any value; equality (case-sensitive), trailing-`*` prefix, exists
  | 'version' // digits, optionally prefixed by V; equality ignores case
  | 'enum' // one of a few words (ACCEPT/REJECT, OK/NODATA/SKIPDATA), case-insensitive
  | 'port' // 0-65535; equality, comparisons and ranges
  | 'protocol' // 0-255 or an IANA keyword (tcp, udp, icmp...)
  | 'long' // non-negative safe integer: counters and epoch seconds
  | 'addr'; // IPv4/IPv6: equality, CIDR, ranges, trailing-`*` prefix on the text

/** A stored column, by the documented name of its field; `src-ip`/`dst-ip` are the numeric address columns. */
export type ColumnKey =
  | 'topic'
  | 'stream'
  | 'version'
  | 'account-id'
  | 'interface-id'
  | 'srcaddr'
  | 'dstaddr'
  | 'src-ip'
  | 'dst-ip'
  | 'srcport'
  | 'dstport'
  | 'protocol'
  | 'packets'
  | 'bytes'
  | 'start'
  | 'end'
  | 'action'
  | 'log-status'
  | 'ccnid'
  | 'srcregionid'
  | 'dstregionid'
  | 'region-id';

export type QueryField = Exclude<ColumnKey, 'src-ip' | 'dst-ip'> | 'addr' | 'port';

export interface QueryFieldInfo {
  name: QueryField;
  kind: QueryFieldKind;
  /** Columns the field reads; more than one means "any of them" (pseudo-fields). */
  columns: readonly ColumnKey[];
  /** Address fields: the numeric columns, in the same order as `columns`. */
  ipColumns: readonly ColumnKey[];
  /** enum fields: the accepted values, upper case. */
  values: readonly string[];
  description: string;
}

const KIND_OF_TYPE: Record<string, QueryFieldKind> = {
  string: 'text',
  version: 'version',
  addr: 'addr',
  port: 'port',
  protocol: 'protocol',
  long: 'long',
  action: 'enum',
  status: 'enum',
};

const ENUM_VALUES: Record<string, readonly string[]> = {
  action: ['ACCEPT', 'REJECT'],
  'log-status': ['OK', 'NODATA', 'SKIPDATA'],
};

/** The numeric address column's key of an address field (`srcaddr` -> `src-ip`). */
const ipKey = (name: string): ColumnKey => (name === 'srcaddr' ? 'src-ip' : 'dst-ip');

/** A field of the table as a query field. */
function fromTable(info: FieldInfo): QueryFieldInfo {
  const kind = KIND_OF_TYPE[info.type];
  if (!kind || !info.query) throw new Error(`${info.name} is not a query field`);
  const name = info.name as QueryField & ColumnKey;
  return {
    name,
    kind,
    columns: [name],
    ipColumns: info.ipColumn ? [ipKey(name)] : [],
    values: ENUM_VALUES[name] ?? [],
    description: info.description,
  };
}

const pseudo = (
  name: QueryField,
  kind: QueryFieldKind,
  columns: ColumnKey[],
  ipColumns: ColumnKey[],
  description: string,
): QueryFieldInfo => ({ name, kind, columns, ipColumns, values: [], description });

const PSEUDO: Partial<Record<string, QueryFieldInfo>> = {
  // Listed right after the fields they combine.
  dstaddr: pseudo(
    'addr',
    'addr',
    ['srcaddr', 'dstaddr'],
    ['src-ip', 'dst-ip'],
    'srcaddr or dstaddr',
  ),
  dstport: pseudo('port', 'port', ['srcport', 'dstport'], [], 'srcport or dstport'),
};

/** The order the query help lists fields in: where and who first, then what, then when. */
const HELP_ORDER: readonly string[] = [
  'topic',
  'stream',
  'srcaddr',
  'dstaddr',
  'srcport',
  'dstport',
  'protocol',
  'action',
  'log-status',
  'packets',
  'bytes',
  'start',
  'end',
];

/** Every query field, in the order the help lists them. */
export const QUERY_FIELDS: ReadonlyMap<QueryField, QueryFieldInfo> = new Map(
  [...HELP_ORDER, ...[...RECORD_FIELDS.keys()].filter((n) => !HELP_ORDER.includes(n))]
    .map((name) => RECORD_FIELDS.get(name)!)
    .filter((info) => info.query)
    .flatMap((info) => {
      const extra = PSEUDO[info.name];
      return extra ? [fromTable(info), extra] : [fromTable(info)];
    })
    .map((f): [QueryField, QueryFieldInfo] => [f.name, Object.freeze(f)]),
);

export function queryField(name: string): QueryFieldInfo | undefined {
  return QUERY_FIELDS.get(name as QueryField);
}

/** Text columns a bare keyword is looked for in. */
export const KEYWORD_COLUMNS: readonly ColumnKey[] = Object.freeze(
  [...RECORD_FIELDS.values()].filter((f) => f.keyword).map((f) => f.name as ColumnKey),
);

/** Column names of the store's `records` table, by column key. */
export const COLUMN_NAMES: Readonly<Record<ColumnKey, string>> = Object.freeze(
  Object.fromEntries(
    [...RECORD_FIELDS.values()]
      .filter((f) => f.query)
      .flatMap((f): Array<[string, string]> => {
        const own: [string, string] = [f.name, f.column!];
        return f.ipColumn ? [own, [ipKey(f.name), f.ipColumn]] : [own];
      }),
  ) as Record<ColumnKey, string>,
);

/** Protocol keywords, lower case, to numbers: the reverse of protocolName's table. */
export const PROTOCOL_NUMBERS: ReadonlyMap<string, number> = (() => {
  const m = new Map<string, number>();
  for (let n = 0; n <= 255; n++) {
    const name = protocolName(n);
    if (name !== String(n)) m.set(name.toLowerCase(), n);
  }
  return m;
})();

/** Protocols formatQuery writes by name; the others are written as numbers. */
export const PROTOCOLS_BY_NAME: ReadonlyMap<number, string> = new Map([
  [1, 'icmp'],
  [6, 'tcp'],
  [17, 'udp'],
  [58, 'icmpv6'],
]);
