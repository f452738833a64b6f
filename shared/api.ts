// The HTTP API's wire types, shared by the server routes (server/api/) and the client.
// Every answer is a Reply<T> (shared/reply.ts). Times are epoch milliseconds on the wire; the API
// accepts ISO 8601 or epoch milliseconds in `from` / `to`. Ranges are [from, to) on capture-window start.
import type { ProtocolTotals, RegionPairTotals, Totals, TopQuintuple } from './events.ts';
import { MIN_WINDOW_MS } from './capture-window.ts';
import { SORT_FIELD_NAMES } from './fields.ts';

/** Fields record pages can be sorted by (shared/fields.ts marks them); NULL sorts lowest. */
export type SortField =
  'window' | 'start' | 'end' | 'seq' | 'srcport' | 'dstport' | 'protocol' | 'packets' | 'bytes';
export const SORT_FIELDS = SORT_FIELD_NAMES as readonly SortField[];
export type SortDir = 'asc' | 'desc';

export function isSortField(name: string): name is SortField {
  return (SORT_FIELDS as readonly string[]).includes(name);
}

/** Rollup steps a dashboard can ask for; `auto` picks one that gives a few hundred points. */
export const STEPS = { '1m': 60_000, '5m': 300_000, '10m': 600_000, '1h': 3_600_000 } as const;
export type StepName = keyof typeof STEPS;

/**
 * The step for a range over a topic aggregating in `windowMs` windows: 1 min up to 6 h, 5 min up
 * to 48 h, 1 h beyond, and never finer than the window (a step is a whole number of windows).
 */
export function autoStep(fromMs: number, toMs: number, windowMs: number = MIN_WINDOW_MS): number {
  const span = toMs - fromMs;
  const step =
    span <= 6 * 3_600_000 ? STEPS['1m'] : span <= 48 * 3_600_000 ? STEPS['5m'] : STEPS['1h'];
  return stepForWindow(step, windowMs);
}

/** The smallest multiple of `windowMs` that is at least `step`. */
export function stepForWindow(step: number, windowMs: number): number {
  return Math.max(1, Math.ceil(step / windowMs)) * windowMs;
}

/** One step bucket of a series; `t` is its start (epoch ms, a multiple of the step). */
export interface SeriesPoint {
  t: number;
  acceptBytes: number;
  acceptPackets: number;
  acceptRecords: number;
  rejectBytes: number;
  rejectPackets: number;
  rejectRecords: number;
  /** Capture windows in the bucket. */
  windows: number;
}

/** GET /api/topics/:id/windows?from=&to=&step=&q= */
export interface TopicWindows {
  topicId: string;
  from: number;
  to: number;
  step: number;
  /** The query applied (canonical form), or '' for none. */
  q: string;
  /** Buckets with traffic, oldest first. */
  series: SeriesPoint[];
  accept: Totals;
  reject: Totals;
  byProtocol: ProtocolTotals[];
  /** Top quintuples by bytes over the whole range, exact. */
  top: TopQuintuple[];
  /** CCN topics: per (source region, destination region) over the range. */
  regionPairs: RegionPairTotals[];
}

/**
 * A stored raw record under its documented field names (`srcaddr`, `dstport`, `log-status`...,
 * `-` as null), plus where it was stored: `topic`, `stream`, `window` (epoch ms) and `seq`.
 */
export type ApiRecord = Record<string, string | number | null> & {
  topic: string;
  stream: string;
  window: number;
  seq: number;
};

/** GET /api/records?topic=&from=&to=&q=&limit=&cursor=&sort= */
export interface RecordsPage {
  records: ApiRecord[];
  /** Records matching the query, over every page. */
  total: number;
  /** Sums over every matching record. */
  sum: { bytes: number; packets: number };
  /** Cursor of the next page, or null on the last one. */
  next: string | null;
}

/** Error codes of the API: 400 bad_request / bad_query, 404 not_found, 500 internal, 503 unavailable. */
export interface QueryErrorBody {
  code: 'bad_query';
  message: string;
  /** 0-based offset of the error in `q`, and its length. */
  position: number;
  length: number;
}

/** A rejected input line, kept in quarantine with where it came from (GET /api/ingest/rejected). */
export interface RejectedLineEntry {
  topicId: string;
  /** The kind of source: `push`, `file`, `simulator`. */
  source: string;
  /** The file, or the request (`push #3 from 10.0.0.5 at ...`). */
  origin: string;
  /** 1-based line number in the file or request. */
  line: number;
  /** Stable code (`bad-ip`, `field-count`, `bad-encoding`, `future`...). */
  reason: string;
  /** For people. */
  message: string;
  /** The line, cut at 4 KiB; `rawLength` is its real length (characters). */
  raw: string;
  rawLength: number;
  /** When it was rejected, epoch ms. */
  at: number;
}

/** GET /api/ingest/rejected?topic=&reason=&source=&origin=&before=&limit= */
export interface RejectedLinesPage {
  lines: RejectedLineEntry[];
  /** Lines matching the filter (every page). */
  total: number;
  /** Counts over the topic (or every topic), ignoring the reason and source filters. */
  byReason: Array<{ reason: string; count: number }>;
  bySource: Array<{ source: string; origin: string; count: number }>;
  /** `before` of the next page (older lines), or null. */
  next: string | null;
}

/** Lines of one minute of one topic, by result. */
export interface IngestMinute {
  /** Minute start, epoch ms. */
  t: number;
  accepted: number;
  filtered: number;
  rejected: number;
}

/** What the ingest-health panel shows of one log stream. */
export interface StreamIngest {
  streamId: string;
  /** The flow log that collects it; null: no flow log of the topic does (an unclaimed stream). */
  flowLogId: string | null;
  flowLogName: string | null;
  /** The flow log collects (enabled); false for a disabled flow log, null when unclaimed. */
  enabled: boolean | null;
  /** When its last record was committed (server time), or null (none since the server started). */
  lastArrival: number | null;
  /** Start of the newest capture window it wrote to, or null. */
  lastWindowStart: number | null;
  /** Publish lag of its last batch: arrival minus the end of the newest window in it, ms. */
  publishLagMs: number | null;
  /** Records with log-status NODATA / SKIPDATA over the last hour. */
  nodata: number;
  skipdata: number;
  /** No record for longer than twice its capture window plus its publish lag. */
  silent: boolean;
  /** A flow log with no record yet: when its first records are expected (epoch ms). */
  expectedBy: number | null;
}

/** GET /api/topics/:id/ingest */
export interface TopicIngestHealth {
  topicId: string;
  serverTime: number;
  /** The last 60 minutes, oldest first (minutes without lines included, as zeros). */
  minutes: IngestMinute[];
  /** The counts start here: the first minute, or the server's start when that is later. */
  countedSince: number;
  /** Sums over `minutes`. */
  totals: { accepted: number; filtered: number; rejected: number };
  /** Configured streams first (by flow log), then unclaimed ones. */
  streams: StreamIngest[];
  /** The newest rejected lines of the topic. */
  lastErrors: RejectedLineEntry[];
}
