// The one table of flow-record fields. Every field is declared here once: its documented name, type,
// the FlowRecord property it is parsed into, where it first appeared, the store column that keeps
// it, whether the query language filters it (and a bare keyword looks in it), whether records sort
// by it, and how the record table shows it. The parser, the store, the query compiler, the API and
// the client derive from this table. No Node and no DOM here. Field names are the documented ones,
// as users see and type them.
import type { FlowRecord } from './record.ts';

/** How a field's token is validated and stored. `-` is always accepted and stored as null. */
export type FieldType =
  | 'version' // `2`, `5`, `V1`: digits, optionally prefixed by V or v; kept as text
  | 'string' // any token, kept as written
  | 'addr' // an IPv4 or IPv6 address
  | 'port' // 0-65535
  | 'protocol' // IANA protocol number, 0-255
  | 'int' // small non-negative integer (flags, codes), at most 2^31 - 1
  | 'long' // non-negative safe integer (counters, epoch seconds)
  | 'action' // ACCEPT or REJECT
  | 'status'; // OK, NODATA or SKIPDATA

/** The FlowRecord property a core field is stored in. */
export type RecordKey = Exclude<keyof FlowRecord, 'format' | 'extra'>;

/** Where a field first appeared: an AWS flow-log version, Tencent Cloud's CCN format, or the store. */
export type FieldOrigin = 'v2' | 'v3' | 'v4' | 'v5' | 'v6' | 'v7' | 'v8' | 'ccn' | 'store';

/** How the record table draws a field's cells. */
export type CellKind = 'time' | 'text' | 'mono' | 'number' | 'protocol' | 'action' | 'status';

/** A record-table column: its header, minimum width (CSS px) and cell kind. */
export interface FieldShow {
  label: string;
  width: number;
  cell: CellKind;
}

export interface FieldInfo {
  name: string;
  type: FieldType;
  /** The FlowRecord property, 'extra' for fields kept in `record.extra`, 'stored' for storage fields. */
  key: RecordKey | 'extra' | 'stored';
  origin: FieldOrigin;
  /** One line for people (the record detail pane, the query help). */
  description: string;
  /** Column of the store's `records` table, or null (custom fields live in its `extra` JSON). */
  column: string | null;
  /** Address fields: the numeric column holding the address as a 128-bit integer. */
  ipColumn: string | null;
  /** The query language can filter on the field. */
  query: boolean;
  /** A bare keyword is looked for in the field. */
  keyword: boolean;
  /** Record pages can be sorted by it (numeric columns). */
  sort: boolean;
  /** Offered as a record-table column, or null. */
  show: FieldShow | null;
}

/** A flow-log field: parsed into a FlowRecord property or kept in `extra`. */
export interface FlowFieldInfo extends FieldInfo {
  key: RecordKey | 'extra';
}

type Spec = [type: FieldType, key: RecordKey | 'extra', origin: FieldOrigin];

// name: [type, FlowRecord key or 'extra', origin]; every field's line of help is in DESCRIPTIONS.
const TABLE = {
  // v2
  version: ['version', 'version', 'v2'],
  'account-id': ['string', 'accountId', 'v2'],
  'interface-id': ['string', 'interfaceId', 'v2'],
  srcaddr: ['addr', 'srcaddr', 'v2'],
  dstaddr: ['addr', 'dstaddr', 'v2'],
  srcport: ['port', 'srcport', 'v2'],
  dstport: ['port', 'dstport', 'v2'],
  protocol: ['protocol', 'protocol', 'v2'],
  packets: ['long', 'packets', 'v2'],
  bytes: ['long', 'bytes', 'v2'],
  start: ['long', 'start', 'v2'],
  end: ['long', 'end', 'v2'],
  action: ['action', 'action', 'v2'],
  'log-status': ['status', 'logStatus', 'v2'],
  // v3
  'vpc-id': ['string', 'extra', 'v3'],
  'subnet-id': ['string', 'extra', 'v3'],
  'instance-id': ['string', 'extra', 'v3'],
  'tcp-flags': ['int', 'extra', 'v3'],
  type: ['string', 'extra', 'v3'],
  'pkt-srcaddr': ['addr', 'extra', 'v3'],
  'pkt-dstaddr': ['addr', 'extra', 'v3'],
  // v4
  region: ['string', 'extra', 'v4'],
  'az-id': ['string', 'extra', 'v4'],
  'sublocation-type': ['string', 'extra', 'v4'],
  'sublocation-id': ['string', 'extra', 'v4'],
  // v5
  'pkt-src-aws-service': ['string', 'extra', 'v5'],
  'pkt-dst-aws-service': ['string', 'extra', 'v5'],
  'flow-direction': ['string', 'extra', 'v5'],
  'traffic-path': ['int', 'extra', 'v5'],
  // v6
  'resource-type': ['string', 'extra', 'v6'],
  'tgw-id': ['string', 'extra', 'v6'],
  'tgw-attachment-id': ['string', 'extra', 'v6'],
  'tgw-src-vpc-account-id': ['string', 'extra', 'v6'],
  'tgw-dst-vpc-account-id': ['string', 'extra', 'v6'],
  'tgw-src-vpc-id': ['string', 'extra', 'v6'],
  'tgw-dst-vpc-id': ['string', 'extra', 'v6'],
  'tgw-src-subnet-id': ['string', 'extra', 'v6'],
  'tgw-dst-subnet-id': ['string', 'extra', 'v6'],
  'tgw-src-eni': ['string', 'extra', 'v6'],
  'tgw-dst-eni': ['string', 'extra', 'v6'],
  'tgw-src-az-id': ['string', 'extra', 'v6'],
  'tgw-dst-az-id': ['string', 'extra', 'v6'],
  'tgw-pair-attachment-id': ['string', 'extra', 'v6'],
  'packets-lost-no-route': ['long', 'extra', 'v6'],
  'packets-lost-blackhole': ['long', 'extra', 'v6'],
  'packets-lost-mtu-exceeded': ['long', 'extra', 'v6'],
  'packets-lost-ttl-expired': ['long', 'extra', 'v6'],
  // v7
  'ecs-cluster-arn': ['string', 'extra', 'v7'],
  'ecs-cluster-name': ['string', 'extra', 'v7'],
  'ecs-container-instance-arn': ['string', 'extra', 'v7'],
  'ecs-container-instance-id': ['string', 'extra', 'v7'],
  'ecs-container-id': ['string', 'extra', 'v7'],
  'ecs-second-container-id': ['string', 'extra', 'v7'],
  'ecs-service-name': ['string', 'extra', 'v7'],
  'ecs-task-definition-arn': ['string', 'extra', 'v7'],
  'ecs-task-arn': ['string', 'extra', 'v7'],
  'ecs-task-id': ['string', 'extra', 'v7'],
  // v8
  'reject-reason': ['string', 'extra', 'v8'],
  // Tencent Cloud CCN
  ccnid: ['string', 'ccnId', 'ccn'],
  srcregionid: ['string', 'srcRegion', 'ccn'],
  dstregionid: ['string', 'dstRegion', 'ccn'],
  'region-id': ['string', 'regionId', 'ccn'],
} satisfies Record<string, Spec>;

const DESCRIPTIONS: Record<keyof typeof TABLE, string> = {
  // v2
  version: 'flow-log version: AWS writes 2 to 8, Tencent 2 or V1',
  'account-id': 'account that owns the interface (AWS account, Tencent APPID)',
  'interface-id': 'network interface (ENI) the traffic was recorded on',
  srcaddr: 'source address of the traffic, as seen by the interface',
  dstaddr: 'destination address of the traffic, as seen by the interface',
  srcport: 'source port; 0 for protocols without ports',
  dstport: 'destination port; for ICMP, Tencent packs type and code here',
  protocol: 'IANA protocol number: 6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6',
  packets: 'packets of the flow in the capture window',
  bytes: 'bytes of the flow in the capture window',
  start: 'first packet of the flow in the window, epoch seconds',
  end: 'last packet of the flow in the window, epoch seconds',
  action: 'ACCEPT or REJECT, by security groups and network ACLs',
  'log-status': 'OK; NODATA: no traffic in the window; SKIPDATA: records were skipped',
  // v3
  'vpc-id': 'VPC of the interface',
  'subnet-id': 'subnet of the interface',
  'instance-id': 'instance the interface is attached to, if any',
  'tcp-flags':
    'OR of the TCP flags seen in the window: FIN 1, SYN 2, RST 4, PSH 8, ACK 16, URG 32; SYN-ACK is 18',
  type: 'traffic type: IPv4, IPv6 or EFA',
  'pkt-srcaddr': 'packet-level source address (the original source before NAT)',
  'pkt-dstaddr': 'packet-level destination address (the original destination)',
  // v4
  region: 'region of the interface',
  'az-id': 'availability zone id of the interface',
  'sublocation-type': 'sublocation kind: wavelength, outpost or localzone',
  'sublocation-id': 'sublocation id',
  // v5
  'pkt-src-aws-service': 'cloud service the source address belongs to (S3, AMAZON...)',
  'pkt-dst-aws-service': 'cloud service the destination address belongs to',
  'flow-direction': 'ingress or egress, relative to the interface',
  'traffic-path': 'path of egress traffic, 1-8 (1 within the VPC, 2 internet gateway...)',
  // v6
  'resource-type': 'kind of resource that wrote the record (TransitGateway)',
  'tgw-id': 'transit gateway',
  'tgw-attachment-id': 'transit gateway attachment',
  'tgw-src-vpc-account-id': 'account of the source VPC',
  'tgw-dst-vpc-account-id': 'account of the destination VPC',
  'tgw-src-vpc-id': 'source VPC',
  'tgw-dst-vpc-id': 'destination VPC',
  'tgw-src-subnet-id': 'source subnet',
  'tgw-dst-subnet-id': 'destination subnet',
  'tgw-src-eni': 'source transit gateway attachment ENI',
  'tgw-dst-eni': 'destination transit gateway attachment ENI',
  'tgw-src-az-id': 'availability zone of the source attachment',
  'tgw-dst-az-id': 'availability zone of the destination attachment',
  'tgw-pair-attachment-id': 'the other attachment of the flow',
  'packets-lost-no-route': 'packets dropped: no route',
  'packets-lost-blackhole': 'packets dropped: blackhole route',
  'packets-lost-mtu-exceeded': 'packets dropped: larger than the MTU',
  'packets-lost-ttl-expired': 'packets dropped: TTL expired',
  // v7
  'ecs-cluster-arn': 'ECS cluster (ARN)',
  'ecs-cluster-name': 'ECS cluster name',
  'ecs-container-instance-arn': 'ECS container instance (ARN)',
  'ecs-container-instance-id': 'ECS container instance id',
  'ecs-container-id': 'Docker id of the first container of the task',
  'ecs-second-container-id': 'Docker id of the second container of the task',
  'ecs-service-name': 'ECS service name',
  'ecs-task-definition-arn': 'ECS task definition (ARN)',
  'ecs-task-arn': 'ECS task (ARN)',
  'ecs-task-id': 'ECS task id',
  // v8
  'reject-reason': 'why the traffic was rejected: BPA (block public access)',
  // Tencent Cloud CCN
  ccnid: 'cloud connect network (CCN) instance that carried the traffic',
  srcregionid: 'region the traffic came from',
  dstregionid: 'region the traffic went to',
  'region-id': 'region that wrote the record',
};

interface Stored {
  column: string;
  query?: boolean;
  keyword?: boolean;
  sort?: boolean;
  show: FieldShow;
}
const show = (label: string, width: number, cell: CellKind): FieldShow => ({ label, width, cell });

/**
 * Where the store keeps each core field, how queries use it and how the record table shows it, in
 * the table's column order. Fields not listed are custom fields: kept in the `extra` JSON column
 * and shown in the detail pane.
 */
const STORED: Partial<Record<keyof typeof TABLE, Stored>> = {
  start: { column: 'start_s', query: true, sort: true, show: show('Start', 118, 'time') },
  end: { column: 'end_s', query: true, sort: true, show: show('End', 118, 'time') },
  version: { column: 'version', query: true, keyword: true, show: show('Ver', 44, 'text') },
  'account-id': {
    column: 'account_id',
    query: true,
    keyword: true,
    show: show('Account', 110, 'mono'),
  },
  'interface-id': {
    column: 'interface_id',
    query: true,
    keyword: true,
    show: show('Interface', 130, 'mono'),
  },
  srcaddr: { column: 'srcaddr', query: true, keyword: true, show: show('Source', 132, 'mono') },
  srcport: { column: 'srcport', query: true, sort: true, show: show('Sport', 58, 'number') },
  dstaddr: {
    column: 'dstaddr',
    query: true,
    keyword: true,
    show: show('Destination', 132, 'mono'),
  },
  dstport: { column: 'dstport', query: true, sort: true, show: show('Dport', 58, 'number') },
  protocol: { column: 'protocol', query: true, sort: true, show: show('Proto', 62, 'protocol') },
  packets: { column: 'packets', query: true, sort: true, show: show('Packets', 72, 'number') },
  bytes: { column: 'bytes', query: true, sort: true, show: show('Bytes', 72, 'number') },
  action: { column: 'action', query: true, keyword: true, show: show('Action', 74, 'action') },
  'log-status': {
    column: 'log_status',
    query: true,
    keyword: true,
    show: show('Status', 76, 'status'),
  },
  ccnid: { column: 'ccn_id', query: true, keyword: true, show: show('CCN', 120, 'mono') },
  srcregionid: {
    column: 'src_region',
    query: true,
    keyword: true,
    show: show('Src region', 112, 'text'),
  },
  dstregionid: {
    column: 'dst_region',
    query: true,
    keyword: true,
    show: show('Dst region', 112, 'text'),
  },
  'region-id': {
    column: 'region_id',
    query: true,
    keyword: true,
    show: show('Region', 112, 'text'),
  },
};

/** Custom fields the record table offers as a column (read from `extra`). */
const EXTRA_SHOWN: Partial<Record<keyof typeof TABLE, FieldShow>> = {
  'tcp-flags': show('TCP flags', 96, 'text'),
};

/** Numeric address columns of the address fields kept in columns. */
const IP_COLUMNS: Partial<Record<keyof typeof TABLE, string>> = {
  srcaddr: 'src_ip',
  dstaddr: 'dst_ip',
};

/** Every known flow-log field, by documented name (what a header line may name). */
export const FIELDS: ReadonlyMap<string, FlowFieldInfo> = new Map(
  (Object.keys(TABLE) as Array<keyof typeof TABLE>).map((name): [string, FlowFieldInfo] => {
    const [type, key, origin] = TABLE[name] as Spec;
    const stored = STORED[name];
    const info: FlowFieldInfo = {
      name,
      type,
      key,
      origin,
      description: DESCRIPTIONS[name],
      column: stored?.column ?? null,
      ipColumn: IP_COLUMNS[name] ?? null,
      query: stored?.query ?? false,
      keyword: stored?.keyword ?? false,
      sort: stored?.sort ?? false,
      show: stored?.show ?? EXTRA_SHOWN[name] ?? null,
    };
    return [name, Object.freeze(info)];
  }),
);

export function fieldInfo(name: string): FlowFieldInfo | undefined {
  return FIELDS.get(name);
}

export function isKnownField(name: string): boolean {
  return FIELDS.has(name);
}

function storageField(
  name: string,
  type: FieldType,
  column: string,
  description: string,
  query: boolean,
  sort: boolean,
  shown: FieldShow,
): [string, FieldInfo] {
  const info: FieldInfo = {
    name,
    type,
    key: 'stored',
    origin: 'store',
    description,
    column,
    ipColumn: null,
    query,
    keyword: false,
    sort,
    show: shown,
  };
  return [name, Object.freeze(info)];
}

/** What the store adds to every record: where and when it was stored. Not flow-log fields. */
export const STORAGE_FIELDS: ReadonlyMap<string, FieldInfo> = new Map([
  storageField(
    'topic',
    'string',
    'topic',
    'log topic the record was written to',
    true,
    false,
    show('Topic', 130, 'text'),
  ),
  storageField(
    'stream',
    'string',
    'stream',
    'log stream of the record: the ENI, or for CCN `ccnid/region-id`',
    true,
    false,
    show('Stream', 130, 'text'),
  ),
  storageField(
    'window',
    'long',
    'window_start',
    'start of the capture window the record was counted in',
    false,
    true,
    show('Window', 118, 'time'),
  ),
  storageField(
    'seq',
    'long',
    'seq',
    'arrival order in the store: unique, increasing',
    false,
    true,
    show('Seq', 80, 'number'),
  ),
]);

/** Where the storage fields stand among the core fields in the record table. */
const TABLE_ORDER: readonly string[] = [
  'window',
  'start',
  'end',
  'topic',
  'stream',
  'seq',
  ...Object.keys(STORED).filter((n) => n !== 'start' && n !== 'end'),
];

/**
 * Every field of a stored record: the storage and core fields in the record table's column order,
 * then the custom fields. What the API returns and the client lists.
 */
export const RECORD_FIELDS: ReadonlyMap<string, FieldInfo> = new Map([
  ...TABLE_ORDER.map((name): [string, FieldInfo] => [
    name,
    STORAGE_FIELDS.get(name) ?? FIELDS.get(name)!,
  ]),
  ...[...FIELDS].filter(([name]) => !TABLE_ORDER.includes(name)),
]);

/** Names of the fields records can be sorted by, in table order. */
export const SORT_FIELD_NAMES: readonly string[] = Object.freeze(
  [...RECORD_FIELDS.values()].filter((f) => f.sort).map((f) => f.name),
);

/** Tencent ENI and NAT gateway flow logs: the AWS v2 default format, 14 fields. */
export const ENI_FIELDS: readonly string[] = Object.freeze([
  'version',
  'account-id',
  'interface-id',
  'srcaddr',
  'dstaddr',
  'srcport',
  'dstport',
  'protocol',
  'packets',
  'bytes',
  'start',
  'end',
  'action',
  'log-status',
]);

/** Tencent cross-region CCN flow logs: 16 fields, in this order. */
export const CCN_FIELDS: readonly string[] = Object.freeze([
  'srcaddr',
  'dstregionid',
  'dstport',
  'start',
  'dstaddr',
  'version',
  'packets',
  'ccnid',
  'protocol',
  'srcregionid',
  'bytes',
  'action',
  'region-id',
  'srcport',
  'end',
  'log-status',
]);

const protocolNames: ReadonlyMap<number, string> = new Map([
  [0, 'HOPOPT'],
  [1, 'ICMP'],
  [2, 'IGMP'],
  [4, 'IPIP'],
  [6, 'TCP'],
  [17, 'UDP'],
  [41, 'IPv6'],
  [43, 'IPv6-Route'],
  [44, 'IPv6-Frag'],
  [47, 'GRE'],
  [50, 'ESP'],
  [51, 'AH'],
  [58, 'ICMPv6'],
  [59, 'IPv6-NoNxt'],
  [60, 'IPv6-Opts'],
  [88, 'EIGRP'],
  [89, 'OSPF'],
  [103, 'PIM'],
  [112, 'VRRP'],
  [115, 'L2TP'],
  [132, 'SCTP'],
  [136, 'UDPLite'],
  [137, 'MPLS-in-IP'],
]);

/** IANA keyword of a protocol number (6 -> 'TCP'); the number as text when it is not a common one. */
export function protocolName(n: number): string {
  return protocolNames.get(n) ?? String(n);
}
