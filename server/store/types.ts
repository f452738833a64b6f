// What the store's API takes and gives: the shapes shared by the facade (store.ts) and its worker.
import type {
  ProtocolTotals,
  RegionPairTotals,
  Totals,
  TopQuintuple,
  WindowAggregate,
} from '../../shared/events.ts';
import type { RejectedLineEntry, SortDir, SortField } from '../../shared/api.ts';
import type { FlowRecord } from '../../shared/record.ts';
import type { CatalogEntities } from '../../shared/catalog.ts';
import type { Filter } from './filter.ts';

/** Records of one log stream of a topic that aggregates in `windowMs` windows. */
export interface StreamRecords {
  topicId: string;
  streamId: string;
  windowMs: number;
  records: readonly FlowRecord[];
}

/** A rejected input line, kept (quarantined) with where it came from: what the API shows. */
export type QuarantineRow = RejectedLineEntry;

/** How much of a rejected line is kept. */
export const QUARANTINE_RAW_MAX = 4096;

/** A source's position (file offsets, parser state), committed with the records it produced. */
export interface SourceOffset {
  source: string;
  /** JSON, the source's own shape. */
  state: string;
}

/**
 * What one write commits in one transaction: records of some streams, the lines they rejected,
 * and where the source stands after them. A unit is never split across transactions.
 */
export interface WriteUnit {
  streams: readonly StreamRecords[];
  quarantine?: readonly QuarantineRow[];
  offsets?: readonly SourceOffset[];
  /** The source waits for this commit (a push, a file chunk): send the batch now. */
  urgent?: boolean;
}

/** A committed unit: how many records were stored, and the ones the store refused (rare). */
export interface WriteAck {
  stored: number;
  /** [stream index in the unit, record index in the stream, reason]. */
  rejected: Array<[stream: number, index: number, reason: string]>;
}

/** A raw record as stored: the parsed record plus where and when the store put it. */
export interface StoredRecord extends FlowRecord {
  topicId: string;
  streamId: string;
  /** Capture window of `start` (epoch ms); for a record without `start`, the window it was stored in. */
  windowStart: number;
  /** Ingest sequence number: unique, increasing in commit order, never reused. */
  seq: number;
}

export interface RecordQuery {
  /** Omitted: every topic. */
  topicId?: string;
  /** Records whose window starts in [fromMs, toMs). */
  fromMs: number;
  toMs: number;
  /** A parsed query (shared/query's AST); null or omitted: every record. */
  where?: Filter;
  /** Page size, 1..10,000. */
  limit: number;
  /** `next` of the previous page; null or omitted for the first page. */
  cursor?: string | null;
  /** Default: window desc. Ties are broken by seq in the same direction. */
  order?: { field: SortField; dir: SortDir };
}

export interface RecordPage {
  records: StoredRecord[];
  /** Records matching the query (every page, not just this one). */
  total: number;
  /** Sums over every matching record (NULL counts as 0). */
  sum: { bytes: number; packets: number };
  /** Cursor of the next page, or null on the last page. */
  next: string | null;
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
  /** Windows in the bucket (stored aggregates, or windows with traffic for raw series). */
  windows: number;
}

export interface AggregateQuery {
  topicId: string;
  fromMs: number;
  toMs: number;
  /** A parsed query (shared/query's AST); null or omitted: every record. */
  where?: Filter;
  /** A multiple of 60,000. */
  stepMs: number;
  /** Quintuples in `top` (default 20, at most 1,000). */
  topN?: number;
}

/**
 * Dashboard charts computed from raw records under a filter. Only traffic counts: records with a
 * start, an action and log-status OK (or none), as in the window aggregator.
 */
export interface AggregateResult {
  /** Buckets with traffic only, oldest first. */
  series: SeriesPoint[];
  accept: Totals;
  reject: Totals;
  /** By bytes, largest first. */
  byProtocol: ProtocolTotals[];
  /** Top quintuples by bytes over the whole range, largest first. */
  top: TopQuintuple[];
  /** By total bytes, largest first. Empty for topics without regions. */
  regionPairs: RegionPairTotals[];
}

/**
 * Distinct destination ports per source address and capture window, of traffic records (alert
 * measures per source: the rule preview, and a restart's measures).
 */
export interface SourcePortsQuery {
  topicId: string;
  fromMs: number;
  toMs: number;
  /** A parsed query (shared/query's AST); null or omitted: every record. */
  where?: Filter;
  /** Sources with fewer distinct ports in a window are left out (at least 1). */
  minPorts: number;
  /** With the ports themselves, ascending (a restart's measures go on adding to them). */
  lists: boolean;
  /** At most this many rows, the most ports first (1 to 100,000). */
  limit: number;
}

export interface SourcePorts {
  windowStart: number;
  srcaddr: string;
  ports: number;
  /** The ports (when asked for), ascending. */
  list?: number[];
}

export type RecomputedWindow = Omit<WindowAggregate, 'revision' | 'publishedAt'>;

export interface StreamPosition {
  topicId: string;
  streamId: string;
  /** Newest window start stored for the stream (epoch ms). */
  windowStart: number;
}

export interface RetentionResult {
  records: number;
  windows: number;
  /** Rejected lines past their retention or over the per-topic bound. */
  rejectedLines: number;
  /** Superseded source offsets. */
  offsets: number;
}

/** What a start must recompute from raw records (store.windowsToRebuild). */
export interface RebuildPlan {
  /** Seq up to which the stored aggregates were known to count every record; null: never marked. */
  cleanSeq: number | null;
  /** Highest seq handed out. */
  seq: number;
  /** [topic, windowStart] of the windows to recompute, by topic then time. */
  windows: Array<[topic: string, windowStart: number]>;
}

export interface StoreMetrics {
  /** Records committed. */
  recordsAppended: number;
  /** Records refused by the worker, per reason (a value its column cannot hold). */
  recordsRejected: Record<string, number>;
  /** Writes refused because the queue was full (the source was told to wait), counted in records. */
  writesRefused: number;
  /** Records of writes that failed (twice, or in flight when the worker died): their source was told. */
  recordsFailed: number;
  /** Window aggregates whose save failed (twice, or in flight when the worker died). */
  windowsFailed: number;
  /** Rejected lines quarantined. */
  quarantined: number;
  /** Window aggregates written (after coalescing). */
  windowsSaved: number;
  /** Write batches committed / failed (a failure is retried once). */
  batches: number;
  batchesFailed: number;
  batchRetries: number;
  /** Records accepted and not yet committed (current batch + in flight). */
  queued: number;
  /** Failed worker requests of any kind, and worker restarts. */
  workerErrors: number;
  /** Reads stopped by their signal (client gone, deadline). */
  readsCancelled: number;
  workerRestarts: number;
  /** Latency of the last write batch (send to commit), ms, and its size. */
  lastBatchMs: number | null;
  lastBatchRecords: number;
  /** Capacity of the write queue, records. */
  maxQueued: number;
  /** Estimated rows per table (DuckDB's estimate, as of the last batch). */
  rows: { records: number; windows: number };
  /** Database file + WAL size, bytes. */
  fileBytes: number;
  /** DuckDB's memory: in use, spilled to temporary files, its memory_limit (bytes), threads. */
  memory: { usedBytes: number; tempBytes: number; limitBytes: number; threads: number };
  /** The store worker's V8 heap, bytes. */
  workerHeap: { usedBytes: number; totalBytes: number };
  /** Highest seq assigned. */
  seq: number;
}

/** Rejected lines to list: by topic, reason, source or origin, newest first. */
export interface QuarantineQuery {
  topicId?: string;
  reason?: string;
  source?: string;
  origin?: string;
  /** Cursor: lines older than this one. */
  before?: string | null;
  limit: number;
}

/** What one saveCatalog transaction does. */
export interface CatalogChange {
  upsert?: Partial<CatalogEntities>;
  remove?: {
    logsets?: string[];
    topics?: string[];
    flowLogs?: string[];
    alertRules?: string[];
    alertEpisodes?: string[];
    alertSilences?: string[];
    alertDeliveries?: string[];
  };
  /** Topics whose records, windows, rollups and rejected lines go too. */
  dropTopicData?: string[];
}

/** Rows of a topic: what deleting it would remove. */
export interface TopicUsage {
  records: number;
  windows: number;
  /** Newest window start with records, epoch ms, or null. */
  newest: number | null;
}
