// The embedded store (the default backend): raw records and window aggregates in a DuckDB file,
// kept by a worker thread.
//
// Main-thread cost is a few typed-array stores per record (batch.ts); batches go to the worker at
// batchMaxRecords or flushIntervalMs, and the worker appends each batch through the DuckDB
// appender in one transaction. Contracts:
// - appendRecords never blocks and never throws on load: past maxQueuedRecords it refuses the
//   whole call (returns false, counted in overflowDropped); backlog() lets sources slow down.
// - A record the worker cannot store (a value out of its column's range) is rejected alone and
//   counted per reason. A failed write is retried once, then its records are counted as lost;
//   later writes go on. Either way a warning (rate-limited) goes to deps.warn.
// - flush() resolves when every write sent before it has been processed (committed or given up).
// - If the worker dies, pending requests reject with StoreError('worker'), records in flight are
//   counted as lost, and the worker is restarted (at most MAX_RESTARTS times).
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { alignToWindow } from '../../../shared/capture-window.ts';
import type { WindowAggregate } from '../../../shared/events.ts';
import { createBatchBuilder, REASON_CODES, transferablesOf } from './batch.ts';
import { checkStoreConfig, type StoreConfig } from '../config.ts';
import { StoreError, type ReadOptions, type Store, type StoreDeps } from '../contract.ts';
import type {
  AdminOp,
  FromWorker,
  ReadOp,
  ToWorker,
  WorkerStats,
  WriteOutcome,
} from './protocol.ts';
import type {
  RebuildPlan,
  RetentionResult,
  StoreMetrics,
  QuarantineRow,
  SourceOffset,
  WriteAck,
  WriteUnit,
} from '../types.ts';

const MAX_RESTARTS = 3;
const WARN_EVERY_MS = 10_000;
const CLOSE_TIMEOUT_MS = 60_000;

interface Pending {
  resolve: (v: unknown) => void;
  reject: (err: Error) => void;
}

/** A queued unit: its rows in the batch, and the row where each of its streams starts. */
interface PendingUnit {
  firstRow: number;
  rows: number;
  starts: number[];
  resolve: (ack: WriteAck) => void;
  reject: (err: Error) => void;
}

interface PendingWrite extends Pending {
  rows: number;
  windows: number;
  sentAt: number;
  units: PendingUnit[];
}

/** The worker's module; under tsx (a .ts file) the worker registers tsx before importing it. */
function spawnWorker(): Worker {
  const url = new URL('./worker.ts', import.meta.url);
  if (!url.pathname.endsWith('.ts')) return new Worker(url, { name: 'flowdeck-store' });
  const cjs = createRequire(import.meta.url).resolve('tsx/esm/api');
  const api = pathToFileURL(cjs.replace(/\.cjs$/, '.mjs')).href;
  const boot =
    `import(${JSON.stringify(api)})` +
    `.then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(boot, { eval: true, name: 'flowdeck-store' });
}

export async function openDuckDbStore(config: StoreConfig, deps: StoreDeps): Promise<Store> {
  const cfg = checkStoreConfig(config);
  const { clock } = deps;
  const warnOut = deps.warn ?? ((msg: string) => console.warn(msg));

  const builder = createBatchBuilder(cfg.batchMaxRecords);
  /** Units, rejected lines and offsets of the batch being filled. */
  let units: PendingUnit[] = [];
  let quarantine: QuarantineRow[] = [];
  let offsets: SourceOffset[] = [];
  const pendingWindows = new Map<string, WindowAggregate>();
  const writes = new Map<number, PendingWrite>();
  const calls = new Map<number, Pending>();
  let nextId = 1;
  let lastWrite: Promise<unknown> = Promise.resolve();
  let inflightRecords = 0;
  let batchTimer: ReturnType<typeof setTimeout> | null = null;
  let retentionTimer: ReturnType<typeof setInterval> | null = null;
  let closed = false;
  /** The first worker opened the database: later deaths are restarted, an early one is not. */
  let everOpened = false;
  let broken: StoreError | null = null;
  let restarts = 0;
  let lastWarn = -Infinity;
  let suppressed = 0;
  let stats: WorkerStats = {
    seq: 0,
    rows: { records: 0, windows: 0 },
    fileBytes: 0,
    memory: { usedBytes: 0, tempBytes: 0, limitBytes: 0, threads: 0 },
    workerHeap: { usedBytes: 0, totalBytes: 0 },
  };
  /** See Store.committedSeq: raised by each write's acknowledgement, in write order. */
  let committedSeq = 0;
  const m = {
    recordsAppended: 0,
    recordsRejected: {} as Record<string, number>,
    writesRefused: 0,
    recordsFailed: 0,
    windowsFailed: 0,
    quarantined: 0,
    windowsSaved: 0,
    batches: 0,
    batchesFailed: 0,
    batchRetries: 0,
    workerErrors: 0,
    readsCancelled: 0,
    workerRestarts: 0,
    lastBatchMs: null as number | null,
    lastBatchRecords: 0,
  };

  function warn(msg: string): void {
    const now = Date.now();
    if (now - lastWarn < WARN_EVERY_MS) {
      suppressed++;
      return;
    }
    const more = suppressed > 0 ? ` (+${suppressed} more store warnings)` : '';
    lastWarn = now;
    suppressed = 0;
    warnOut(`store: ${msg}${more}`);
  }

  // -------------------------------------------------------------------------------------------
  // Worker lifecycle

  let worker!: Worker;
  /** A worker terminated on purpose (its exit is not a crash). */
  let closedWorker: Worker | null = null;
  let ready = false;
  /** Messages posted while the worker (re)opens, with their transfer lists. */
  let outbox: Array<[ToWorker, ArrayBuffer[]]> = [];
  let opening: { resolve: () => void; reject: (err: Error) => void } | null = null;

  function post(msg: ToWorker, transfer: ArrayBuffer[] = []): void {
    if (ready) worker.postMessage(msg, transfer);
    else outbox.push([msg, transfer]);
  }

  function start(): Promise<void> {
    ready = false;
    worker = spawnWorker();
    const w = worker;
    let lastError: Error | null = null;
    w.on('message', (msg: FromWorker) => {
      if (msg.type === 'fatal') lastError = new Error(msg.error);
      else onMessage(msg);
    });
    w.on('error', (err) => {
      lastError = err;
    });
    w.on('exit', (code) => {
      if (w !== worker || closed || w === closedWorker) return;
      const reason = lastError?.message ?? `exit code ${code}`;
      if (!everOpened) {
        // openStore rejects; nothing to restart.
        opening?.reject(new StoreError(`store worker stopped while opening: ${reason}`, 'worker'));
        opening = null;
        return;
      }
      onWorkerDeath(reason);
    });
    const opened = new Promise<void>((resolve, reject) => {
      opening = { resolve, reject };
    });
    w.postMessage({ type: 'open', config: cfg } satisfies ToWorker);
    return opened;
  }

  function onWorkerDeath(reason: string): void {
    m.workerErrors++;
    ready = false;
    const err = new StoreError(`store worker stopped: ${reason}`, 'worker');
    opening?.reject(err);
    opening = null;
    for (const w of writes.values()) {
      m.recordsFailed += w.rows;
      m.windowsFailed += w.windows;
      for (const u of w.units) u.reject(err);
      w.reject(err);
    }
    writes.clear();
    inflightRecords = 0;
    for (const c of calls.values()) c.reject(err);
    calls.clear();
    // Queued messages were written for the dead worker's requests, which have been rejected.
    outbox = [];
    if (restarts >= MAX_RESTARTS) {
      broken = new StoreError(
        `store worker failed ${restarts + 1} times; the store is unavailable (${reason})`,
        'worker',
      );
      warn(broken.message);
      return;
    }
    restarts++;
    m.workerRestarts++;
    warn(`worker stopped (${reason}); restarting (${restarts}/${MAX_RESTARTS})`);
    start().catch(() => {
      // its exit is handled like any other death
    });
  }

  function onMessage(msg: FromWorker): void {
    switch (msg.type) {
      case 'opened': {
        stats = msg.stats;
        ready = true;
        everOpened = true;
        const queued = outbox;
        outbox = [];
        for (const [x, transfer] of queued) worker.postMessage(x, transfer);
        opening?.resolve();
        opening = null;
        return;
      }
      case 'open-failed': {
        const err = new StoreError(`cannot open the store ${cfg.path}: ${msg.error}`, 'db');
        const o = opening;
        opening = null;
        if (o) o.reject(err);
        if (everOpened) {
          // A restarted worker could not reopen the file: give up.
          broken = err;
          warn(err.message);
        }
        closedWorker = worker;
        void worker.terminate();
        return;
      }
      case 'written': {
        const w = writes.get(msg.id);
        if (!w) return;
        writes.delete(msg.id);
        inflightRecords -= w.rows;
        stats = msg.stats;
        onWritten(w, msg.outcome);
        w.resolve(undefined);
        return;
      }
      case 'result': {
        const c = calls.get(msg.id);
        if (!c) return;
        calls.delete(msg.id);
        if (msg.ok) c.resolve(msg.data);
        else {
          if (msg.kind === 'db') m.workerErrors++;
          c.reject(new StoreError(msg.error, msg.kind));
        }
        return;
      }
      case 'closed': {
        const c = calls.get(msg.id);
        calls.delete(msg.id);
        c?.resolve(undefined);
        return;
      }
    }
  }

  function onWritten(w: PendingWrite, o: WriteOutcome): void {
    m.batches++;
    m.recordsAppended += o.appended;
    m.windowsSaved += o.windowsSaved;
    if (o.committedSeq > committedSeq) committedSeq = o.committedSeq;
    m.lastBatchMs = performance.now() - w.sentAt;
    deps.onCommit?.(m.lastBatchMs / 1000, o.appended);
    m.lastBatchRecords = w.rows;
    let rejected = 0;
    for (const [reason, count] of Object.entries(o.rejected)) {
      m.recordsRejected[reason] = (m.recordsRejected[reason] ?? 0) + count;
      rejected += count;
    }
    if (o.retried) m.batchRetries++;
    m.quarantined += o.quarantined;
    if (o.failed) {
      // Nothing of the units was stored: each source is told and tries again.
      const err = new StoreError(`the write failed: ${o.errors.join('; ')}`, 'db');
      for (const u of w.units) u.reject(err);
    } else {
      // [row, reason code] pairs in row order, handed to the unit that holds each row.
      const rows = o.rejectedRows;
      let k = 0;
      for (const u of w.units) {
        const rejected: WriteAck['rejected'] = [];
        while (k < rows.length && rows[k]! < u.firstRow + u.rows) {
          const at = rows[k]! - u.firstRow;
          let s = u.starts.length - 1;
          while (s > 0 && u.starts[s]! > at) s--;
          rejected.push([s, at - u.starts[s]!, REASON_CODES[rows[k + 1]!] ?? 'rejected']);
          k += 2;
        }
        u.resolve({ stored: u.rows - rejected.length, rejected });
      }
    }
    if (o.failed || o.lostWindows > 0) {
      m.batchesFailed++;
      m.recordsFailed += o.lostRecords;
      m.windowsFailed += o.lostWindows;
      warn(
        `a write failed twice: ${o.lostRecords} records (their sources were told) and ${o.lostWindows} windows not stored (${o.errors.join('; ')})`,
      );
    } else if (o.retried) {
      warn(`a write failed and succeeded on retry (${o.errors.join('; ')})`);
    }
    if (rejected > 0) warn(`${rejected} records rejected, e.g. ${o.sample ?? '?'}`);
  }

  // -------------------------------------------------------------------------------------------
  // Writes

  function schedule(): void {
    if (batchTimer !== null) return;
    batchTimer = setTimeout(() => {
      batchTimer = null;
      void send();
    }, cfg.flushIntervalMs);
    batchTimer.unref?.();
  }

  /** Sends the current batch and windows (if any); resolves with their write. */
  function send(): Promise<unknown> {
    if (batchTimer !== null) {
      clearTimeout(batchTimer);
      batchTimer = null;
    }
    const batch = builder.take();
    if (batch === null && units.length === 0 && pendingWindows.size === 0) return lastWrite;
    const windows = Array.from(pendingWindows.values());
    pendingWindows.clear();
    const sentUnits = units;
    const sentQuarantine = quarantine;
    const sentOffsets = offsets;
    units = [];
    quarantine = [];
    offsets = [];
    const id = nextId++;
    const rows = (batch?.rows ?? 0) + sentQuarantine.length;
    const done = new Promise((resolve, reject) => {
      writes.set(id, {
        resolve,
        reject,
        rows,
        windows: windows.length,
        sentAt: performance.now(),
        units: sentUnits,
      });
    });
    done.catch(() => {});
    inflightRecords += rows;
    lastWrite = done;
    post(
      { type: 'write', id, batch, quarantine: sentQuarantine, offsets: sentOffsets, windows },
      batch ? transferablesOf(batch) : [],
    );
    return done;
  }

  /** Records and rejected lines queued and not yet committed. */
  const queuedRows = () => builder.rows + quarantine.length + inflightRecords;

  function hasRoom(n: number): boolean {
    return !closed && broken === null && queuedRows() + n <= cfg.maxQueuedRecords;
  }

  function write(unit: WriteUnit): Promise<WriteAck> | null {
    if (closed) throw new StoreError('the store is closed', 'closed');
    let count = 0;
    for (const s of unit.streams) count += s.records.length;
    const weight = count + (unit.quarantine?.length ?? 0);
    if (!hasRoom(weight)) {
      m.writesRefused += count;
      return null;
    }
    // A unit is never split: the batch being filled goes first when the unit would overfill it.
    if (builder.rows > 0 && builder.rows + count > cfg.batchMaxRecords) void send();
    const firstRow = builder.rows;
    const starts: number[] = [];
    const now = clock.now();
    for (const s of unit.streams) {
      starts.push(builder.rows - firstRow);
      if (s.records.length === 0) continue;
      const fallback = alignToWindow(now, s.windowMs);
      builder.add(s.topicId, s.streamId, s.records, 0, s.records.length, fallback, s.windowMs);
    }
    for (const q of unit.quarantine ?? []) quarantine.push(q);
    for (const o of unit.offsets ?? []) offsets.push(o);
    const ack = new Promise<WriteAck>((resolve, reject) => {
      units.push({ firstRow, rows: count, starts, resolve, reject });
    });
    if (unit.urgent || builder.rows >= cfg.batchMaxRecords) void send();
    else schedule();
    return ack;
  }

  function saveWindow(agg: WindowAggregate): void {
    if (closed) throw new StoreError('the store is closed', 'closed');
    const key = `${agg.topicId}\u0000${agg.windowStart}`;
    const prev = pendingWindows.get(key);
    if (prev === undefined || agg.revision >= prev.revision) pendingWindows.set(key, agg);
    schedule();
  }

  async function flush(): Promise<void> {
    if (broken) throw broken;
    await send();
  }

  // -------------------------------------------------------------------------------------------
  // Reads

  function request<T>(msg: (id: number) => ToWorker): Promise<T> {
    if (closed) return Promise.reject(new StoreError('the store is closed', 'closed'));
    if (broken) return Promise.reject(broken);
    const id = nextId++;
    const p = new Promise<T>((resolve, reject) => {
      calls.set(id, { resolve: resolve as (v: unknown) => void, reject });
    });
    post(msg(id));
    return p;
  }

  /**
   * A read. With a signal, an abort rejects it at once (StoreError `cancelled`, the signal's reason
   * as cause) and tells the worker to interrupt its queries, which frees their connections.
   */
  const readWith = <T>(opts: ReadOptions | undefined, op: ReadOp, ...args: unknown[]) => {
    const signal = opts?.signal;
    if (signal?.aborted)
      return Promise.reject(
        new StoreError('the read was cancelled', 'cancelled', { cause: signal.reason }),
      );
    const t0 = performance.now();
    let readId = -1;
    const p = request<T>((id) => {
      readId = id;
      return { type: 'read', id, op, args };
    });
    if (signal && readId >= 0) {
      const onAbort = () => {
        const c = calls.get(readId);
        if (!c) return;
        calls.delete(readId);
        m.readsCancelled++;
        post({ type: 'cancel', id: readId });
        c.reject(new StoreError('the read was cancelled', 'cancelled', { cause: signal.reason }));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      const off = () => signal.removeEventListener('abort', onAbort);
      p.then(off, off);
    }
    if (deps.onRead) {
      const done = () => deps.onRead!(op, (performance.now() - t0) / 1000);
      p.then(done, done);
    }
    return p;
  };
  const read = <T>(op: ReadOp, ...args: unknown[]) => readWith<T>(undefined, op, ...args);
  const admin = <T>(op: AdminOp, ...args: unknown[]) =>
    request<T>((id) => ({ type: 'admin', id, op, args }));

  function enforceRetention(now = clock.now()): Promise<RetentionResult> {
    return request<RetentionResult>((id) => ({ type: 'retention', id, now }));
  }

  try {
    await start();
  } catch (err) {
    closed = true;
    await worker.terminate().catch(() => {});
    throw err;
  }

  return {
    write,
    hasRoom,
    saveWindow,
    flush,
    backlog: queuedRows,
    loadWindows: (topicId, fromMs, toMs) => read('loadWindows', topicId, fromMs, toMs),
    windowSeries: (topicId, fromMs, toMs, stepMs) =>
      read('windowSeries', topicId, fromMs, toMs, stepMs),
    queryRecords: (q, opts) => readWith(opts, 'queryRecords', q),
    aggregate: (q, opts) => readWith(opts, 'aggregate', q),
    topQuintuples: (topicId, fromMs, toMs, topN, where) =>
      read('topQuintuples', topicId, fromMs, toMs, topN, where ?? null),
    sourcePorts: (q, opts) => readWith(opts, 'sourcePorts', q),
    lastWindows: () => read('lastWindows'),
    maintain: () => read('maintain'),
    recomputeWindow: (topicId, windowStart, windowMs, topN) =>
      read('recomputeWindow', topicId, windowStart, windowMs, topN),
    enforceRetention,
    setRetention: (perTopic) => admin('setRetention', perTopic ?? {}),
    committedSeq: () => committedSeq,
    markWindowsClean: (seq) => admin('markWindowsClean', seq) as Promise<void>,
    windowsToRebuild: (fallbackFrom) =>
      admin('windowsToRebuild', fallbackFrom) as Promise<RebuildPlan>,
    loadCatalog: () => read('loadCatalog'),
    async saveCatalog(change) {
      // The batch being filled goes first: the worker saves after every write sent before.
      void send();
      return admin('saveCatalog', change);
    },
    topicUsage: (topicId) => read('topicUsage', topicId),
    rejectedLines: (q) => read('quarantine', q),
    rejectedLineCount: (topicId) => read('quarantineCount', topicId),
    loadOffsets: (prefix) => read('loadOffsets', prefix),
    metrics: (): StoreMetrics => ({
      ...m,
      recordsRejected: { ...m.recordsRejected },
      queued: queuedRows(),
      maxQueued: cfg.maxQueuedRecords,
      rows: { ...stats.rows },
      fileBytes: stats.fileBytes,
      memory: { ...stats.memory },
      workerHeap: { ...stats.workerHeap },
      seq: stats.seq,
    }),
    start() {
      if (retentionTimer !== null || cfg.retentionEveryMs <= 0 || closed) return;
      const sweep = () => {
        enforceRetention().catch((err: Error) => warn(`retention failed: ${err.message}`));
      };
      sweep();
      retentionTimer = setInterval(sweep, cfg.retentionEveryMs);
      retentionTimer.unref?.();
    },
    stop() {
      if (retentionTimer !== null) clearInterval(retentionTimer);
      retentionTimer = null;
    },
    async close() {
      if (closed) return;
      // From here appendRecords and saveWindow throw; what they queued before is flushed.
      closed = true;
      if (retentionTimer !== null) clearInterval(retentionTimer);
      retentionTimer = null;
      try {
        if (!broken) await send();
      } catch {
        // counted already
      }
      if (!broken && ready) {
        const id = nextId++;
        const done = new Promise((resolve, reject) => calls.set(id, { resolve, reject }));
        worker.postMessage({ type: 'close', id } satisfies ToWorker);
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([
          done,
          new Promise((resolve) => {
            timer = setTimeout(resolve, CLOSE_TIMEOUT_MS);
          }),
        ]).catch((err: Error) => warn(`close: ${err.message}`));
        clearTimeout(timer);
      }
      for (const c of calls.values()) c.reject(new StoreError('the store is closed', 'closed'));
      calls.clear();
      await worker.terminate();
    },
  };
}
