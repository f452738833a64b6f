// Decoding and formatting the fields of one raw record (ApiRecord) for people: the record table's
// cells and the detail pane. Pure; no DOM. Values come from the API as numbers, strings or null
// (`-` in the log); anything of another type is shown as text, never interpreted.
import type { ApiRecord } from '../../shared/api.ts';
import { fieldInfo, protocolName, STORAGE_FIELDS } from '../../shared/fields.ts';
import { formatBytes, formatCount, formatDuration, formatInteger } from './format.ts';
import { isKnownRegion, regionInfo } from './regions.ts';

export type RecordValue = string | number | null | undefined;

/** The storage fields, in the order the detail pane lists them first. */
export const STORAGE_FIELD_NAMES: readonly string[] = [...STORAGE_FIELDS.keys()];

/** One line of help for a field: the registry's description, or a note for a custom field. */
export function describeField(name: string): string {
  return (
    STORAGE_FIELDS.get(name)?.description ??
    fieldInfo(name)?.description ??
    'custom field: not one of the documented flow-log fields'
  );
}

// ---------------------------------------------------------------------------------------------
// ICMP

interface IcmpType {
  name: string;
  codes?: Readonly<Record<number, string>>;
}

/** Common ICMP (IPv4) types and codes (RFC 792, RFC 1812). */
export const ICMP_TYPES: Readonly<Record<number, IcmpType>> = {
  0: { name: 'echo reply' },
  3: {
    name: 'destination unreachable',
    codes: {
      0: 'network unreachable',
      1: 'host unreachable',
      2: 'protocol unreachable',
      3: 'port unreachable',
      4: 'fragmentation needed',
      5: 'source route failed',
      9: 'network administratively prohibited',
      10: 'host administratively prohibited',
      13: 'communication administratively prohibited',
    },
  },
  4: { name: 'source quench' },
  5: {
    name: 'redirect',
    codes: { 0: 'for the network', 1: 'for the host' },
  },
  8: { name: 'echo request' },
  9: { name: 'router advertisement' },
  10: { name: 'router solicitation' },
  11: {
    name: 'time exceeded',
    codes: { 0: 'TTL expired in transit', 1: 'fragment reassembly time exceeded' },
  },
  12: { name: 'parameter problem' },
  13: { name: 'timestamp request' },
  14: { name: 'timestamp reply' },
};

/** Common ICMPv6 types and codes (RFC 4443, RFC 4861). */
export const ICMPV6_TYPES: Readonly<Record<number, IcmpType>> = {
  1: {
    name: 'destination unreachable',
    codes: {
      0: 'no route to destination',
      1: 'administratively prohibited',
      3: 'address unreachable',
      4: 'port unreachable',
      5: 'source address failed policy',
      6: 'reject route',
    },
  },
  2: { name: 'packet too big' },
  3: {
    name: 'time exceeded',
    codes: { 0: 'hop limit exceeded in transit', 1: 'fragment reassembly time exceeded' },
  },
  4: { name: 'parameter problem' },
  128: { name: 'echo request' },
  129: { name: 'echo reply' },
  130: { name: 'multicast listener query' },
  131: { name: 'multicast listener report' },
  133: { name: 'router solicitation' },
  134: { name: 'router advertisement' },
  135: { name: 'neighbor solicitation' },
  136: { name: 'neighbor advertisement' },
  137: { name: 'redirect' },
};

export interface IcmpDecoded {
  type: number;
  code: number;
  /** 'echo request', 'destination unreachable: port unreachable'; '' for an unknown type. */
  meaning: string;
  /** '8/0 echo request', or '42/1' for an unknown type. */
  text: string;
}

export const PROTOCOL_ICMP = 1;
export const PROTOCOL_ICMPV6 = 58;

/**
 * ICMP type and code of an ICMP (1) or ICMPv6 (58) record, which Tencent packs into dstport as
 * type × 256 + code. Null for other protocols and for a missing or out-of-range port.
 */
export function decodeIcmp(dstport: RecordValue, protocol: RecordValue): IcmpDecoded | null {
  if (protocol !== PROTOCOL_ICMP && protocol !== PROTOCOL_ICMPV6) return null;
  if (typeof dstport !== 'number' || !Number.isInteger(dstport)) return null;
  if (dstport < 0 || dstport > 0xffff) return null;
  const type = Math.floor(dstport / 256);
  const code = dstport % 256;
  const known = (protocol === PROTOCOL_ICMP ? ICMP_TYPES : ICMPV6_TYPES)[type];
  const codeName = known?.codes?.[code];
  const meaning = known ? (codeName ? `${known.name}: ${codeName}` : known.name) : '';
  return { type, code, meaning, text: meaning ? `${type}/${code} ${meaning}` : `${type}/${code}` };
}

// ---------------------------------------------------------------------------------------------
// TCP flags

/** TCP flag bits as flow logs report them (the OR of the flags seen in the window). */
export const TCP_FLAGS: ReadonlyArray<readonly [string, number]> = [
  ['FIN', 1],
  ['SYN', 2],
  ['RST', 4],
  ['PSH', 8],
  ['ACK', 16],
  ['URG', 32],
  ['ECE', 64],
  ['CWR', 128],
];

/** The flags set in `n`, lowest bit first: 18 -> ['SYN', 'ACK']; [] for 0 or a non-integer. */
export function decodeTcpFlags(n: RecordValue): string[] {
  if (typeof n !== 'number' || !Number.isInteger(n) || n <= 0) return [];
  return TCP_FLAGS.filter(([, bit]) => (n & bit) !== 0).map(([name]) => name);
}

/** 'SYN ACK (SYN-ACK)', 'FIN ACK', 'none' for 0; null when there is nothing to decode. */
export function tcpFlagsText(n: RecordValue): string | null {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) return null;
  if (n === 0) return 'none';
  const names = decodeTcpFlags(n);
  const rest = n & ~0xff;
  const text = names.join(' ') + (rest ? ` +${rest}` : '');
  return (n & 0xff) === 18 ? `${text} (SYN-ACK)` : text;
}

// ---------------------------------------------------------------------------------------------
// Words for enumerated values

export const ACTION_MEANING: Readonly<Record<string, string>> = {
  ACCEPT: 'allowed by the security groups and network ACLs',
  REJECT: 'blocked by a security group or network ACL rule',
};

export const LOG_STATUS_MEANING: Readonly<Record<string, string>> = {
  OK: 'data is being logged normally',
  NODATA: 'no traffic on the stream in the capture window',
  SKIPDATA:
    'records were skipped in the capture window because of an internal capacity limit or error',
};

/** Well-known services, for a hint next to a port number. */
const PORT_SERVICES: Readonly<Record<number, string>> = {
  20: 'FTP data',
  21: 'FTP',
  22: 'SSH',
  23: 'Telnet',
  25: 'SMTP',
  53: 'DNS',
  67: 'DHCP',
  68: 'DHCP',
  80: 'HTTP',
  110: 'POP3',
  123: 'NTP',
  143: 'IMAP',
  161: 'SNMP',
  179: 'BGP',
  389: 'LDAP',
  443: 'HTTPS',
  445: 'SMB',
  465: 'SMTPS',
  587: 'SMTP submission',
  636: 'LDAPS',
  993: 'IMAPS',
  995: 'POP3S',
  1433: 'SQL Server',
  1521: 'Oracle',
  2049: 'NFS',
  2379: 'etcd',
  3306: 'MySQL',
  3389: 'RDP',
  5432: 'PostgreSQL',
  5672: 'AMQP',
  6379: 'Redis',
  6443: 'Kubernetes API',
  8080: 'HTTP alternate',
  8443: 'HTTPS alternate',
  9092: 'Kafka',
  9200: 'Elasticsearch',
  11211: 'memcached',
  27017: 'MongoDB',
};

// ---------------------------------------------------------------------------------------------
// Times

const pad = (n: number): string => String(n).padStart(2, '0');

/** Epoch ms -> 'YYYY-MM-DD HH:MM:SS' in the browser's time zone. */
export function formatLocalDateTime(ms: number): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return '–';
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
  );
}

/** Epoch ms -> 'MM-DD HH:MM:SS' in the browser's time zone (table cells). */
export function formatShortDateTime(ms: number): string {
  const full = formatLocalDateTime(ms);
  return full === '–' ? full : full.slice(5);
}

/** Epoch ms -> ISO 8601 in UTC, or '–' when out of range. */
export function formatIso(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? '–' : d.toISOString();
}

/** A [from, to) range for a header: '2026-05-04 13:42 – 13:43 (1 min)', the date once when one day. */
export function formatRange(from: number, to: number): string {
  const a = formatLocalDateTime(from);
  const b = formatLocalDateTime(to);
  if (a === '–' || b === '–') return '–';
  const hm = (s: string): string => (s.endsWith(':00') ? s.slice(0, -3) : s);
  const end = a.slice(0, 10) === b.slice(0, 10) ? b.slice(11) : b;
  return `${hm(a)} – ${hm(end)} (${formatDuration(to - from)})`;
}

// ---------------------------------------------------------------------------------------------
// Values

/** What a missing value (`-` in the log) reads as. */
export const NO_VALUE = '–';

/** Fields whose value is an epoch-seconds time. */
const SECONDS_FIELDS = new Set(['start', 'end']);

/**
 * The compact text of a field's value for a table cell: times local, protocol by name, bytes
 * scaled, counts with separators, an ICMP dstport as type/code. `record` gives context (protocol).
 */
export function formatRecordValue(name: string, value: RecordValue, record?: ApiRecord): string {
  if (value === null || value === undefined || value === '') return NO_VALUE;
  if (typeof value !== 'number') return String(value);
  switch (name) {
    case 'window':
      return formatShortDateTime(value);
    case 'protocol':
      return protocolName(value);
    case 'bytes':
      return formatBytes(value);
    case 'packets':
      return formatInteger(value);
    case 'dstport': {
      const icmp = decodeIcmp(value, record?.protocol);
      return icmp ? `${icmp.type}/${icmp.code}` : String(value);
    }
    case 'tcp-flags':
      return tcpFlagsText(value) ?? String(value);
  }
  if (SECONDS_FIELDS.has(name)) return formatShortDateTime(value * 1000);
  return String(value);
}

export interface FieldDetail {
  name: string;
  /** The value exactly as stored ('-' for none). */
  raw: string;
  /** The value decoded for people, or null when the raw value says it all. */
  decoded: string | null;
  description: string;
}

/** One field of a record for the detail pane. */
export function fieldDetail(name: string, record: ApiRecord): FieldDetail {
  const value = record[name];
  const raw = value === null || value === undefined ? '-' : String(value);
  return { name, raw, decoded: decodeValue(name, value, record), description: describeField(name) };
}

/** Every field of a record for the detail pane: storage fields first, then the record's own order. */
export function recordDetails(record: ApiRecord): FieldDetail[] {
  const names = [
    ...STORAGE_FIELD_NAMES.filter((n) => n in record),
    ...Object.keys(record).filter((n) => !STORAGE_FIELDS.has(n)),
  ];
  return names.map((n) => fieldDetail(n, record));
}

function decodeValue(name: string, value: RecordValue, record: ApiRecord): string | null {
  if (value === null || value === undefined) return 'no value (- in the log)';
  if (typeof value === 'string') {
    switch (name) {
      case 'action':
        return ACTION_MEANING[value] ?? null;
      case 'log-status':
        return LOG_STATUS_MEANING[value] ?? null;
      case 'srcregionid':
      case 'dstregionid':
      case 'region-id':
        return isKnownRegion(value) ? regionInfo(value).name : null;
    }
    return null;
  }
  switch (name) {
    case 'window':
      return `${formatLocalDateTime(value)} local · ${formatIso(value)}`;
    case 'start':
    case 'end':
      return timeDetail(name, value, record);
    case 'protocol':
      return protocolName(value);
    case 'bytes': {
      const packets = record.packets;
      const per =
        typeof packets === 'number' && packets > 0
          ? ` · ${formatInteger(value / packets)} B per packet`
          : '';
      const scaled = value >= 1000 ? `${formatBytes(value)} · ` : '';
      return `${scaled}${formatInteger(value)} bytes${per}`;
    }
    case 'packets':
      return value >= 1000 ? `${formatCount(value)} packets (${formatInteger(value)})` : null;
    case 'srcport':
    case 'dstport': {
      if (record.protocol === PROTOCOL_ICMP || record.protocol === PROTOCOL_ICMPV6) {
        if (name === 'srcport') return 'not used by ICMP';
        const icmp = decodeIcmp(value, record.protocol);
        return icmp ? `ICMP type/code ${icmp.text}` : null;
      }
      return PORT_SERVICES[value] ?? null;
    }
    case 'tcp-flags':
      return tcpFlagsText(value);
  }
  return null;
}

function timeDetail(name: 'start' | 'end', seconds: number, record: ApiRecord): string {
  const ms = seconds * 1000;
  const other = record[name === 'start' ? 'end' : 'start'];
  const base = `${formatLocalDateTime(ms)} local · ${formatIso(ms)}`;
  if (typeof other !== 'number') return base;
  const span = Math.abs(other - seconds) * 1000;
  return `${base} · flow lasted ${formatDuration(span)}`;
}
