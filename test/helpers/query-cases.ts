// The query language's case table: test records and, for each query, the records it must pick.
// Every backend runs it (DuckDB, ClickHouse), and so does the live tail's in-memory matcher: they
// all give the same answers.
import { buildFilter } from '../../shared/query/index.ts';
import type { MatchRecord } from '../../shared/query/match.ts';

/** One test record; `id` is stored as seq. Missing fields are NULL (as `-` in a log line). */
export interface Row {
  id: number;
  topic: string;
  stream: string;
  version?: string;
  account?: string;
  eni?: string;
  src?: string;
  dst?: string;
  sp?: number;
  dp?: number;
  proto?: number;
  packets?: number;
  bytes?: number;
  action?: 'ACCEPT' | 'REJECT';
  status: 'OK' | 'NODATA' | 'SKIPDATA';
  ccn?: string;
  srcRegion?: string;
  dstRegion?: string;
  region?: string;
}

export const T0 = 1_700_000_000;
const A1 = '1250000001';
const A2 = '1250000002';

const eni = (
  id: number,
  eniId: string,
  src: string,
  sp: number,
  dst: string,
  dp: number,
  proto: number,
  action: 'ACCEPT' | 'REJECT',
  more: Partial<Row> = {},
): Row => ({
  id,
  topic: 'topic-eni',
  stream: eniId,
  version: '2',
  account: A1,
  eni: eniId,
  src,
  dst,
  sp,
  dp,
  proto,
  packets: 10,
  bytes: 1000,
  action,
  status: 'OK',
  ...more,
});

const ccn = (
  id: number,
  ccnId: string,
  region: string,
  src: string,
  dst: string,
  srcRegion: string,
  dstRegion: string,
  dp: number,
  proto: number,
  action: 'ACCEPT' | 'REJECT',
  more: Partial<Row> = {},
): Row => ({
  id,
  topic: 'topic-ccn',
  stream: `${ccnId}/${region}`,
  version: 'V1',
  src,
  dst,
  sp: 40000 + id,
  dp,
  proto,
  packets: 100,
  bytes: 64000,
  action,
  status: 'OK',
  ccn: ccnId,
  srcRegion,
  dstRegion,
  region,
  ...more,
});

export const ROWS: Row[] = [
  eni(1, 'eni-7m2k', '10.0.1.5', 443, '203.0.113.9', 51000, 6, 'ACCEPT', {
    packets: 20,
    bytes: 5000,
  }),
  eni(2, 'eni-7m2k', '203.0.113.9', 51000, '10.0.1.5', 443, 6, 'ACCEPT'),
  eni(3, 'eni-7m2k', '198.51.100.23', 40000, '10.0.1.5', 22, 6, 'REJECT', {
    packets: 1,
    bytes: 60,
  }),
  eni(4, 'eni-7m2k', '198.51.100.23', 40001, '10.0.1.5', 3389, 6, 'REJECT', {
    packets: 1,
    bytes: 60,
  }),
  eni(5, 'eni-7m2k', '10.0.1.5', 53000, '10.0.0.2', 53, 17, 'ACCEPT', { packets: 2, bytes: 180 }),
  eni(6, 'eni-7m2k', '10.0.1.5', 0, '8.8.8.8', 2048, 1, 'ACCEPT', { packets: 4, bytes: 336 }),
  eni(7, 'eni-9abc', '172.16.5.4', 33000, '10.0.2.8', 3306, 6, 'ACCEPT', { account: A2 }),
  {
    id: 8,
    topic: 'topic-eni',
    stream: 'eni-9abc',
    version: '2',
    account: A2,
    eni: 'eni-9abc',
    status: 'NODATA',
  },
  {
    id: 9,
    topic: 'topic-eni',
    stream: 'eni-9abc',
    version: '2',
    account: A2,
    eni: 'eni-9abc',
    status: 'SKIPDATA',
  },
  eni(10, 'eni-9abc', '2001:db8::10', 1234, '2001:db8:1::20', 80, 6, 'ACCEPT', { account: A2 }),
  eni(11, 'eni-9abc', '2001:db8:1::20', 80, '2001:DB8::10', 1234, 6, 'ACCEPT', { account: A2 }),
  eni(12, 'eni-9abc', 'fe80::1', 546, 'ff02::1:2', 547, 17, 'ACCEPT', { account: A2 }),
  eni(13, 'eni-9abc', 'fd00:1::5', 50123, '2400:cb00::1', 443, 6, 'REJECT', { account: A2 }),
  eni(14, 'eni-9abc', '2001:db8::10', 0, '2001:db8:1::20', 32768, 58, 'ACCEPT', { account: A2 }),
  eni(15, 'eni-nat1', '10.0.3.7', 50000, '93.184.216.34', 80, 6, 'ACCEPT', { topic: 'topic-nat' }),
  eni(16, 'eni-nat1', '10.0.3.8', 50001, '93.184.216.34', 443, 6, 'ACCEPT', {
    topic: 'topic-nat',
    packets: 3_500_000,
    bytes: 5_000_000_000,
  }),
  eni(17, 'eni-nat1', '::ffff:10.0.3.9', 50002, '93.184.216.34', 443, 6, 'ACCEPT', {
    topic: 'topic-nat',
  }),
  eni(18, 'eni-nat1', '10.0.3.7', 50003, '1.1.1.1', 853, 6, 'REJECT', {
    topic: 'topic-nat',
    account: A2,
  }),
  eni(19, 'eni-nat1', '10.0.3.10', 50004, '9.9.9.9', 53, 17, 'ACCEPT', {
    topic: 'topic-nat',
    version: 'V1',
  }),
  eni(20, 'eni-7m2k', '10.0.1.5', 0, '10.0.9.9', 0, 47, 'ACCEPT'),
  ccn(
    21,
    'ccn-abc',
    'ap-guangzhou',
    '10.10.1.1',
    '10.20.1.1',
    'ap-guangzhou',
    'ap-shanghai',
    443,
    6,
    'ACCEPT',
  ),
  ccn(
    22,
    'ccn-abc',
    'ap-shanghai',
    '10.20.1.1',
    '10.10.1.1',
    'ap-shanghai',
    'ap-guangzhou',
    40022,
    6,
    'ACCEPT',
  ),
  ccn(
    23,
    'ccn-abc',
    'ap-guangzhou',
    '10.10.1.2',
    '10.30.1.1',
    'ap-guangzhou',
    'ap-beijing',
    443,
    6,
    'REJECT',
  ),
  ccn(
    24,
    'ccn-abc',
    'ap-beijing',
    '10.30.1.1',
    '10.10.1.2',
    'ap-beijing',
    'ap-guangzhou',
    4789,
    17,
    'ACCEPT',
  ),
  ccn(
    25,
    'ccn-xyz',
    'na-siliconvalley',
    '10.40.0.1',
    '10.10.1.1',
    'na-siliconvalley',
    'ap-guangzhou',
    22,
    6,
    'ACCEPT',
  ),
  {
    id: 26,
    topic: 'topic-ccn',
    stream: 'ccn-xyz/ap-hongkong',
    version: 'V1',
    ccn: 'ccn-xyz',
    region: 'ap-hongkong',
    status: 'NODATA',
  },
  ccn(
    27,
    'ccn-abc',
    'ap-guangzhou',
    '2402:4e00:1::1',
    '2402:4e00:2::1',
    'ap-guangzhou',
    'ap-shanghai',
    443,
    6,
    'ACCEPT',
  ),
  ccn(
    28,
    'ccn-xyz',
    'na-siliconvalley',
    '10.40.0.2',
    '10.20.1.1',
    'na-siliconvalley',
    'ap-shanghai',
    8080,
    6,
    'REJECT',
  ),
  eni(29, 'eni_test%1', '10.0.5.5', 1000, '10.0.5.6', 2000, 6, 'ACCEPT', { topic: 'topic-odd' }),
  eni(30, 'eni-7m2k', '10.0.1.5', 8080, '10.0.1.6', 65535, 132, 'ACCEPT', { packets: 1, bytes: 0 }),
];
export const ALL = ROWS.map((r) => r.id);

/** A test row as the record the live tail filters in memory (the same values the table holds). */
export function memoryRecord(r: Row): MatchRecord {
  const timed = r.status === 'OK' || r.status === 'NODATA';
  return {
    format: r.ccn ? 'ccn' : 'eni',
    topicId: r.topic,
    streamId: r.stream,
    version: r.version ?? null,
    accountId: r.account ?? null,
    interfaceId: r.eni ?? null,
    srcaddr: r.src ?? null,
    dstaddr: r.dst ?? null,
    srcport: r.sp ?? null,
    dstport: r.dp ?? null,
    protocol: r.proto ?? null,
    packets: r.packets ?? null,
    bytes: r.bytes ?? null,
    start: timed ? T0 + r.id : null,
    end: timed ? T0 + r.id + 30 : null,
    action: r.action ?? null,
    logStatus: r.status,
    ccnId: r.ccn ?? null,
    srcRegion: r.srcRegion ?? null,
    dstRegion: r.dstRegion ?? null,
    regionId: r.region ?? null,
    extra: null,
  };
}

const not = (...except: number[]): number[] => ALL.filter((id) => !except.includes(id));
const ccnIds = [21, 22, 23, 24, 25, 26, 27, 28];

export const QUERY_CASES: ReadonlyArray<readonly [string, readonly number[]]> = [
  ['', ALL],
  ['*', ALL],
  // equality on each kind of field
  ['topic:topic-nat', [15, 16, 17, 18, 19]],
  ['stream:ccn-abc/ap-guangzhou', [21, 23, 27]],
  ['interface-id:eni-7m2k', [1, 2, 3, 4, 5, 6, 20, 30]],
  ['account-id:1250000002', [7, 8, 9, 10, 11, 12, 13, 14, 18]],
  ['version:v1', [19, ...ccnIds]],
  ['version:2', not(19, ...ccnIds)],
  ['srcport:443', [1]],
  ['dstport:443', [2, 13, 16, 17, 21, 23, 27]],
  ['protocol:17', [5, 12, 19, 24]],
  ['protocol:UDP', [5, 12, 19, 24]],
  ['protocol:icmp', [6]],
  ['protocol:icmpv6', [14]],
  ['protocol:gre OR protocol:sctp', [20, 30]],
  ['action:reject', [3, 4, 13, 18, 23, 28]],
  ['log-status:nodata', [8, 26]],
  ['log-status:SKIPDATA', [9]],
  ['ccnid:ccn-xyz', [25, 26, 28]],
  ['srcregionid:ap-guangzhou', [21, 23, 27]],
  ['dstregionid:ap-shanghai', [21, 27, 28]],
  ['region-id:na-siliconvalley', [25, 28]],
  ['packets:1', [3, 4, 30]],
  ['bytes:5000000000', [16]],
  [`start:${T0 + 8}`, [8]],
  // addresses: numeric equality, whatever the written form
  ['srcaddr:10.0.3.9', [17]],
  ['srcaddr:::ffff:10.0.3.9', [17]],
  ['dstaddr:2001:db8:0::10', [11]],
  ['srcaddr:2001:db8::10', [10, 14]],
  ['dstaddr:"ff02::1:2"', [12]],
  ['addr:10.0.1.5', [1, 2, 3, 4, 5, 6, 20, 30]],
  // CIDR v4 and v6, including blocks above 8000:: (unsigned 128-bit values)
  ['srcaddr:10.0.0.0/8', [1, 5, 6, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 28, 29, 30]],
  ['srcaddr:172.16.0.0/12', [7]],
  ['dstaddr:10.0.1.0/24', [2, 3, 4, 30]],
  ['addr:10.0.3.0/29', [15, 18]],
  ['addr:10.0.3.0/28', [15, 16, 17, 18, 19]],
  [
    'srcaddr:0.0.0.0/0',
    [1, 2, 3, 4, 5, 6, 7, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 28, 29, 30],
  ],
  [
    'srcaddr:::/0',
    [
      1, 2, 3, 4, 5, 6, 7, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 27, 28,
      29, 30,
    ],
  ],
  ['addr:2001:db8::/32', [10, 11, 14]],
  ['dstaddr:2001:db8:1::/48', [10, 14]],
  ['srcaddr:fe80::/10', [12]],
  ['addr:fc00::/7', [13]],
  ['dstaddr:ff00::/8', [12]],
  ['addr:2402:4e00::/32', [27]],
  ['srcaddr:10.0.3.7/32', [15, 18]],
  // address ranges and text prefixes
  ['srcaddr:[10.0.3.7 TO 10.0.3.9]', [15, 16, 17, 18]],
  ['srcaddr:{10.0.3.7 TO 10.0.3.9]', [16, 17]],
  ['dstaddr:>=fc00::', [12]],
  ['srcaddr:10.0.3.*', [15, 16, 18, 19]],
  ['srcaddr:2001:db8:*', [10, 11, 14]],
  // numeric ranges and comparisons
  ['dstport:[1 TO 1024]', [2, 3, 5, 10, 12, 13, 15, 16, 17, 18, 19, 21, 23, 25, 27]],
  ['dstport:{22 TO 443}', [5, 10, 15, 19]],
  ['dstport:[3306 TO *]', [1, 4, 7, 14, 22, 24, 28, 30]],
  ['dstport:>8080', [1, 14, 22, 30]],
  ['dstport:>=8080', [1, 14, 22, 28, 30]],
  ['packets:<2', [3, 4, 30]],
  ['packets:<=2', [3, 4, 5, 30]],
  ['bytes:>4294967296', [16]],
  [`end:[${T0 + 50} TO ${T0 + 55}]`, [20, 21, 22, 23, 24, 25]],
  [`start:<${T0 + 3}`, [1, 2]],
  ['port:22', [3, 25]],
  ['port:[50000 TO 51000]', [1, 2, 13, 15, 16, 17, 18, 19]],
  ['port:0', [6, 14, 20]],
  // exists / missing
  ['srcaddr:*', not(8, 9, 26)],
  ['ccnid:*', ccnIds],
  ['NOT action:*', [8, 9, 26]],
  ['start:*', not(9)],
  // NOT sees missing values as not matching
  ['NOT srcport:443', not(1)],
  ['NOT addr:10.0.0.0/8', [8, 9, 10, 11, 12, 13, 14, 26, 27]],
  ['NOT NOT srcport:443', [1]],
  // precedence: NOT > AND > OR; side by side is AND
  ['action:REJECT protocol:tcp', [3, 4, 13, 18, 23, 28]],
  ['action:REJECT AND port:22 OR ccnid:ccn-xyz', [3, 25, 26, 28]],
  ['action:REJECT AND (port:22 OR ccnid:ccn-xyz)', [3, 28]],
  ['ccnid:ccn-xyz OR port:22 action:REJECT', [3, 25, 26, 28]],
  ['NOT action:ACCEPT AND topic:topic-eni', [3, 4, 8, 9, 13]],
  ['NOT (action:ACCEPT OR topic:topic-eni)', [18, 23, 26, 28]],
  ['!protocol:tcp && topic:topic-nat || log-status:SKIPDATA', [9, 19]],
  // keywords: case-insensitive equality in text fields, trailing * for a prefix
  ['eni-9abc', [7, 8, 9, 10, 11, 12, 13, 14]],
  ['"ENI-9ABC"', [7, 8, 9, 10, 11, 12, 13, 14]],
  ['reject', [3, 4, 13, 18, 23, 28]],
  ['nodata', [8, 26]],
  ['ap-hongkong', [26]],
  ['ap-beijing', [23, 24]],
  ['1250000002', [7, 8, 9, 10, 11, 12, 13, 14, 18]],
  ['eni-7*', [1, 2, 3, 4, 5, 6, 20, 30]],
  ['AP-SHANG*', [21, 22, 27, 28]],
  ['93.184.*', [15, 16, 17]],
  ['eni', []],
  ['scanner', []],
  // keywords that are addresses or blocks compare as numbers on both address columns
  ['10.10.1.1', [21, 22, 25]],
  ['2001:db8::10', [10, 11, 14]],
  ['203.0.113.0/24', [1, 2]],
  ['fe80::/10', [12]],
  // LIKE metacharacters in user text are literal
  ['eni_*', [29]],
  ['interface-id:eni_*', [29]],
  ['interface-id:eni_test%*', [29]],
  ['interface-id:eni%*', []],
  ['interface-id:"eni_test%1"', [29]],
  // drill-down
  [buildFilter({ srcaddr: '10.0.1.5', dstport: 53, protocol: 17, action: 'ACCEPT' }), [5]],
  [buildFilter({ srcaddr: '2001:db8::10', dstaddr: '2001:db8:1::20', protocol: 58 }), [14]],
  [buildFilter({ srcregionid: 'ap-guangzhou', dstregionid: 'ap-beijing', action: 'REJECT' }), [23]],
];

/** Queries whose values look like SQL: each must match nothing and change nothing. */
export const INJECTIONS: readonly string[] = [
  `topic:"x' OR 1=1 --"`,
  `topic:"'; DROP TABLE records; --"`,
  `"') OR TRUE OR ('"`,
  `stream:x'--*`,
];
