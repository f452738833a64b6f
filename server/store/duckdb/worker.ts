// The store worker: owns the DuckDB instance, so appends (synchronous native calls) and queries
// never run on the main thread.
//
// Records: two append lanes (a connection + appender each). Batch k is appended on one lane while
// the commit of batch k-1 (WAL write, sometimes a checkpoint: async, on a libuv thread) finishes
// on the other; commits happen in batch order, so seq grows in commit order. Each batch is one
// transaction. Window upserts, retention and the hourly rollups (rollup.ts) run one at a time on a
// third connection; reads run concurrently on a small pool of other connections.
import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { parentPort } from 'node:worker_threads';
import {
  DuckDBInstance,
  type DuckDBAppender,
  type DuckDBConnection,
  type DuckDBPreparedStatement,
  type DuckDBValue,
} from '@duckdb/node-api';
import type { WindowAggregate } from '../../../shared/events.ts';
import { createRecordWriter, type AppendResult } from './append.ts';
import type { WireBatch } from './batch.ts';
import {
  DEFAULT_CHECKPOINT_THRESHOLD,
  DEFAULT_ROLLUP_TOP_K,
  READ_CONNECTIONS,
  retentionOf,
  sizeBytes,
  type StoreConfig,
} from '../config.ts';
import type {
  AdminOp,
  FromWorker,
  ReadOp,
  ToWorker,
  WorkerStats,
  WriteOutcome,
} from './protocol.ts';
import {
  applyCatalogChange,
  loadCatalog,
  topicUsage,
  type CatalogChange,
} from './catalog-store.ts';
import * as queries from './queries.ts';
import {
  loadOffsets,
  pruneOffsets,
  pruneQuarantine,
  quarantineCount,
  QuarantineCursorError,
  queryQuarantine,
  type QuarantineQuery,
} from './quarantine.ts';
import { createRollups } from './rollup.ts';
import {
  CREATE_OPTIONS,
  META_SEQ,
  META_WINDOWS_CLEAN,
  META_VERSION,
  SCHEMA_SQL,
  SCHEMA_VERSION,
  UPSERT_WINDOW_SQL,
} from './schema.ts';
import type { QuarantineRow, RebuildPlan, SourceOffset, StreamPosition } from '../types.ts';

/** Read connections. Each busy one holds a libuv thread (4 by default, shared with the main thread's fs). */

const RETRY_DELAY_MS = 250;
const STATS_EVERY_MS = 5_000;

const port = parentPort;
if (port === null) throw new Error('server/store/worker.ts runs as a worker thread');
const send = (m: FromWorker) => port.postMessage(m);
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

interface Lane {
  con: DuckDBConnection;
  appender: DuckDBAppender;
  records: ReturnType<typeof createRecordWriter>;
  /** Rejected lines and source offsets, in the same transaction as the records. */
  quarantine: DuckDBAppender;
  offsets: DuckDBAppender;
  /** Settles when the lane's last transaction has committed or been given up. */
  free: Promise<void>;
}

interface Db {
  /** Replaced by setRetention. */
  config: Readonly<StoreConfig>;
  instance: DuckDBInstance;
  lanes: [Lane, Lane];
  /** Window upserts, retention, meta. */
  admin: DuckDBConnection;
  upsertWindow: DuckDBPreparedStatement;
  readers: DuckDBConnection[];
}

let db: Db | null = null;
/** Highest seq handed out (rows of failed transactions leave gaps). */
let seq = 0;
/** Highest source_offsets.seq handed out. */
let offsetSeq = 0;
let nextLane = 0;
let appendChain: Promise<unknown> = Promise.resolve();
let commitChain: Promise<unknown> = Promise.resolve();
let adminChain: Promise<unknown> = Promise.resolve();
let ackChain: Promise<unknown> = Promise.resolve();
const NO_MEMORY: WorkerStats['memory'] = { usedBytes: 0, tempBytes: 0, limitBytes: 0, threads: 0 };
let stats: WorkerStats = {
  seq: 0,
  rows: { records: 0, windows: 0 },
  fileBytes: 0,
  memory: NO_MEMORY,
  workerHeap: { usedBytes: 0, totalBytes: 0 },
};

let statsAt = -Infinity;
let rollups = createRollups(DEFAULT_ROLLUP_TOP_K);
/** Rollups are used once their hours have been checked against the records. */
let rollupsChecked = false;
/** The open-time check failed: rollups stay unused, every read is raw. */
let rollupsFailed = false;
let maintaining = false;
let maintainTimer: ReturnType<typeof setInterval> | null = null;
const MAINTAIN_EVERY_MS = 30_000;
const ctx = (u: queries.WithConnection = use): queries.ReadContext => ({
  use: u,
  rollups: rollupsChecked ? rollups.view : null,
});

/** Newest window per `topic NUL stream`: what commits since open brought, merged with one scan. */
const positions = new Map<string, StreamPosition>();
let positionsScanned: Promise<void> | null = null;

// ---------------------------------------------------------------------------------------------
// Read pool

const idle: DuckDBConnection[] = [];
const waiting: Array<(con: DuckDBConnection) => void> = [];

const release = (con: DuckDBConnection) => {
  const next = waiting.shift();
  if (next) next(con);
  else idle.push(con);
};

/** Read connections running a query now (close() interrupts them and waits until none is). */
const busy = new Set<DuckDBConnection>();
/** Set by close(): no new query starts on a read connection. */
let closing = false;

class StoreClosing extends Error {}

const use: queries.WithConnection = async (fn) => {
  if (closing) throw new StoreClosing('the store is closing');
  const con = idle.pop() ?? (await new Promise<DuckDBConnection>((got) => waiting.push(got)));
  if (closing) {
    release(con);
    throw new StoreClosing('the store is closing');
  }
  busy.add(con);
  try {
    return await fn(con);
  } finally {
    busy.delete(con);
    release(con);
  }
};

/** The reads in progress by id: the connections their queries hold, and whether they were cancelled. */
const running = new Map<number, { cons: Set<DuckDBConnection>; cancelled: boolean }>();

class ReadCancelled extends Error {}

/** A connection user for read `id`: its queries can be interrupted by a cancel. */
function useFor(id: number): queries.WithConnection {
  return async (fn) => {
    const r = running.get(id);
    const con = idle.pop() ?? (await new Promise<DuckDBConnection>((got) => waiting.push(got)));
    if (r?.cancelled || closing) {
      release(con);
      throw new ReadCancelled('cancelled');
    }
    r?.cons.add(con);
    busy.add(con);
    try {
      return await fn(con);
    } finally {
      busy.delete(con);
      r?.cons.delete(con);
      release(con);
    }
  };
}

/**
 * Interrupts a read's queries, again every 50 ms until it has returned: an interrupt that arrives
 * before DuckDB has begun a query (it waits for a pool thread) is lost when the query begins.
 */
function cancelRead(id: number): void {
  const r = running.get(id);
  if (!r || r.cancelled) return;
  r.cancelled = true;
  const interrupt = () => {
    if (!running.has(id)) return clearInterval(timer);
    for (const con of r.cons) con.interrupt();
  };
  const timer = setInterval(interrupt, 50);
  interrupt();
}

/** Reads still running (a cancelled one too, until its queries return). */
const inflight = new Set<Promise<unknown>>();

// ---------------------------------------------------------------------------------------------
// Open and close

async function lane(instance: DuckDBInstance): Promise<Lane> {
  const con = await instance.connect();
  const appender = await con.createAppender('records');
  return {
    con,
    appender,
    records: createRecordWriter(appender),
    quarantine: await con.createAppender('quarantine'),
    offsets: await con.createAppender('source_offsets'),
    free: Promise.resolve(),
  };
}

async function open(config: Readonly<StoreConfig>): Promise<void> {
  mkdirSync(dirname(config.path), { recursive: true });
  rollups = createRollups(config.rollupTopK ?? DEFAULT_ROLLUP_TOP_K);
  const options: Record<string, string> = { ...CREATE_OPTIONS };
  if (config.threads !== undefined) options.threads = String(config.threads);
  if (config.memoryLimit !== undefined) options.memory_limit = config.memoryLimit;
  options.checkpoint_threshold = config.checkpointThreshold ?? DEFAULT_CHECKPOINT_THRESHOLD;
  const instance = await DuckDBInstance.create(config.path, options);
  const admin = await instance.connect();
  for (const sql of SCHEMA_SQL) await admin.run(sql);

  const meta = new Map<string, string>();
  for (const [k, v] of (await admin.runAndReadAll('SELECT key, value FROM meta')).getRows()) {
    meta.set(String(k), String(v));
  }
  const version = meta.get(META_VERSION);
  if (version === undefined) {
    await admin.run('INSERT INTO meta VALUES (?, ?)', [META_VERSION, String(SCHEMA_VERSION)]);
  } else if (Number(version) > SCHEMA_VERSION) {
    throw new Error(
      `${config.path} has schema version ${version}, newer than this flowdeck (${SCHEMA_VERSION})`,
    );
  }
  // The high-water mark is saved at close and before retention deletes (which could remove the
  // newest rows); after a crash the newest committed rows hold it.
  const max = await admin.runAndReadAll('SELECT coalesce(max(seq), 0) FROM records');
  seq = Math.max(Number(meta.get(META_SEQ) ?? 0), Number(max.getRows()[0]![0]));
  const maxOffset = await admin.runAndReadAll('SELECT coalesce(max(seq), 0) FROM source_offsets');
  offsetSeq = Number(maxOffset.getRows()[0]![0]);

  const readers: DuckDBConnection[] = [];
  for (let i = 0; i < READ_CONNECTIONS; i++) readers.push(await instance.connect());
  idle.push(...readers);
  db = {
    config,
    instance,
    lanes: [await lane(instance), await lane(instance)],
    admin,
    upsertWindow: await admin.prepare(UPSERT_WINDOW_SQL),
    readers,
  };
  await refreshStats(true);
  const d = db;
  void onAdmin(() => rollups.validate(d.admin)).then(
    () => {
      rollupsChecked = true;
      void maintain();
      maintainTimer = setInterval(() => void maintain(), MAINTAIN_EVERY_MS);
      maintainTimer.unref?.();
    },
    () => {
      rollupsFailed = true;
    },
  );
}

/** Rolls every settled hour that needs it, a few per admin task; returns how many were rolled. */
async function maintain(): Promise<number> {
  const d = db;
  if (d === null || !rollupsChecked || maintaining) return 0;
  maintaining = true;
  const before = rollups.metrics().rolls;
  try {
    while ((await onAdmin(() => rollups.maintainSome(d.admin))) > 0 && db !== null) {
      // next batch of hours
    }
  } finally {
    maintaining = false;
  }
  return rollups.metrics().rolls - before;
}

/**
 * The windows whose stored aggregate may not count all their records: those of records committed
 * after the last clean mark (a crash came between a records commit and its windows' save). Without
 * a mark (a store from before marks), those of records in windows from `fallbackFrom` on.
 */
async function windowsToRebuild(d: Db, fallbackFrom: number): Promise<RebuildPlan> {
  return onAdmin(async () => {
    const mark = await d.admin.runAndReadAll('SELECT value FROM meta WHERE key = ?', [
      META_WINDOWS_CLEAN,
    ]);
    const raw = mark.getRows()[0]?.[0];
    const clean = raw === undefined ? null : Number(raw);
    // Never marked (a store from before marks): only windows whose traffic totals differ from their
    // stored aggregate, or that have none, of the aggregator's horizon.
    const traffic = `(log_status IS NULL OR log_status = 'OK') AND action IS NOT NULL`;
    const rows = await d.admin.runAndReadAll(
      clean === null
        ? `WITH raw AS (
             SELECT topic, window_start,
                    count(*) FILTER (WHERE ${traffic}) AS n,
                    coalesce(sum(bytes) FILTER (WHERE ${traffic}), 0) AS b
             FROM records WHERE window_start >= ? GROUP BY topic, window_start)
           SELECT raw.topic, raw.window_start FROM raw
           LEFT JOIN windows w ON w.topic = raw.topic AND w.window_start = raw.window_start
           WHERE w.topic IS NULL OR w.accept_records + w.reject_records <> raw.n
              OR w.accept_bytes + w.reject_bytes <> raw.b
           ORDER BY 1, 2`
        : 'SELECT DISTINCT topic, window_start FROM records WHERE seq > ? ORDER BY 1, 2',
      [clean === null ? fallbackFrom : clean],
    );
    return {
      cleanSeq: clean,
      seq,
      windows: rows.getRows().map(([t, w]) => [String(t), Number(w)] as [string, number]),
    };
  });
}

async function saveSeq(d: Db): Promise<void> {
  await d.admin.run('INSERT OR REPLACE INTO meta VALUES (?, ?)', [META_SEQ, String(seq)]);
}

async function close(): Promise<void> {
  const d = db;
  if (d === null) return;
  if (maintainTimer !== null) clearInterval(maintainTimer);
  // Reads still running are stopped and awaited: a connection closed under a query hangs. So are
  // the store's own (statistics, positions), which are not reads of a client.
  closing = true;
  for (const id of running.keys()) cancelRead(id);
  await Promise.allSettled([...inflight]);
  while (busy.size > 0) {
    for (const con of busy) con.interrupt();
    await sleep(20);
  }
  await Promise.all([appendChain, commitChain, adminChain, ackChain]);
  for (const l of d.lanes) for (const a of [l.appender, l.quarantine, l.offsets]) a.closeSync();
  await saveSeq(d).catch(() => {});
  await d.admin.run('CHECKPOINT').catch(() => {});
  for (const c of d.readers) c.closeSync();
  for (const l of d.lanes) l.con.closeSync();
  d.admin.closeSync();
  d.instance.closeSync();
  db = null;
}

async function refreshStats(force = false): Promise<void> {
  const now = performance.now();
  if (db === null || (!force && now - statsAt < STATS_EVERY_MS)) return;
  statsAt = now;
  const rows = { records: 0, windows: 0 };
  let memory = stats.memory;
  try {
    const r = await use((con) =>
      con.runAndReadAll(
        `SELECT (SELECT coalesce(sum(memory_usage_bytes), 0) FROM duckdb_memory()),
                (SELECT coalesce(sum(temporary_storage_bytes), 0) FROM duckdb_memory()),
                current_setting('memory_limit'), current_setting('threads')`,
      ),
    );
    const [used, temp, limit, threads] = r.getRows()[0] ?? [];
    memory = {
      usedBytes: Number(used ?? 0),
      tempBytes: Number(temp ?? 0),
      limitBytes: sizeBytes(String(limit ?? '')),
      threads: Number(threads ?? 0),
    };
  } catch {
    // statistics are best effort
  }
  try {
    const r = await use((con) =>
      con.runAndReadAll(
        `SELECT table_name, estimated_size FROM duckdb_tables() WHERE table_name IN ('records', 'windows')`,
      ),
    );
    for (const [name, size] of r.getRows()) {
      if (name === 'records') rows.records = Number(size);
      if (name === 'windows') rows.windows = Number(size);
    }
  } catch {
    // statistics are best effort
  }
  let fileBytes = 0;
  for (const p of [db.config.path, `${db.config.path}.wal`]) {
    try {
      fileBytes += statSync(p).size;
    } catch {
      // no WAL
    }
  }
  const heap = getHeapStatistics();
  stats = {
    seq,
    rows,
    fileBytes,
    memory,
    workerHeap: { usedBytes: heap.used_heap_size, totalBytes: heap.total_heap_size },
  };
}

// ---------------------------------------------------------------------------------------------
// Records

interface RecordsOutcome {
  result: AppendResult | null;
  /** Highest seq of this batch when committed on the first attempt; else 0 (see WriteOutcome). */
  lastSeq: number;
  lost: number;
  retried: boolean;
  errors: string[];
}

/** Fresh appenders after a failure: the old ones may hold rows of the failed batch. */
async function resetLane(l: Lane): Promise<void> {
  for (const a of [l.appender, l.quarantine, l.offsets]) {
    try {
      a.clear();
    } catch {
      // replaced below
    }
  }
  await l.con.run('ROLLBACK').catch(() => {});
  for (const a of [l.appender, l.quarantine, l.offsets]) {
    try {
      a.closeSync();
    } catch {
      // replaced below
    }
  }
  l.appender = await l.con.createAppender('records');
  l.records = createRecordWriter(l.appender);
  l.quarantine = await l.con.createAppender('quarantine');
  l.offsets = await l.con.createAppender('source_offsets');
}

/** What a lane commits in one transaction besides records. */
interface LaneExtras {
  quarantine: readonly QuarantineRow[];
  offsets: readonly SourceOffset[];
}

const NO_RECORDS: AppendResult = {
  appended: 0,
  rejected: {},
  rejectedRows: [],
  sample: null,
  streams: [],
  hours: [],
};

/** BEGIN, append, flush: the transaction is left open for its commit. */
async function appendOn(
  l: Lane,
  batch: WireBatch | null,
  extras: LaneExtras,
): Promise<AppendResult> {
  await l.con.run('BEGIN TRANSACTION');
  try {
    let r = NO_RECORDS;
    if (batch !== null) {
      r = l.records.append(batch, seq + 1);
      seq += r.appended;
      l.appender.flushSync();
    }
    if (extras.quarantine.length > 0) {
      const q = l.quarantine;
      for (const row of extras.quarantine) {
        q.appendVarchar(row.topicId);
        q.appendVarchar(row.source);
        q.appendVarchar(row.origin);
        q.appendBigInt(BigInt(row.line));
        q.appendVarchar(row.reason);
        q.appendVarchar(row.message);
        q.appendVarchar(row.raw);
        q.appendBigInt(BigInt(row.rawLength));
        q.appendBigInt(BigInt(row.at));
        q.endRow();
      }
      q.flushSync();
    }
    if (extras.offsets.length > 0) {
      const now = Date.now();
      for (const o of extras.offsets) {
        l.offsets.appendVarchar(o.source);
        l.offsets.appendBigInt(BigInt(++offsetSeq));
        l.offsets.appendVarchar(o.state);
        l.offsets.appendBigInt(BigInt(now));
        l.offsets.endRow();
      }
      l.offsets.flushSync();
    }
    return r;
  } catch (err) {
    await resetLane(l);
    throw err;
  }
}

function notePositions(r: AppendResult): void {
  for (const [topicId, streamId, windowStart] of r.streams) {
    const key = `${topicId}\u0000${streamId}`;
    const p = positions.get(key);
    if (p === undefined) positions.set(key, { topicId, streamId, windowStart });
    else if (windowStart > p.windowStart) p.windowStart = windowStart;
  }
}

/**
 * Error policy: a batch whose append or commit fails is retried once after a pause (with new
 * seq numbers), before any later batch commits; if that fails too its records are counted as
 * lost and reported. Later batches go on either way.
 */
function writeRecords(d: Db, batch: WireBatch | null, extras: LaneExtras): Promise<RecordsOutcome> {
  return new Promise((resolve) => {
    appendChain = appendChain.then(async () => {
      const l = d.lanes[nextLane]!;
      nextLane ^= 1;
      await l.free;
      const errors: string[] = [];
      let appended: AppendResult | null = null;
      let appendedThrough = 0;
      try {
        appended = await appendOn(l, batch, extras);
        appendedThrough = appended.appended > 0 ? seq : 0;
      } catch (err) {
        errors.push(message(err));
      }
      const commit = async (): Promise<RecordsOutcome> => {
        if (appended !== null) {
          try {
            await l.con.run('COMMIT');
            return { result: appended, lastSeq: appendedThrough, lost: 0, retried: false, errors };
          } catch (err) {
            errors.push(message(err));
            await resetLane(l);
          }
        }
        await sleep(RETRY_DELAY_MS);
        try {
          const again = await appendOn(l, batch, extras);
          await l.con.run('COMMIT');
          return { result: again, lastSeq: 0, lost: 0, retried: true, errors };
        } catch (err) {
          errors.push(message(err));
          await resetLane(l).catch(() => {});
          return { result: null, lastSeq: 0, lost: batch?.rows ?? 0, retried: true, errors };
        }
      };
      // Never rejects: the chains must go on whatever happens to one batch.
      const done = commitChain.then(commit).catch((err: unknown): RecordsOutcome => ({
        result: null,
        lastSeq: 0,
        lost: batch?.rows ?? 0,
        retried: true,
        errors: [...errors, message(err)],
      }));
      commitChain = done;
      l.free = done.then(() => {});
      void done.then((o) => {
        if (o.result !== null) {
          notePositions(o.result);
          rollups.touch(o.result.hours, o.result.streams);
        }
        resolve(o);
      });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Windows and retention (admin connection, one at a time)

function windowParams(a: WindowAggregate): DuckDBValue[] {
  return [
    a.topicId,
    a.windowStart,
    a.revision,
    a.publishedAt,
    a.accept.bytes,
    a.accept.packets,
    a.accept.records,
    a.reject.bytes,
    a.reject.packets,
    a.reject.records,
    JSON.stringify(a),
  ];
}

function onAdmin<T>(task: () => Promise<T>): Promise<T> {
  const p = adminChain.then(task);
  adminChain = p.catch(() => {});
  return p;
}

interface WindowsOutcome {
  saved: number;
  lost: number;
  retried: boolean;
  errors: string[];
}

/** One transaction; on failure each window is retried alone, so only bad ones are lost. */
function writeWindows(d: Db, windows: readonly WindowAggregate[]): Promise<WindowsOutcome> {
  return onAdmin(async () => {
    const upsert = async (a: WindowAggregate) => {
      d.upsertWindow.bind(windowParams(a));
      await d.upsertWindow.run();
    };
    try {
      await d.admin.run('BEGIN TRANSACTION');
      for (const a of windows) await upsert(a);
      await d.admin.run('COMMIT');
      return { saved: windows.length, lost: 0, retried: false, errors: [] };
    } catch (err) {
      await d.admin.run('ROLLBACK').catch(() => {});
      const out: WindowsOutcome = { saved: 0, lost: 0, retried: true, errors: [message(err)] };
      await sleep(RETRY_DELAY_MS);
      for (const a of windows) {
        try {
          await upsert(a);
          out.saved++;
        } catch (e) {
          out.lost++;
          if (out.errors.length < 3) out.errors.push(message(e));
        }
      }
      return out;
    }
  });
}

function retention(d: Db, now: number): Promise<{ records: number; windows: number }> {
  return onAdmin(async () => {
    await saveSeq(d);
    const overrides = Object.keys(d.config.perTopic ?? {});
    const sweep = async (table: 'records' | 'windows', ms: (topic: string | null) => number) => {
      const others =
        overrides.length > 0 ? ` AND topic NOT IN (${overrides.map(() => '?').join(', ')})` : '';
      let deleted = (
        await d.admin.run(`DELETE FROM ${table} WHERE window_start < ?${others}`, [
          now - ms(null),
          ...overrides,
        ])
      ).rowsChanged;
      for (const t of overrides) {
        deleted += (
          await d.admin.run(`DELETE FROM ${table} WHERE topic = ? AND window_start < ?`, [
            t,
            now - ms(t),
          ])
        ).rowsChanged;
      }
      return deleted;
    };
    // An empty topic id has no override: the defaults.
    const of = (t: string | null) => retentionOf(d.config, t ?? '');
    const out = {
      records: await sweep('records', (t) => of(t).rawMs),
      windows: await sweep('windows', (t) => of(t).windowMs),
      rejectedLines: await pruneQuarantine(
        d.admin,
        now - d.config.quarantineDays * 86_400_000,
        d.config.quarantineMaxPerTopic,
      ),
      offsets: await pruneOffsets(d.admin),
    };
    await rollups.forget(d.admin, null, now - of(null).rawMs, overrides);
    for (const t of overrides) await rollups.forget(d.admin, t, now - of(t).rawMs, []);
    return out;
  });
}

// ---------------------------------------------------------------------------------------------
// Reads

async function lastWindows(): Promise<StreamPosition[]> {
  positionsScanned ??= use((con) =>
    con.runAndReadAll('SELECT topic, stream, max(window_start) FROM records GROUP BY ALL'),
  ).then((r) => {
    for (const [topic, stream, w] of r.getRows()) {
      const windowStart = Number(w);
      const key = `${String(topic)}\u0000${String(stream)}`;
      const p = positions.get(key);
      if (p === undefined) {
        positions.set(key, { topicId: String(topic), streamId: String(stream), windowStart });
      } else if (windowStart > p.windowStart) p.windowStart = windowStart;
    }
  });
  try {
    await positionsScanned;
  } catch (err) {
    positionsScanned = null;
    throw err;
  }
  return Array.from(positions.values(), (p) => ({ ...p })).sort(
    (a, b) =>
      (a.topicId < b.topicId ? -1 : a.topicId > b.topicId ? 1 : 0) ||
      (a.streamId < b.streamId ? -1 : a.streamId > b.streamId ? 1 : 0),
  );
}

/** A read: its context (whose connections a cancel interrupts) first, then the caller's arguments. */
type ReadFn = (c: queries.ReadContext, ...args: never[]) => Promise<unknown>;
const READS: Record<ReadOp, ReadFn> = {
  queryRecords: (c, q: Parameters<typeof queries.queryRecords>[1]) => queries.queryRecords(c, q),
  loadWindows: (c, t: string, f: number, to: number) => queries.loadWindows(c, t, f, to),
  windowSeries: (c, t: string, f: number, to: number, step: number) =>
    queries.windowSeries(c, t, f, to, step),
  aggregate: (c, q: Parameters<typeof queries.aggregate>[1]) => queries.aggregate(c, q),
  topQuintuples: (
    c,
    t: string,
    f: number,
    to: number,
    n: number,
    w: Parameters<typeof queries.topQuintuples>[5],
  ) => queries.topQuintuples(c, t, f, to, n, w),
  sourcePorts: (c, q: Parameters<typeof queries.sourcePorts>[1]) => queries.sourcePorts(c, q),
  recomputeWindow: (c, t: string, w: number, ms: number, n: number) =>
    queries.recomputeWindow(c, t, w, ms, n),
  lastWindows: () => lastWindows(),
  loadCatalog: (c) => c.use((con) => loadCatalog(con)),
  quarantine: (c, q: QuarantineQuery) =>
    c
      .use((con) => queryQuarantine(con, q))
      .catch((err: unknown) => {
        throw err instanceof QuarantineCursorError
          ? new queries.StoreQueryError('bad cursor')
          : err;
      }),
  quarantineCount: (c, topic: string) => c.use((con) => quarantineCount(con, topic)),
  loadOffsets: (c, prefix: string) => c.use((con) => loadOffsets(con, prefix)),
  topicUsage: (c, topic: string) => c.use((con) => topicUsage(con, topic)),
  maintain: async () => {
    // Waits for the open-time check and any pass under way, then rolls whatever is settled.
    const before = rollups.metrics().rolls;
    while (!rollupsChecked && !rollupsFailed && db !== null) await sleep(20);
    while (maintaining) await sleep(20);
    await maintain();
    return { rolled: rollups.metrics().rolls - before, ...rollups.metrics() };
  },
};

// ---------------------------------------------------------------------------------------------
// Admin: the catalog and settings

/** One transaction, after every record write sent before it (so a dropped topic leaves no row). */
async function saveCatalog(d: Db, change: CatalogChange) {
  await Promise.all([appendChain, commitChain]);
  return onAdmin(async () => {
    await d.admin.run('BEGIN TRANSACTION');
    let dropped;
    try {
      dropped = await applyCatalogChange(d.admin, change);
      await d.admin.run('COMMIT');
    } catch (err) {
      await d.admin.run('ROLLBACK').catch(() => {});
      throw err;
    }
    for (const topic of change.dropTopicData ?? []) {
      await rollups.forget(d.admin, topic, Number.MAX_SAFE_INTEGER, []);
      for (const [key, p] of positions) if (p.topicId === topic) positions.delete(key);
    }
    return dropped;
  });
}

const ADMIN: Record<AdminOp, (d: Db, ...args: never[]) => Promise<unknown>> = {
  saveCatalog: (d, change: CatalogChange) => saveCatalog(d, change),
  markWindowsClean: (d, through: number) =>
    onAdmin(() =>
      d.admin.run(
        `INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value
           WHERE CAST(excluded.value AS BIGINT) > CAST(meta.value AS BIGINT)`,
        [META_WINDOWS_CLEAN, String(through)],
      ),
    ).then(() => undefined),
  windowsToRebuild: (d, fallbackFrom: number) => windowsToRebuild(d, fallbackFrom),
  setRetention: async (d, perTopic: StoreConfig['perTopic']) => {
    d.config = Object.freeze({ ...d.config, perTopic: { ...perTopic } });
  },
};

// ---------------------------------------------------------------------------------------------
// Messages

function fail(id: number, err: unknown): void {
  send({
    type: 'result',
    id,
    ok: false,
    kind: err instanceof queries.StoreQueryError ? 'query' : 'db',
    error: message(err),
  });
}

function onWrite(
  d: Db,
  id: number,
  batch: WireBatch | null,
  extras: LaneExtras,
  windows: WindowAggregate[],
): void {
  const records =
    batch === null && extras.quarantine.length === 0 && extras.offsets.length === 0
      ? Promise.resolve(null)
      : writeRecords(d, batch, extras);
  const upserts = windows.length === 0 ? Promise.resolve(null) : writeWindows(d, windows);
  // Acknowledged in the order written.
  ackChain = ackChain.then(async () => {
    const [r, w] = await Promise.all([records, upserts]);
    const committed = r !== null && r.result !== null;
    const outcome: WriteOutcome = {
      appended: r?.result?.appended ?? 0,
      rejected: r?.result?.rejected ?? {},
      rejectedRows: r?.result?.rejectedRows ?? [],
      quarantined: committed ? extras.quarantine.length : 0,
      failed: r !== null && r.result === null,
      sample: r?.result?.sample ?? null,
      lostRecords: r?.lost ?? 0,
      lostWindows: w?.lost ?? 0,
      windowsSaved: w?.saved ?? 0,
      committedSeq: r?.lastSeq ?? 0,
      retried: (r?.retried ?? false) || (w?.retried ?? false),
      errors: [...(r?.errors ?? []), ...(w?.errors ?? [])],
    };
    stats.seq = seq;
    send({ type: 'written', id, outcome, stats });
    // Off the write path: the read pool may be busy with long queries.
    void refreshStats();
  });
}

/**
 * A bug that escapes every handler must not take the process down: tearing down a thread that
 * still holds DuckDB objects aborts the whole process (native destructors throw). So: tell the
 * facade, stop what runs, close the database, and end this thread only; the facade restarts it.
 */
let dying = false;
function fatal(err: unknown): void {
  if (dying) return;
  dying = true;
  send({ type: 'fatal', error: message(err) });
  const d = db;
  db = null;
  if (maintainTimer !== null) clearInterval(maintainTimer);
  const cons = d ? [...d.readers, ...d.lanes.map((l) => l.con), d.admin] : [];
  for (const c of cons) {
    try {
      c.interrupt();
    } catch {
      // closing anyway
    }
  }
  // Let interrupted queries return before their connections go.
  setTimeout(() => {
    if (d) {
      for (const l of d.lanes) {
        try {
          l.appender.clear();
          l.appender.closeSync();
        } catch {
          // the transaction is rolled back with the connection
        }
      }
      for (const c of cons) {
        try {
          c.closeSync();
        } catch {
          // closing anyway
        }
      }
      try {
        d.instance.closeSync();
      } catch {
        // exiting anyway
      }
    }
    process.exit(1);
  }, 200);
}
process.on('uncaughtException', fatal);
process.on('unhandledRejection', fatal);

port.on('message', (m: ToWorker) => {
  if (dying) return;
  switch (m.type) {
    case 'open':
      open(m.config).then(
        () => send({ type: 'opened', stats }),
        (err: unknown) => send({ type: 'open-failed', error: message(err) }),
      );
      return;
    case 'write':
      onWrite(db!, m.id, m.batch, { quarantine: m.quarantine, offsets: m.offsets }, m.windows);
      return;
    case 'retention':
      retention(db!, m.now).then(
        (data) => send({ type: 'result', id: m.id, ok: true, data }),
        (err: unknown) => fail(m.id, err),
      );
      return;
    case 'admin': {
      const fn = ADMIN[m.op] as (d: Db, ...args: unknown[]) => Promise<unknown>;
      Promise.resolve()
        .then(() => fn(db!, ...m.args))
        .then(
          (data) => send({ type: 'result', id: m.id, ok: true, data }),
          (err: unknown) => fail(m.id, err),
        );
      return;
    }
    case 'read': {
      const fn = READS[m.op] as (c: queries.ReadContext, ...args: unknown[]) => Promise<unknown>;
      running.set(m.id, { cons: new Set(), cancelled: false });
      const p = Promise.resolve()
        .then(() => fn(ctx(useFor(m.id)), ...m.args))
        .then(
          (data) => send({ type: 'result', id: m.id, ok: true, data }),
          (err: unknown) => fail(m.id, err),
        )
        .finally(() => {
          running.delete(m.id);
          inflight.delete(p);
        });
      inflight.add(p);
      return;
    }
    case 'cancel':
      cancelRead(m.id);
      return;
    case 'close':
      close().then(
        () => send({ type: 'closed', id: m.id }),
        (err: unknown) => fail(m.id, err),
      );
      return;
  }
});
