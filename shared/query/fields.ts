// The fields a query can name: the documented flow-log fields the store keeps in columns, the
// record's topic and stream, and two pseudo-fields for drill-down (`addr`, `port`).
import { fieldInfo, protocolName } from '../fields.ts';

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

function documented(name: QueryField & ColumnKey): QueryFieldInfo {
  const info = fieldInfo(name);
  const kind = info && KIND_OF_TYPE[info.type];
  if (!info || !kind) throw new Error(`query field ${name} is not a documented field`);
  const ipColumn: ColumnKey | null =
    name === 'srcaddr' ? 'src-ip' : name === 'dstaddr' ? 'dst-ip' : null;
  return {
    name,
    kind,
    columns: [name],
    ipColumns: ipColumn ? [ipColumn] : [],
    values: ENUM_VALUES[name] ?? [],
    description: info.description,
  };
}

function extra(
  name: QueryField,
  kind: QueryFieldKind,
  columns: ColumnKey[],
  ipColumns: ColumnKey[],
  description: string,
): QueryFieldInfo {
  return { name, kind, columns, ipColumns, values: [], description };
}

/** Every query field, in the order the help lists them. */
export const QUERY_FIELDS: ReadonlyMap<QueryField, QueryFieldInfo> = new Map(
  [
    extra('topic', 'text', ['topic'], [], 'log topic the record was written to'),
    extra('stream', 'text', ['stream'], [], 'log stream: the ENI, or for CCN `ccnid/region-id`'),
    documented('srcaddr'),
    documented('dstaddr'),
    extra('addr', 'addr', ['srcaddr', 'dstaddr'], ['src-ip', 'dst-ip'], 'srcaddr or dstaddr'),
    documented('srcport'),
    documented('dstport'),
    extra('port', 'port', ['srcport', 'dstport'], [], 'srcport or dstport'),
    documented('protocol'),
    documented('action'),
    documented('log-status'),
    documented('packets'),
    documented('bytes'),
    documented('start'),
    documented('end'),
    documented('interface-id'),
    documented('account-id'),
    documented('version'),
    documented('ccnid'),
    documented('srcregionid'),
    documented('dstregionid'),
    documented('region-id'),
  ].map((f): [QueryField, QueryFieldInfo] => [f.name, Object.freeze(f)]),
);

export function queryField(name: string): QueryFieldInfo | undefined {
  return QUERY_FIELDS.get(name as QueryField);
}

/** Text columns a bare keyword is looked for in. */
export const KEYWORD_COLUMNS: readonly ColumnKey[] = Object.freeze([
  'interface-id',
  'srcaddr',
  'dstaddr',
  'action',
  'log-status',
  'account-id',
  'ccnid',
  'srcregionid',
  'dstregionid',
  'region-id',
  'version',
]);

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
