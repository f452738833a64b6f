// The simulator's traffic: what every log stream of a catalog writes in one capture window, as
// lines of the exact wire formats. A pure function of (seed, catalog, stream, window start).
//
// Traffic is made of links: a set of clients talking to a set of servers with a mix of services
// (HTTPS, MySQL, DNS, ICMP echo...). Each conversation of a link is a request record and, unless
// rejected, a response record. A link is keyed by its endpoints, not by the stream that writes it,
// so the two ENIs of an internal conversation (web-01 -> app-02:8080) write the same flows, and
// the two regions of a CCN pair write the two halves of the same conversations.
import type { FlowLogInfo, StreamInfo, TopicInfo } from '../../shared/catalog.ts';
import type { Action } from '../../shared/record.ts';
import type { Catalog } from '../catalog/catalog.ts';
import { createRng, cumulative, hash32, mix32, unit, type Rng } from './random.ts';

/** Traffic is drawn per minute; a longer capture window merges its minutes per quintuple. */
const MINUTE_MS = 60_000;
const TCP = 6;
const UDP = 17;
const ICMP = 1;
/** Tencent packs ICMP type and code into dstport: type * 256 + code. */
const ICMP_ECHO_REQUEST = 8 * 256;
const ICMP_ECHO_REPLY = 0;
const ICMP_PORT_UNREACHABLE = 3 * 256 + 3;
const MSS = 1448;
const TCP_HEADER = 52;
const UDP_HEADER = 28;
const EPHEMERAL_MIN = 32768;
const EPHEMERAL_SPAN = 61000 - 32768;
/** Bursts are drawn per 15-minute block of a traffic domain. */
const BURST_BLOCK_MS = 15 * 60_000;
const BURST_CHANCE = 0.2;
/** Per stream and window: NODATA (no traffic) and SKIPDATA (capacity limit, records skipped). */
const NODATA_CHANCE = 0.012;
const SKIPDATA_CHANCE = 0.005;

export interface TrafficModelOptions {
  seed: number;
  /** Written in the account-id field of ENI and NAT records. */
  accountId: string;
  /** Version field of ENI/NAT records (Tencent writes `2` or `V1`) and of CCN records. */
  eniVersion?: string;
  ccnVersion?: string;
}

export type StreamKind = 'eni' | 'nat' | 'ccn';

export interface StreamModel {
  topicId: string;
  streamId: string;
  kind: StreamKind;
  /** The stream's capture window (its flow log's), ms. */
  windowMs: number;
  /** The window its topic aggregates in, ms (a multiple of windowMs). */
  topicWindowMs: number;
  /** The lines this stream writes for the capture window starting at windowStart (epoch ms, a multiple of windowMs). */
  lines(windowStart: number): string[];
}

// ---------------------------------------------------------------------------------------------
// Services and conversations

type ServiceKind = 'tcp' | 'udp' | 'echo' | 'unreach';

interface Service {
  kind: ServiceKind;
  /** Server port (tcp, udp). */
  port: number;
  weight: number;
  /** Median payload bytes the client sends and the server sends back. */
  up: number;
  down: number;
  /** Spread (log) of the larger side. */
  sigma: number;
  /** Chance of an elephant transfer, its size range, and which side sends it. */
  elephant?: { p: number; min: number; max: number; upload?: boolean };
}

const svc = (
  kind: ServiceKind,
  port: number,
  weight: number,
  up: number,
  down: number,
  sigma = 1,
  elephant?: Service['elephant'],
): Service =>
  elephant
    ? { kind, port, weight, up, down, sigma, elephant }
    : { kind, port, weight, up, down, sigma };

/** One direction of a conversation: a flow-log record before formatting. */
interface Half {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  protocol: number;
  packets: number;
  bytes: number;
  action: Action;
}

interface Link {
  /** Hash of (seed, key): with the window index, the seed of the link's conversations. */
  seed: number;
  /** Traffic domain: links of a domain share their daily shape and bursts. */
  domain: string;
  /** Conversations per window at full load. */
  rate: number;
  /** Rate does not follow the daily shape (monitoring). */
  steady: boolean;
  clients: readonly string[];
  /** Popularity skew of clients: index = n * u^skew (1 = uniform). */
  clientSkew: number;
  servers: readonly string[];
  services: readonly Service[];
  cum: readonly number[];
  /** REJECT: every conversation is rejected (request only). THROTTLE: CCN, some rejected in bursts. */
  mode: 'ACCEPT' | 'REJECT' | 'THROTTLE';
  /** Which halves the stream writes: both (ENI, NAT), the requests or the responses (a CCN region). */
  halves: 'both' | 'req' | 'resp';
  /** CCN: source and destination region of the requests. */
  regions?: [string, string];
}

interface LinkSpec {
  key: string;
  domain: string;
  rate: number;
  steady?: boolean;
  clients: readonly string[];
  clientSkew?: number;
  servers: readonly string[];
  services: readonly Service[];
  mode?: Link['mode'];
  halves?: Link['halves'];
  regions?: [string, string];
}

function makeLink(seed: number, s: LinkSpec): Link {
  return {
    seed: hash32(seed, 'link', s.key),
    domain: s.domain,
    rate: s.rate,
    steady: s.steady ?? false,
    clients: s.clients,
    clientSkew: s.clientSkew ?? 1,
    servers: s.servers,
    services: s.services,
    cum: cumulative(s.services.map((x) => x.weight)),
    mode: s.mode ?? 'ACCEPT',
    halves: s.halves ?? 'both',
    ...(s.regions ? { regions: s.regions } : {}),
  };
}

/** Load of a traffic domain in a window: the number of conversations scales with `count`, their size with `size`. */
interface Load {
  count: number;
  size: number;
  burst: number;
  daily: number;
}

/** Daily shape in Beijing time (UTC+8): trough 0.25 around 04:30, peak 1 around 16:30. */
export function dailyShape(windowStart: number): number {
  const hour = (((windowStart / 3_600_000 + 8) % 24) + 24) % 24;
  return 0.25 + 0.75 * (0.5 - 0.5 * Math.cos((2 * Math.PI * (hour - 4.5)) / 24));
}

/** Burst factor (1, or 3 to 8) of a domain in a window: a few multi-minute bursts a day per domain. */
export function burstFactor(seed: number, domain: string, windowStart: number): number {
  const block = Math.floor(windowStart / BURST_BLOCK_MS);
  let factor = 1;
  for (let b = block - 1; b <= block; b++) {
    const rng = createRng(hash32(seed, 'burst', domain, b));
    if (rng.next() >= BURST_CHANCE) continue;
    const start = b * BURST_BLOCK_MS + rng.int(0, 14) * MINUTE_MS;
    const duration = rng.int(2, 8) * MINUTE_MS;
    const f = 3 + rng.next() * 5;
    if (windowStart >= start && windowStart < start + duration) factor = Math.max(factor, f);
  }
  return factor;
}

function loadOf(seed: number, domain: string, windowStart: number): Load {
  const daily = dailyShape(windowStart);
  const burst = burstFactor(seed, domain, windowStart);
  const noise = 0.88 + 0.24 * unit(hash32(seed, 'noise', domain, windowStart / MINUTE_MS));
  // A burst brings both more flows and bigger ones: their product is the burst factor.
  const more = Math.min(Math.sqrt(burst), 2);
  return { count: daily * noise * more, size: burst / more, burst, daily };
}

/** Ephemeral ports: per (link, client, window) a base, then a few ports up for each new flow. */
class PortPlan {
  readonly #next = new Map<string, number>();
  constructor(readonly seed: number) {}
  take(client: string, rng: Rng): number {
    let p = this.#next.get(client);
    if (p === undefined) p = mix32(this.seed, hash32(client)) % EPHEMERAL_SPAN;
    this.#next.set(client, (p + rng.int(1, 9)) % EPHEMERAL_SPAN);
    return EPHEMERAL_MIN + p;
  }
}

function tcpHalves(
  rng: Rng,
  s: Service,
  size: number,
  client: string,
  cport: number,
  server: string,
): [Half, Half] {
  let up = rng.lognormal(s.up, 0.6);
  let down = rng.lognormal(s.down, s.sigma) * size;
  if (s.elephant && rng.next() < s.elephant.p) {
    const big = s.elephant.min + rng.next() * (s.elephant.max - s.elephant.min);
    if (s.elephant.upload) up = big;
    else down = big;
  } else if (s.up > s.down) up *= size;
  const upData = Math.ceil(up / MSS);
  const downData = Math.ceil(down / MSS);
  // Data segments, plus SYN/SYN-ACK and FIN, plus roughly one ACK for every two segments received.
  const reqPackets = upData + Math.ceil(downData / 2) + 3;
  const respPackets = downData + Math.ceil(upData / 2) + 2;
  return [
    {
      src: client,
      dst: server,
      sport: cport,
      dport: s.port,
      protocol: TCP,
      packets: reqPackets,
      bytes: Math.round(up) + reqPackets * TCP_HEADER,
      action: 'ACCEPT',
    },
    {
      src: server,
      dst: client,
      sport: s.port,
      dport: cport,
      protocol: TCP,
      packets: respPackets,
      bytes: Math.round(down) + respPackets * TCP_HEADER,
      action: 'ACCEPT',
    },
  ];
}

function udpHalves(
  rng: Rng,
  s: Service,
  size: number,
  client: string,
  cport: number,
  server: string,
): [Half, Half] {
  const big = Math.max(s.up, s.down) > 2000;
  const up = Math.max(20, Math.round(rng.lognormal(s.up, big ? s.sigma : 0.3) * (big ? size : 1)));
  const down = Math.max(
    20,
    Math.round(rng.lognormal(s.down, big ? s.sigma : 0.4) * (big ? size : 1)),
  );
  const upPackets = Math.max(1, Math.ceil(up / 1372));
  const downPackets = Math.max(1, Math.ceil(down / 1372));
  return [
    {
      src: client,
      dst: server,
      sport: cport,
      dport: s.port,
      protocol: UDP,
      packets: upPackets,
      bytes: up + upPackets * UDP_HEADER,
      action: 'ACCEPT',
    },
    {
      src: server,
      dst: client,
      sport: s.port,
      dport: cport,
      protocol: UDP,
      packets: downPackets,
      bytes: down + downPackets * UDP_HEADER,
      action: 'ACCEPT',
    },
  ];
}

/** A conversation: the request and (when not rejected) the response. */
function conversation(
  rng: Rng,
  link: Link,
  load: Load,
  ports: PortPlan,
  throttleShare: number,
): [Half, Half | null] {
  const client = link.clients[
    Math.floor(link.clients.length * Math.pow(rng.next(), link.clientSkew))
  ] as string;
  const server = link.servers.length === 1 ? (link.servers[0] as string) : rng.pick(link.servers);
  const s = link.services[rng.weighted(link.cum)] as Service;
  const rejected =
    link.mode === 'REJECT' || (link.mode === 'THROTTLE' && rng.next() < throttleShare);

  if (s.kind === 'echo') {
    // Pings: one flow per window and pair; a monitor pings every second.
    const packets = rng.int(Math.max(1, Math.round(s.up)), Math.max(1, Math.round(s.down)));
    const req: Half = {
      src: client,
      dst: server,
      sport: 0,
      dport: ICMP_ECHO_REQUEST,
      protocol: ICMP,
      packets,
      bytes: packets * 84,
      action: rejected ? 'REJECT' : 'ACCEPT',
    };
    if (rejected) return [req, null];
    return [req, { ...req, src: server, dst: client, dport: ICMP_ECHO_REPLY, action: 'ACCEPT' }];
  }

  const cport = ports.take(client, rng);
  if (s.kind === 'unreach') {
    // A UDP probe (traceroute) to a closed port answered by ICMP port unreachable (3/3).
    const packets = rng.int(1, 3);
    const req: Half = {
      src: client,
      dst: server,
      sport: cport,
      dport: s.port + rng.int(0, 30),
      protocol: UDP,
      packets,
      bytes: packets * 60,
      action: 'ACCEPT',
    };
    const resp: Half = {
      src: server,
      dst: client,
      sport: 0,
      dport: ICMP_PORT_UNREACHABLE,
      protocol: ICMP,
      packets,
      bytes: packets * 88,
      action: 'ACCEPT',
    };
    return [req, resp];
  }

  if (link.mode === 'REJECT') {
    // Probes and blocked ports: a SYN and its retries, or one datagram; never answered.
    const packets = s.kind === 'tcp' ? rng.int(1, 3) : 1;
    const bytes =
      s.kind === 'tcp' ? packets * rng.pick([40, 44, 60]) : UDP_HEADER + rng.int(8, 120);
    return [
      {
        src: client,
        dst: server,
        sport: cport,
        dport: s.port,
        protocol: s.kind === 'tcp' ? TCP : UDP,
        packets,
        bytes,
        action: 'REJECT',
      },
      null,
    ];
  }

  const [req, resp] =
    s.kind === 'tcp'
      ? tcpHalves(rng, s, load.size, client, cport, server)
      : udpHalves(rng, s, load.size, client, cport, server);
  if (rejected) {
    // Throttled on the CCN: the request is dropped, part of it counted before the cap.
    req.action = 'REJECT';
    return [req, null];
  }
  return [req, resp];
}

// ---------------------------------------------------------------------------------------------
// Address plans

/** Consumer ISP-style first octets for internet clients; only random hosts inside them are used. */
const CLIENT_OCTETS = [
  36, 39, 42, 58, 59, 60, 61, 101, 106, 110, 111, 112, 113, 114, 115, 116, 117, 119,
];
const CLIENT_OCTETS_2 = [
  120, 121, 122, 123, 124, 125, 171, 175, 180, 182, 183, 218, 219, 220, 221, 222, 223,
];
const SCANNER_OCTETS = [
  45, 80, 89, 91, 92, 93, 94, 141, 146, 147, 162, 167, 176, 178, 185, 193, 194, 195, 212,
];
const SERVICE_OCTETS = [43, 49, 103, 118, 129, 139, 150, 154, 175, 211, 212, 217];
/** Documentation ranges (RFC 5737): hosts .1-.199 are internet clients; .200 and up are fixed roles. */
const DOC_NETS = ['198.51.100', '203.0.113', '192.0.2'];

function addressPool(
  seed: number,
  name: string,
  count: number,
  octets: readonly number[],
  docShare: number,
) {
  const rng = createRng(hash32(seed, 'pool', name));
  const seen = new Set<string>();
  while (seen.size < count) {
    const ip =
      rng.next() < docShare
        ? `${rng.pick(DOC_NETS)}.${rng.int(1, 199)}`
        : `${rng.pick(octets)}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
    seen.add(ip);
  }
  return [...seen];
}

const OFFICE = ['192.0.2.201', '192.0.2.202', '192.0.2.203'];
const PUBLIC_RESOLVERS = ['198.51.100.253', '203.0.113.253'];
const PUBLIC_NTP = ['198.51.100.223', '203.0.113.223', '192.0.2.223'];
const NAT_EIP = '203.0.113.200';
/** Well-known hosts of the default VPC (10.0.0.0/16): mgmt 10.0.0.0/24, web .1, app .2, db .3, backup .4. */
const VPC = {
  resolver: '10.0.0.2',
  ntp: '10.0.0.123',
  monitor: '10.0.0.20',
  bastion: '10.0.0.10',
  redis: '10.0.3.41',
  backup: '10.0.4.50',
};

type Tier = 'web' | 'app' | 'db' | 'bastion' | 'vpn';
const TIER_PLAN: Record<Tier, [subnet: number, firstHost: number]> = {
  vpn: [0, 5],
  bastion: [0, 10],
  web: [1, 11],
  app: [2, 21],
  db: [3, 31],
};
const TIERS = Object.keys(TIER_PLAN) as Tier[];

/** An ENI's tier: its flow log's `tier` tag, else a tier named in its resource or stream name, else web. */
function tierOf(fl: FlowLogInfo, stream: StreamInfo): Tier {
  const tag = fl.tags.tier?.toLowerCase();
  if (tag && (TIERS as string[]).includes(tag)) return tag as Tier;
  const name = `${fl.resourceName} ${stream.name}`.toLowerCase();
  return TIERS.find((t) => name.includes(t)) ?? 'web';
}

interface CcnRegion {
  /** Second octet of the region's VPC CIDR 10.x.0.0/16. */
  net: number;
  /** Relative traffic size. */
  size: number;
}

const CCN_REGIONS: Record<string, CcnRegion> = {
  'ap-guangzhou': { net: 0, size: 10 },
  'ap-shanghai': { net: 1, size: 9 },
  'ap-beijing': { net: 2, size: 8 },
  'ap-singapore': { net: 3, size: 5 },
  'na-siliconvalley': { net: 4, size: 4 },
  'eu-frankfurt': { net: 5, size: 3 },
  'ap-tokyo': { net: 6, size: 3 },
};

function regionInfo(region: string): CcnRegion {
  return CCN_REGIONS[region] ?? { net: 100 + (hash32(region) % 100), size: 3 };
}

// ---------------------------------------------------------------------------------------------
// Service mixes

const WEB_IN = [
  svc('tcp', 443, 85, 900, 28_000, 1.5, { p: 0.004, min: 20e6, max: 400e6 }),
  svc('tcp', 80, 15, 400, 900, 0.5),
];
const APP_HTTP = [svc('tcp', 8080, 1, 1500, 9000, 1.2)];
const MYSQL = [svc('tcp', 3306, 1, 600, 6000, 1.8, { p: 0.002, min: 5e6, max: 80e6 })];
const REDIS = [svc('tcp', 6379, 1, 120, 800, 1)];
const HTTPS_OUT = [svc('tcp', 443, 1, 2000, 15_000, 1.5)];
const DNS = [svc('udp', 53, 1, 40, 130)];
const NTP = [svc('udp', 123, 1, 48, 48)];
const SSH = [svc('tcp', 22, 1, 3000, 20_000, 1.5)];
const PING_EVERY_SECOND = [svc('echo', 0, 1, 55, 60)];
const PING_FEW = [svc('echo', 0, 1, 1, 4)];
const SCRAPE = [svc('tcp', 9100, 1, 300, 12_000, 0.3)];
const HEALTH = [svc('tcp', 8080, 1, 200, 400, 0.2)];
const TRACEROUTE = [svc('unreach', 33434, 1, 0, 0)];
const BACKUP = [svc('tcp', 873, 1, 600e6, 20_000, 0.5)];
const MYSQL_BLOCKED = [svc('tcp', 3306, 1, 0, 0)];
const VPN_IN = [
  svc('udp', 4500, 18, 300_000, 2_000_000, 1.5),
  svc('udp', 500, 2, 600, 600),
  svc('tcp', 443, 4, 2000, 60_000, 1.2),
];
/** What internet scanners probe (all REJECTed). */
const SCAN = [
  svc('tcp', 23, 10, 0, 0),
  svc('tcp', 3389, 8, 0, 0),
  svc('tcp', 445, 7, 0, 0),
  svc('tcp', 22, 6, 0, 0),
  svc('tcp', 6379, 5, 0, 0),
  svc('tcp', 8080, 4, 0, 0),
  svc('tcp', 3306, 3, 0, 0),
  svc('tcp', 1433, 3, 0, 0),
  svc('tcp', 5900, 3, 0, 0),
  svc('tcp', 8443, 3, 0, 0),
  svc('tcp', 9200, 2, 0, 0),
  svc('tcp', 27017, 2, 0, 0),
  svc('tcp', 2375, 2, 0, 0),
  svc('tcp', 5432, 2, 0, 0),
  svc('tcp', 25, 1, 0, 0),
  svc('udp', 161, 2, 0, 0),
  svc('udp', 1900, 2, 0, 0),
  svc('udp', 5060, 2, 0, 0),
  svc('udp', 11211, 1, 0, 0),
];
const SSH_BRUTE = [svc('tcp', 22, 1, 0, 0)];
const NAT_OUT = [
  svc('tcp', 443, 80, 2500, 40_000, 1.6, { p: 0.003, min: 30e6, max: 500e6 }),
  svc('tcp', 80, 14, 500, 20_000, 1.5),
  svc('tcp', 22, 2, 5000, 300_000, 1.5),
];
const NAT_BLOCKED = [
  svc('tcp', 25, 5, 0, 0),
  svc('tcp', 445, 3, 0, 0),
  svc('tcp', 6667, 1, 0, 0),
  svc('tcp', 3389, 1, 0, 0),
];
const CCN_MIX = [
  svc('tcp', 443, 35, 1500, 12_000, 1.4),
  svc('tcp', 8080, 15, 1200, 6000, 1.2),
  svc('tcp', 3306, 12, 800, 9000, 1.8, { p: 0.004, min: 10e6, max: 200e6 }),
  svc('tcp', 6379, 8, 150, 900, 1),
  svc('tcp', 9092, 6, 60_000, 2000, 1.4, { p: 0.02, min: 20e6, max: 300e6, upload: true }),
  svc('udp', 53, 8, 40, 130),
  svc('tcp', 22, 2, 3000, 20_000, 1.5),
  svc('echo', 0, 6, 1, 10),
];

// ---------------------------------------------------------------------------------------------
// Links per stream

interface VpcPlan {
  web: string[];
  app: string[];
  db: string[];
  bastion: string;
}

interface Pools {
  clients: string[];
  scanners: string[];
  services: string[];
  remoteUsers: string[];
  natHosts: string[];
}

function makePools(seed: number): Pools {
  const clients = addressPool(seed, 'clients', 320, [...CLIENT_OCTETS, ...CLIENT_OCTETS_2], 0.35);
  const natHosts: string[] = [];
  for (let i = 0; i < 20; i++) natHosts.push(`10.0.2.${30 + i}`);
  for (let i = 0; i < 16; i++) natHosts.push(`10.0.4.${10 + i}`);
  natHosts.push('10.0.1.11', '10.0.1.12', '10.0.2.21', '10.0.2.22');
  return {
    clients,
    scanners: addressPool(seed, 'scanners', 64, SCANNER_OCTETS, 0.1),
    services: addressPool(seed, 'services', 160, SERVICE_OCTETS, 0.3),
    remoteUsers: clients.slice(0, 40),
    natHosts,
  };
}

/** The same spec from both ends of an internal conversation. */
function internalLink(
  client: string,
  server: string,
  services: readonly Service[],
  rate: number,
): LinkSpec {
  return {
    key: `vpc:${client}>${server}:${services[0]?.port ?? 0}`,
    domain: 'vpc',
    rate,
    clients: [client],
    servers: [server],
    services,
  };
}

function eniLinks(ip: string, tier: Tier, plan: VpcPlan, pools: Pools): LinkSpec[] {
  const own = (
    name: string,
    rest: Omit<LinkSpec, 'key' | 'domain'> & { domain?: string },
  ): LinkSpec => ({
    key: `${name}:${ip}`,
    domain: 'vpc',
    ...rest,
  });
  // Every host: DNS, NTP, SSH from the bastion, monitoring pings and scrapes.
  const common: LinkSpec[] = [
    own('dns', { rate: 25, clients: [ip], servers: [VPC.resolver], services: DNS }),
    own('ntp', { rate: 1, clients: [ip], servers: [VPC.ntp], services: NTP }),
    own('ping', {
      rate: 1,
      steady: true,
      clients: [VPC.monitor],
      servers: [ip],
      services: PING_EVERY_SECOND,
    }),
    own('scrape', {
      rate: 4,
      steady: true,
      clients: [VPC.monitor],
      servers: [ip],
      services: SCRAPE,
    }),
    own('trace', {
      rate: 0.2,
      steady: true,
      clients: [VPC.monitor],
      servers: [ip],
      services: TRACEROUTE,
    }),
  ];
  if (tier !== 'bastion') {
    common.push(own('ssh', { rate: 0.3, clients: [plan.bastion], servers: [ip], services: SSH }));
  }
  const scans = (rate: number): LinkSpec => ({
    key: `scan:${ip}`,
    domain: `scan:${ip}`,
    rate,
    clients: pools.scanners,
    clientSkew: 2.5,
    servers: [ip],
    services: SCAN,
    mode: 'REJECT',
  });
  switch (tier) {
    case 'web':
      return [
        ...common,
        own('web', {
          rate: 300,
          clients: pools.clients,
          clientSkew: 2.2,
          servers: [ip],
          services: WEB_IN,
        }),
        own('icmp-in', {
          rate: 3,
          clients: pools.clients,
          clientSkew: 2,
          servers: [ip],
          services: PING_FEW,
        }),
        ...plan.app.map((app) => internalLink(ip, app, APP_HTTP, 55)),
        scans(30),
      ];
    case 'app':
      return [
        ...common,
        ...plan.web.map((web) => internalLink(web, ip, APP_HTTP, 55)),
        ...plan.db.map((db) => internalLink(ip, db, MYSQL, 120)),
        own('redis', { rate: 80, clients: [ip], servers: [VPC.redis], services: REDIS }),
        own('api-out', {
          rate: 20,
          clients: [ip],
          servers: pools.services.slice(0, 12),
          services: HTTPS_OUT,
        }),
        own('health', {
          rate: 6,
          steady: true,
          clients: [VPC.monitor],
          servers: [ip],
          services: HEALTH,
        }),
      ];
    case 'db':
      return [
        ...common,
        ...plan.app.map((app) => internalLink(app, ip, MYSQL, 120)),
        ...plan.web.map((web) => ({
          ...internalLink(web, ip, MYSQL_BLOCKED, 2),
          mode: 'REJECT' as const,
        })),
        own('backup', { rate: 0.1, clients: [ip], servers: [VPC.backup], services: BACKUP }),
      ];
    case 'bastion':
      return [
        ...common,
        own('ssh-office', { rate: 2, clients: OFFICE, servers: [ip], services: SSH }),
        {
          key: `ssh-brute:${ip}`,
          domain: `ssh-brute:${ip}`,
          rate: 60,
          clients: [...pools.scanners, ...pools.clients.slice(200)],
          clientSkew: 3,
          servers: [ip],
          services: SSH_BRUTE,
          mode: 'REJECT',
        },
        own('ssh-out', {
          rate: 1.5,
          clients: [ip],
          servers: [...plan.web, ...plan.app, ...plan.db],
          services: SSH,
        }),
        scans(20),
      ];
    case 'vpn':
      return [
        ...common,
        own('vpn', {
          rate: 24,
          clients: pools.remoteUsers,
          clientSkew: 1.5,
          servers: [ip],
          services: VPN_IN,
        }),
        scans(35),
      ];
  }
}

function natLinks(natId: string, pools: Pools): LinkSpec[] {
  const domain = `nat:${natId}`;
  const out = (name: string, rest: Omit<LinkSpec, 'key' | 'domain' | 'clients'>): LinkSpec => ({
    key: `${name}:${natId}`,
    domain,
    clients: pools.natHosts,
    clientSkew: 1.8,
    ...rest,
  });
  return [
    out('egress', { rate: 280, servers: pools.services, services: NAT_OUT }),
    out('dns', { rate: 50, servers: PUBLIC_RESOLVERS, services: DNS }),
    out('ntp', { rate: 4, servers: PUBLIC_NTP, services: NTP }),
    out('icmp', { rate: 3, servers: pools.services, services: PING_FEW }),
    out('blocked', { rate: 5, servers: pools.services, services: NAT_BLOCKED, mode: 'REJECT' }),
    {
      key: `probe:${natId}`,
      domain: `scan:${natId}`,
      rate: 12,
      clients: pools.scanners,
      clientSkew: 2.5,
      servers: [NAT_EIP],
      services: SCAN,
      mode: 'REJECT',
    },
  ];
}

function ccnHosts(
  seed: number,
  ccnId: string,
  region: string,
  role: string,
  count: number,
  subnets: number[],
) {
  const { net } = regionInfo(region);
  const rng = createRng(hash32(seed, ccnId, region, role));
  const seen = new Set<string>();
  while (seen.size < count) seen.add(`10.${net}.${rng.pick(subnets)}.${rng.int(10, 250)}`);
  return [...seen];
}

function ccnLinks(
  seed: number,
  ccnId: string,
  region: string,
  regions: readonly string[],
): LinkSpec[] {
  const links: LinkSpec[] = [];
  const clients = (r: string) => ccnHosts(seed, ccnId, r, 'clients', 24, [1, 2, 3]);
  const servers = (r: string) => ccnHosts(seed, ccnId, r, 'servers', 10, [8, 9]);
  const pair = (a: string, b: string, halves: 'req' | 'resp'): LinkSpec => ({
    key: `ccn:${ccnId}:${a}>${b}`,
    domain: `ccn:${ccnId}:${[a, b].sort().join('|')}`,
    rate: 1.5 * regionInfo(a).size * regionInfo(b).size,
    clients: clients(a),
    clientSkew: 1.6,
    servers: servers(b),
    services: CCN_MIX,
    mode: 'THROTTLE',
    halves,
    regions: [a, b],
  });
  for (const other of regions) {
    if (other === region) continue;
    links.push(pair(region, other, 'req'), pair(other, region, 'resp'));
  }
  return links;
}

// ---------------------------------------------------------------------------------------------
// Streams

/** CCN throttling: a trickle normally, a few percent to a quarter of the flows during a burst. */
function throttleShare(load: Load): number {
  return load.burst > 1 ? Math.min(0.25, 0.03 * load.burst) : 0.004;
}

function statusLine(
  kind: StreamKind,
  status: 'NODATA' | 'SKIPDATA',
  ctx: FormatContext,
  odd: boolean,
) {
  if (kind === 'ccn') {
    // The CCN docs show both `-` and `-1` for packets and bytes of a NODATA record.
    const n = status === 'NODATA' && odd ? '-1' : '-';
    return `- - - ${ctx.start} - ${ctx.version} ${n} ${ctx.ccnId} - - ${n} - ${ctx.region} - ${ctx.end} ${status}`;
  }
  return `${ctx.version} ${ctx.accountId} ${ctx.interfaceId} - - - - - - - ${ctx.start} ${ctx.end} - ${status}`;
}

interface FormatContext {
  version: string;
  accountId: string;
  interfaceId: string;
  ccnId: string;
  region: string;
  start: number;
  end: number;
}

function eniLine(h: Half, c: FormatContext): string {
  return `${c.version} ${c.accountId} ${c.interfaceId} ${h.src} ${h.dst} ${h.sport} ${h.dport} ${h.protocol} ${h.packets} ${h.bytes} ${c.start} ${c.end} ${h.action} OK`;
}

/** CCN: ports only for TCP and UDP (`-` otherwise, as documented). */
function ccnLine(h: Half, srcRegion: string, dstRegion: string, c: FormatContext): string {
  const ported = h.protocol === TCP || h.protocol === UDP;
  const sport = ported ? h.sport : '-';
  const dport = ported ? h.dport : '-';
  return `${h.src} ${dstRegion} ${dport} ${c.start} ${h.dst} ${c.version} ${h.packets} ${c.ccnId} ${h.protocol} ${srcRegion} ${h.bytes} ${h.action} ${c.region} ${sport} ${c.end} OK`;
}

function streamModel(
  options: Required<TrafficModelOptions>,
  topic: TopicInfo,
  stream: StreamInfo,
  kind: StreamKind,
  links: Link[],
  fl: FlowLogInfo,
): StreamModel {
  const { seed } = options;
  const region = kind === 'ccn' ? stream.id.slice(fl.resourceId.length + 1) : '';
  const statusSeed = hash32(seed, 'status', topic.id, stream.id);
  const windowMs = fl.captureWindowSec * 1000;
  const version = kind === 'ccn' ? options.ccnVersion : options.eniVersion;
  const context = (start: number, end: number): FormatContext => ({
    version,
    accountId: options.accountId,
    interfaceId: stream.id,
    ccnId: fl.resourceId,
    region,
    start: start / 1000,
    end: end / 1000,
  });

  /** Every half of every conversation of one minute, with its source and destination region. */
  function minute(minuteStart: number, visit: (h: Half, src: string, dst: string) => void) {
    const minuteIndex = Math.floor(minuteStart / MINUTE_MS);
    const loads = new Map<string, Load>();
    for (const link of links) {
      let load = loads.get(link.domain);
      if (!load) loads.set(link.domain, (load = loadOf(seed, link.domain, minuteStart)));
      const linkSeed = mix32(link.seed, minuteIndex);
      const rng = createRng(linkSeed);
      const n = rng.round(link.steady ? link.rate : link.rate * load.count);
      if (n === 0) continue;
      const ports = new PortPlan(linkSeed);
      const throttle = throttleShare(load);
      for (let i = 0; i < n; i++) {
        const [req, resp] = conversation(rng, link, load, ports, throttle);
        const [a, b] = (link.regions as [string, string] | undefined) ?? ['', ''];
        if (kind === 'ccn') {
          if (link.halves === 'req') visit(req, a, b);
          else if (resp) visit(resp, b, a);
        } else {
          visit(req, a, b);
          if (resp) visit(resp, b, a);
        }
      }
    }
  }

  const line = (h: Half, src: string, dst: string, c: FormatContext) =>
    kind === 'ccn' ? ccnLine(h, src, dst, c) : eniLine(h, c);

  return {
    topicId: topic.id,
    streamId: stream.id,
    kind,
    windowMs,
    topicWindowMs: topic.windowSec * 1000,
    lines(windowStart) {
      const windowIndex = Math.floor(windowStart / windowMs);
      const ctx = context(windowStart, windowStart + windowMs);
      const status = createRng(mix32(statusSeed, windowIndex));
      const u = status.next();
      // Quiet hours have more empty windows.
      const nodata = NODATA_CHANCE * (1.5 - dailyShape(windowStart));
      if (u < SKIPDATA_CHANCE) return [statusLine(kind, 'SKIPDATA', ctx, false)];
      if (u < SKIPDATA_CHANCE + nodata)
        return [statusLine(kind, 'NODATA', ctx, status.next() < 0.5)];

      const out: string[] = [];
      if (windowMs === MINUTE_MS) {
        minute(windowStart, (h, a, b) => out.push(line(h, a, b, ctx)));
      } else {
        // One record per quintuple and action for the whole window, from its first minute to its last.
        const flows = new Map<
          string,
          { h: Half; a: string; b: string; from: number; to: number }
        >();
        for (let m = windowStart; m < windowStart + windowMs; m += MINUTE_MS) {
          minute(m, (h, a, b) => {
            const key = `${a}>${b}|${h.src}|${h.sport}|${h.dst}|${h.dport}|${h.protocol}|${h.action}`;
            const f = flows.get(key);
            if (f === undefined) flows.set(key, { h: { ...h }, a, b, from: m, to: m + MINUTE_MS });
            else {
              f.h.packets += h.packets;
              f.h.bytes += h.bytes;
              f.to = m + MINUTE_MS;
            }
          });
        }
        for (const f of flows.values()) out.push(line(f.h, f.a, f.b, context(f.from, f.to)));
      }
      if (out.length === 0) out.push(statusLine(kind, 'NODATA', ctx, status.next() < 0.5));
      return out;
    },
  };
}

/** The traffic of every stream of the catalog's simulated, enabled flow logs, in catalog order. */
export function buildTrafficModel(catalog: Catalog, options: TrafficModelOptions): StreamModel[] {
  const opts: Required<TrafficModelOptions> = { eniVersion: '2', ccnVersion: '1', ...options };
  const seed = opts.seed;
  const pools = makePools(seed);
  const topics = catalog.topics();

  // Addresses of the catalog's ENIs: 10.0.<tier subnet>.<first host + index within the tier>.
  const eniIp = new Map<string, { ip: string; tier: Tier }>();
  const perTier = new Map<Tier, number>();
  // Streams of simulated flow logs; a disabled one keeps its addresses, so others do not move.
  const simulated = (topic: TopicInfo) =>
    topic.streams.filter((s) => catalog.flowLogOf(topic.id, s.id)?.simulated === true);
  for (const topic of topics) {
    if (topic.range !== 'ENI') continue;
    for (const stream of simulated(topic)) {
      if (eniIp.has(stream.id)) continue;
      const fl = catalog.flowLogOf(topic.id, stream.id) as FlowLogInfo;
      const tier = tierOf(fl, stream);
      const i = perTier.get(tier) ?? 0;
      perTier.set(tier, i + 1);
      const [subnet, first] = TIER_PLAN[tier];
      eniIp.set(stream.id, { ip: `10.0.${subnet}.${first + i}`, tier });
    }
  }
  const ofTier = (tier: Tier, fallback: string[]) => {
    const ips = [...eniIp.values()].filter((e) => e.tier === tier).map((e) => e.ip);
    return ips.length > 0 ? ips : fallback;
  };
  const plan: VpcPlan = {
    web: ofTier('web', ['10.0.1.11', '10.0.1.12']),
    app: ofTier('app', ['10.0.2.21', '10.0.2.22']),
    db: ofTier('db', ['10.0.3.31']),
    bastion: ofTier('bastion', [VPC.bastion])[0] as string,
  };

  const models: StreamModel[] = [];
  for (const topic of topics) {
    for (const stream of simulated(topic)) {
      const fl = catalog.flowLogOf(topic.id, stream.id) as FlowLogInfo;
      if (!fl.enabled) continue;
      let kind: StreamKind;
      let specs: LinkSpec[];
      if (topic.range === 'CCN') {
        kind = 'ccn';
        specs = ccnLinks(
          seed,
          fl.resourceId,
          stream.id.slice(fl.resourceId.length + 1),
          topic.regions,
        );
      } else if (topic.range === 'NAT') {
        kind = 'nat';
        specs = natLinks(stream.id, pools);
      } else {
        kind = 'eni';
        const { ip, tier } = eniIp.get(stream.id) as { ip: string; tier: Tier };
        specs = eniLinks(ip, tier, plan, pools);
      }
      models.push(
        streamModel(
          opts,
          topic,
          stream,
          kind,
          specs.map((s) => makeLink(seed, s)),
          fl,
        ),
      );
    }
  }
  return models;
}
