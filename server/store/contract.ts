// What every store backend implements: the Store interface, its errors and its dependencies. It
// speaks the API's terms only: filters are query ASTs (filter.ts), sort keys the API's field
// names, never SQL.
import type { RejectedLinesPage } from '../../shared/api.ts';
import type { CatalogEntities } from '../../shared/catalog.ts';
import type { TopQuintuple, WindowAggregate } from '../../shared/events.ts';
import type { Clock } from '../clock.ts';
import type { StoreConfig } from './config.ts';
import type { Filter } from './filter.ts';
import type {
  AggregateQuery,
  AggregateResult,
  CatalogChange,
  QuarantineQuery,
  RebuildPlan,
  RecomputedWindow,
  RecordPage,
  RecordQuery,
  RetentionResult,
  SeriesPoint,
  SourcePorts,
  SourcePortsQuery,
  StoreMetrics,
  StreamPosition,
  TopicUsage,
  WriteAck,
  WriteUnit,
} from './types.ts';

export interface StoreDeps {
  clock: Clock;
  /** Told of each committed write batch: seconds from send to commit (metrics). */
  onCommit?: (seconds: number, records: number) => void;
  /** Told of each read: its operation and seconds (metrics). */
  onRead?: (op: string, seconds: number) => void;
  /** Failed writes, rejected records, worker restarts; rate-limited. Default console.warn. */
  warn?: (msg: string) => void;
}

/**
 * `query`: the request was refused (bad arguments, cursor or filter); `db`: DuckDB failed;
 * `worker`: the worker died while the request was pending; `closed`: the store is closed.
 */
export class StoreError extends Error {
  constructor(
    message: string,
    /** `cancelled`: the read's signal aborted (its reason is `cause`); its queries were interrupted. */
    readonly kind: 'query' | 'db' | 'worker' | 'closed' | 'cancelled',
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StoreError';
  }
}

/** How a read may be stopped: when `signal` aborts, its running queries are interrupted. */
export interface ReadOptions {
  signal?: AbortSignal;
}

export interface Store {
  /**
   * Queues a unit: its records, rejected lines and source offsets are committed in one
   * transaction (never split), and the promise resolves after the commit. Null, with nothing
   * queued, when the queue has no room for it: the source waits and tries again (back-pressure).
   * The promise rejects (StoreError) when the transaction failed: nothing of the unit is stored.
   */
  write(unit: WriteUnit): Promise<WriteAck> | null;
  /** True when a unit of `n` records (plus rejected lines) would be queued now. */
  hasRoom(n: number): boolean;
  /** Queues an upsert; per (topic, window) only the highest revision queued is written. Sync. */
  saveWindow(agg: WindowAggregate): void;
  /** Resolves when everything queued before the call has been processed. */
  flush(): Promise<void>;
  /** Records queued and not yet committed. */
  backlog(): number;
  /** Stored aggregates with windowStart in [fromMs, toMs), oldest first. */
  loadWindows(topicId: string, fromMs: number, toMs: number): Promise<WindowAggregate[]>;
  /** Stored aggregates rolled up per step (a multiple of 60 s, epoch-aligned); empty steps omitted. */
  windowSeries(
    topicId: string,
    fromMs: number,
    toMs: number,
    stepMs: number,
  ): Promise<SeriesPoint[]>;
  queryRecords(q: RecordQuery, opts?: ReadOptions): Promise<RecordPage>;
  aggregate(q: AggregateQuery, opts?: ReadOptions): Promise<AggregateResult>;
  topQuintuples(
    topicId: string,
    fromMs: number,
    toMs: number,
    topN: number,
    where?: Filter,
  ): Promise<TopQuintuple[]>;
  /** Sources' distinct destination ports per window; ties by window, then address. */
  sourcePorts(q: SourcePortsQuery, opts?: ReadOptions): Promise<SourcePorts[]>;
  /** Newest window stored per (topic, stream). */
  lastWindows(): Promise<StreamPosition[]>;
  /** One window's aggregate computed from its raw records. */
  recomputeWindow(
    topicId: string,
    windowStart: number,
    windowMs: number,
    topN: number,
  ): Promise<RecomputedWindow>;
  /**
   * Brings the hourly rollups up to date now and resolves with how many hours were rolled (the
   * worker also does it every 30 s; reads are exact either way, rollups only make them faster).
   */
  maintain(): Promise<{
    rolled: number;
    rolls: number;
    due: number;
    /** Reads answered (in part) from rollups since open. */
    dimsReads: number;
    topReads: number;
  }>;
  /** Deletes what is older than each topic's retention; `now` defaults to the clock. */
  enforceRetention(now?: number): Promise<RetentionResult>;
  /** Per-topic retention overrides from now on (the catalog changed). */
  setRetention(perTopic: StoreConfig['perTopic']): Promise<void>;
  /**
   * Highest seq such that every record up to it is committed and was handed to its write's
   * caller (whose then-callbacks, run before any timer, fold it into the aggregator).
   */
  committedSeq(): number;
  /** Records every record up to `seq` as counted in the stored aggregates (after they were saved). */
  markWindowsClean(seq: number): Promise<void>;
  /** The windows a start recomputes from raw records (see RebuildPlan). */
  windowsToRebuild(fallbackFrom: number): Promise<RebuildPlan>;
  /** The stored catalog, or null on a data directory where it was never written. */
  loadCatalog(): Promise<CatalogEntities | null>;
  /**
   * Writes a catalog change in one transaction, after every record queued before the call (so
   * the rows of a dropped topic are all gone). Resolves with what was dropped.
   */
  saveCatalog(change: CatalogChange): Promise<{ records: number; windows: number }>;
  /** Rows of a topic: what deleting it would remove. */
  topicUsage(topicId: string): Promise<TopicUsage>;
  /** Rejected lines, newest first, with counts by reason and source. */
  rejectedLines(q: QuarantineQuery): Promise<RejectedLinesPage>;
  /** Rejected lines kept of a topic. */
  rejectedLineCount(topicId: string): Promise<number>;
  /** The newest committed state of every source whose name starts with `prefix`. */
  loadOffsets(prefix: string): Promise<Array<{ source: string; state: string }>>;
  metrics(): StoreMetrics;
  /** Starts the retention timer (a first sweep runs at once). */
  start(): void;
  stop(): void;
  /** Flushes, checkpoints and closes the database, and ends the worker. */
  close(): Promise<void>;
}
