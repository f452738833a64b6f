// Messages between the store facade (main thread) and its worker. Every request carries an id;
// writes are answered in the order they were sent.
import type { WindowAggregate } from '../../../shared/events.ts';
import type { WireBatch } from './batch.ts';
import type { StoreConfig } from '../config.ts';
import type { QuarantineRow, SourceOffset } from '../types.ts';

/** The reads the worker serves (queries.ts) by name. */
export type ReadOp =
  | 'queryRecords'
  | 'loadWindows'
  | 'windowSeries'
  | 'aggregate'
  | 'topQuintuples'
  | 'sourcePorts'
  | 'recomputeWindow'
  | 'lastWindows'
  | 'loadCatalog'
  | 'topicUsage'
  | 'quarantine'
  | 'quarantineCount'
  | 'loadOffsets'
  /** Rolls every settled hour that needs it now (tests, bench); a timer does it too. */
  | 'maintain';

/** Admin-queue operations the worker serves by name. */
export type AdminOp =
  | 'saveCatalog'
  | 'setRetention'
  /** Every record up to a seq is reflected in the stored window aggregates (see checkpoint.ts). */
  | 'markWindowsClean'
  /** Windows whose records came after the last clean mark: their aggregates may be stale. */
  | 'windowsToRebuild';

export type ToWorker =
  | { type: 'open'; config: Readonly<StoreConfig> }
  /**
   * Records, rejected lines and source offsets in one transaction (when any); the window upserts
   * in another, on the admin connection.
   */
  | {
      type: 'write';
      id: number;
      batch: WireBatch | null;
      quarantine: QuarantineRow[];
      offsets: SourceOffset[];
      windows: WindowAggregate[];
    }
  | { type: 'read'; id: number; op: ReadOp; args: unknown[] }
  /** Stops a read (its client went away, or its deadline passed): its running queries are interrupted. */
  | { type: 'cancel'; id: number }
  /** Retention runs in the write queue, between two writes. */
  | { type: 'retention'; id: number; now: number }
  /** Catalog changes and settings, in the admin queue after the record writes sent before. */
  | { type: 'admin'; id: number; op: AdminOp; args: unknown[] }
  | { type: 'close'; id: number };

export interface WorkerStats {
  seq: number;
  rows: { records: number; windows: number };
  fileBytes: number;
  /** DuckDB's memory (duckdb_memory()): in use, spilled to temporary files, and its limit. */
  memory: { usedBytes: number; tempBytes: number; limitBytes: number; threads: number };
  /** The store worker's own V8 heap (a thread has its own), bytes used and allocated. */
  workerHeap: { usedBytes: number; totalBytes: number };
}

export interface WriteOutcome {
  appended: number;
  rejected: Record<string, number>;
  /** [batch row, reason code] pairs (append.ts REASON_CODES). */
  rejectedRows: number[];
  quarantined: number;
  /** The records transaction failed twice: nothing of its units was stored. */
  failed: boolean;
  /** One rejected record, described. */
  sample: string | null;
  /** Records / windows of this write that could not be committed (after the retry). */
  lostRecords: number;
  lostWindows: number;
  windowsSaved: number;
  /**
   * Every record with a seq up to this one is committed (0: this write says nothing, e.g. no
   * records, or a retried batch whose new seqs may lie above those of a later, uncommitted one).
   */
  committedSeq: number;
  /** The first attempt failed. */
  retried: boolean;
  /** Messages of the failed attempts. */
  errors: string[];
}

export type FromWorker =
  | { type: 'opened'; stats: WorkerStats }
  | { type: 'open-failed'; error: string }
  | { type: 'written'; id: number; outcome: WriteOutcome; stats: WorkerStats }
  | { type: 'result'; id: number; ok: true; data: unknown }
  /** `query`: the arguments were refused; `db`: the database failed. */
  | { type: 'result'; id: number; ok: false; kind: 'query' | 'db'; error: string }
  | { type: 'closed'; id: number }
  /** The worker hit an error no handler caught; it closes the database and exits. */
  | { type: 'fatal'; error: string };
