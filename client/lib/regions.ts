// Tencent Cloud regions (for CCN maps and matrices) and the region-pair totals of capture windows.
import { MIN_WINDOW_MS } from '../../shared/capture-window.ts';
import type { RegionPairTotals, WindowAggregate } from '../../shared/events.ts';
import { lastMinutes } from './windows.ts';

const MINUTE_MS = 60_000;

/** Where a node's label sits, chosen by hand so that neighbouring regions' labels don't collide. */
export type LabelSide = 'top' | 'bottom' | 'left' | 'right';

export interface RegionInfo {
  id: string;
  /** City, short enough for a map label ("Guangzhou"). Unknown regions: the id itself. */
  short: string;
  /** Two or three letters for narrow matrix columns ("GZ", "FRA"). Unknown regions: the id's start. */
  code: string;
  /** The console's name ("South China (Guangzhou)"). */
  name: string;
  /** [longitude, latitude] of the city, degrees. Unknown regions: a slot in the "unknown" row. */
  coord: [number, number];
  known: boolean;
  labelSide: LabelSide;
}

type KnownRegion = Omit<RegionInfo, 'id' | 'known'>;

const KNOWN: Record<string, KnownRegion> = {
  'ap-guangzhou': {
    code: 'GZ',
    short: 'Guangzhou',
    name: 'South China (Guangzhou)',
    coord: [113.26, 23.13],
    labelSide: 'left',
  },
  'ap-shanghai': {
    code: 'SH',
    short: 'Shanghai',
    name: 'East China (Shanghai)',
    coord: [121.47, 31.23],
    labelSide: 'right',
  },
  'ap-beijing': {
    code: 'BJ',
    short: 'Beijing',
    name: 'North China (Beijing)',
    coord: [116.41, 39.9],
    labelSide: 'top',
  },
  'ap-nanjing': {
    code: 'NJ',
    short: 'Nanjing',
    name: 'East China (Nanjing)',
    coord: [118.8, 32.06],
    labelSide: 'top',
  },
  'ap-chengdu': {
    code: 'CD',
    short: 'Chengdu',
    name: 'Southwest China (Chengdu)',
    coord: [104.07, 30.57],
    labelSide: 'left',
  },
  'ap-chongqing': {
    code: 'CQ',
    short: 'Chongqing',
    name: 'Southwest China (Chongqing)',
    coord: [106.55, 29.56],
    labelSide: 'bottom',
  },
  'ap-hongkong': {
    code: 'HK',
    short: 'Hong Kong',
    name: 'Hong Kong, Macao and Taiwan (China) (Hong Kong)',
    coord: [114.17, 22.32],
    labelSide: 'right',
  },
  'ap-singapore': {
    code: 'SG',
    short: 'Singapore',
    name: 'Southeast Asia (Singapore)',
    coord: [103.82, 1.35],
    labelSide: 'left',
  },
  'ap-tokyo': {
    code: 'TYO',
    short: 'Tokyo',
    name: 'Northeast Asia (Tokyo)',
    coord: [139.69, 35.69],
    labelSide: 'right',
  },
  'ap-seoul': {
    code: 'SEL',
    short: 'Seoul',
    name: 'Northeast Asia (Seoul)',
    coord: [126.98, 37.57],
    labelSide: 'top',
  },
  'ap-bangkok': {
    code: 'BKK',
    short: 'Bangkok',
    name: 'Southeast Asia (Bangkok)',
    coord: [100.5, 13.76],
    labelSide: 'left',
  },
  'ap-jakarta': {
    code: 'JKT',
    short: 'Jakarta',
    name: 'Southeast Asia (Jakarta)',
    coord: [106.85, -6.21],
    labelSide: 'bottom',
  },
  'ap-mumbai': {
    code: 'BOM',
    short: 'Mumbai',
    name: 'South Asia Pacific (Mumbai)',
    coord: [72.88, 19.08],
    labelSide: 'left',
  },
  'na-siliconvalley': {
    code: 'SV',
    short: 'Santa Clara',
    name: 'West US (Silicon Valley)',
    coord: [-121.96, 37.35],
    labelSide: 'right',
  },
  'na-ashburn': {
    code: 'VA',
    short: 'Virginia',
    name: 'East US (Virginia)',
    coord: [-77.49, 39.04],
    labelSide: 'right',
  },
  'sa-saopaulo': {
    code: 'SAO',
    short: 'São Paulo',
    name: 'South America (São Paulo)',
    coord: [-46.63, -23.55],
    labelSide: 'right',
  },
  'eu-frankfurt': {
    code: 'FRA',
    short: 'Frankfurt',
    name: 'Europe (Frankfurt)',
    coord: [8.68, 50.11],
    labelSide: 'top',
  },
};

/** The "unknown" row: south of every known region, left to right, wrapping after UNKNOWN_PER_ROW. */
export const UNKNOWN_ROW = { lat: -48, lonStart: -110, lonStep: 20, rowStep: 7 } as const;
const UNKNOWN_PER_ROW = 12;

/** Map labels never get longer than this; ids from outside can be anything. */
const MAX_LABEL = 24;

/** Ids of the regions this client knows (placed on the map), for pickers. */
export const KNOWN_REGIONS: readonly string[] = Object.keys(KNOWN);

export function isKnownRegion(id: string): boolean {
  return Object.hasOwn(KNOWN, id);
}

function unknownCoord(slot: number): [number, number] {
  const row = Math.floor(slot / UNKNOWN_PER_ROW);
  const col = slot % UNKNOWN_PER_ROW;
  return [
    UNKNOWN_ROW.lonStart + col * UNKNOWN_ROW.lonStep,
    UNKNOWN_ROW.lat - row * UNKNOWN_ROW.rowStep,
  ];
}

function truncate(s: string): string {
  return s.length > MAX_LABEL ? `${s.slice(0, MAX_LABEL - 1)}…` : s;
}

/**
 * The region's names and place. An id this module doesn't know never throws: it gets its id as name
 * and the `unknownSlot`-th place of the "unknown" row (pass distinct slots, see `placeRegions`).
 */
export function regionInfo(id: string, unknownSlot = 0): RegionInfo {
  if (isKnownRegion(id)) {
    const k = KNOWN[id]!;
    return { id, ...k, coord: [k.coord[0], k.coord[1]], known: true };
  }
  return {
    id,
    short: truncate(id),
    code: id.length > 6 ? `${id.slice(0, 5)}…` : id,
    name: 'unknown region',
    coord: unknownCoord(unknownSlot),
    known: false,
    labelSide: 'bottom',
  };
}

/** The infos of `ids` (duplicates dropped, order kept), unknown ids in distinct slots of the row. */
export function placeRegions(ids: readonly string[]): RegionInfo[] {
  const seen = new Set<string>();
  const out: RegionInfo[] = [];
  let slot = 0;
  for (const id of ids) {
    if (seen.has(id)) continue;
    seen.add(id);
    const info = regionInfo(id, slot);
    if (!info.known) slot++;
    out.push(info);
  }
  return out;
}

// ---- region-pair totals over capture windows ----

/** How much history a CCN chart sums. */
export type Span = 'latest' | '15m' | '60m';

/** The spans, in the shape of the span selector's options. */
export const SPANS: ReadonlyArray<{ value: Span; label: string; minutes: number }> = [
  { value: 'latest', label: 'Latest window', minutes: 1 },
  { value: '15m', label: 'Last 15 min', minutes: 15 },
  { value: '60m', label: 'Last 60 min', minutes: 60 },
];

const spanMinutes = (span: Span): number => SPANS.find((s) => s.value === span)?.minutes ?? 1;

/** The windows of `span`, counted back from the newest window (`windows` sorted, as the feed keeps them). */
export function selectSpan(windows: readonly WindowAggregate[], span: Span): WindowAggregate[] {
  return lastMinutes(windows, spanMinutes(span));
}

export type PairTotals = RegionPairTotals;

export interface PairSummary {
  /** One entry per (src, dst) with traffic, summed over the windows; largest total bytes first. */
  pairs: PairTotals[];
  /** `regions` (duplicates dropped) then ids seen only in the data, sorted. */
  regions: string[];
  /** Time the summed windows cover, s (distinct window starts times their length); rates divide by it. */
  seconds: number;
  /** Length of the summed windows, ms (the newest one's; a topic's windows share one length). */
  windowMs: number;
  acceptBytes: number;
  rejectBytes: number;
}

/**
 * Sums the region pairs of `windows`. A window start given twice counts once (its highest
 * revision), as revisions replace each other. Pairs with no bytes and no packets are dropped.
 */
export function summarisePairs(
  windows: readonly WindowAggregate[],
  regions: readonly string[],
): PairSummary {
  const byStart = new Map<number, WindowAggregate>();
  for (const w of windows) {
    const had = byStart.get(w.windowStart);
    if (!had || w.revision > had.revision) byStart.set(w.windowStart, w);
  }
  let covered = 0;
  for (const w of byStart.values()) covered += w.windowMs;
  const sums = new Map<string, PairTotals>();
  let acceptBytes = 0;
  let rejectBytes = 0;
  for (const w of byStart.values()) {
    for (const p of w.regionPairs) {
      const key = `${p.src}\u0000${p.dst}`;
      let s = sums.get(key);
      if (!s) {
        s = {
          src: p.src,
          dst: p.dst,
          acceptBytes: 0,
          acceptPackets: 0,
          rejectBytes: 0,
          rejectPackets: 0,
          records: 0,
        };
        sums.set(key, s);
      }
      s.acceptBytes += p.acceptBytes;
      s.acceptPackets += p.acceptPackets;
      s.rejectBytes += p.rejectBytes;
      s.rejectPackets += p.rejectPackets;
      s.records += p.records;
      acceptBytes += p.acceptBytes;
      rejectBytes += p.rejectBytes;
    }
  }
  const pairs = [...sums.values()]
    .filter((p) => p.acceptBytes + p.rejectBytes + p.acceptPackets + p.rejectPackets > 0)
    .sort((a, b) => b.acceptBytes + b.rejectBytes - (a.acceptBytes + a.rejectBytes));
  const listed = new Set(regions);
  const extra = new Set<string>();
  for (const p of pairs) {
    if (!listed.has(p.src)) extra.add(p.src);
    if (!listed.has(p.dst)) extra.add(p.dst);
  }
  return {
    pairs,
    regions: [...listed, ...[...extra].sort()],
    seconds: covered / 1000,
    windowMs: windows.at(-1)?.windowMs ?? MIN_WINDOW_MS,
    acceptBytes,
    rejectBytes,
  };
}

/** Average bit rate of `bytes` spread over `seconds`; 0 over no time. */
export function bitRate(bytes: number, seconds: number): number {
  return seconds > 0 ? (bytes * 8) / seconds : 0;
}

/** Average packet rate, as `bitRate`. */
export function packetRate(packets: number, seconds: number): number {
  return seconds > 0 ? packets / seconds : 0;
}

/** A range's region pairs as the history API sums them, and what they cover. */
export interface PairRange {
  regionPairs: RegionPairTotals[];
  /** Time covered by the range's capture windows with traffic, s (rates divide by it). */
  seconds: number;
  /** The topic's window length, ms. */
  windowMs: number;
  from: number;
  to: number;
}

/** `r` as one pseudo window, so the window-based option builders can draw a range's sums. */
export function pseudoWindow(topicId: string, r: PairRange): WindowAggregate {
  const none = { bytes: 0, packets: 0, records: 0 };
  return {
    topicId,
    windowStart: r.from,
    windowMs: r.windowMs,
    revision: 1,
    publishedAt: r.to,
    accept: none,
    reject: none,
    byProtocol: [],
    top: [],
    topOther: none,
    topTruncated: false,
    regionPairs: r.regionPairs,
    streams: [],
  };
}

/** [from, to) of the windows `selectSpan` picks (counted back from the newest); null without windows. */
export function spanBounds(
  windows: readonly WindowAggregate[],
  span: Span,
): { from: number; to: number } | null {
  const newest = windows.at(-1);
  if (!newest) return null;
  return {
    from: Math.min(
      newest.windowStart,
      newest.windowStart + newest.windowMs - spanMinutes(span) * MINUTE_MS,
    ),
    to: newest.windowStart + newest.windowMs,
  };
}

/** What a CCN chart draws (its windows; the rates' divisor when not their count) and the range they cover. */
export interface PairView {
  shown: WindowAggregate[];
  bounds: { from: number; to: number } | null;
  seconds: number | undefined;
}

/** A range's sums (history mode), drawn as one pseudo window. */
export function rangeView(topicId: string, r: PairRange): PairView {
  return {
    shown: [pseudoWindow(topicId, r)],
    bounds: { from: r.from, to: r.to },
    seconds: r.seconds,
  };
}

/** The windows of `span` (live mode). */
export function spanView(windows: readonly WindowAggregate[], span: Span): PairView {
  return {
    shown: selectSpan(windows, span),
    bounds: spanBounds(windows, span),
    seconds: undefined,
  };
}

/** A click on a flow-map line or a matrix cell: the pair, its sums and the range they cover. */
export interface PairClick {
  src: string;
  dst: string;
  /** The line's action; undefined for a matrix cell (both actions). */
  action?: 'ACCEPT' | 'REJECT';
  acceptBytes: number;
  acceptPackets: number;
  rejectBytes: number;
  rejectPackets: number;
  from: number;
  to: number;
}

/** The click on `d`, a flow-map line (`action`: its action) or a matrix cell (both actions). */
export function pairClick(
  d: Omit<PairClick, 'action' | 'from' | 'to'>,
  bounds: { from: number; to: number },
  action?: 'ACCEPT' | 'REJECT',
): PairClick {
  const sums = {
    src: d.src,
    dst: d.dst,
    acceptBytes: d.acceptBytes,
    acceptPackets: d.acceptPackets,
    rejectBytes: d.rejectBytes,
    rejectPackets: d.rejectPackets,
  };
  return action ? { ...sums, action, ...bounds } : { ...sums, ...bounds };
}
