// Settings of the embedded store: defaults, and one check that lists every bad value.
import { totalmem } from 'node:os';
import { join } from 'node:path';

export interface TopicRetention {
  /** Raw records are kept this many days (by window start). */
  rawDays?: number;
  /** Window aggregates are kept this many days. */
  windowDays?: number;
}

export interface StoreConfig {
  /** The DuckDB file; its directory is created if missing. */
  path: string;
  /** `clickhouse://HOST:PORT/DB`: the ClickHouse backend instead of the DuckDB file. */
  url?: string;
  /** Default retention of raw records, days. */
  rawDays: number;
  /** Default retention of window aggregates, days. */
  windowDays: number;
  /** Per-topic overrides of rawDays / windowDays. */
  perTopic?: Record<string, TopicRetention>;
  /** Rejected lines (quarantine) are kept this many days... */
  quarantineDays: number;
  /** ...and at most this many per topic (the newest). */
  quarantineMaxPerTopic: number;
  /** A batch is sent to the worker when it holds this many records... */
  batchMaxRecords: number;
  /** ...or this long after its first record, ms. */
  flushIntervalMs: number;
  /** Records accepted but not yet committed; appendRecords refuses a call that would pass it. */
  maxQueuedRecords: number;
  /** Period of the retention sweep run by start(), ms; 0 = only when enforceRetention() is called. */
  retentionEveryMs: number;
  /** DuckDB threads (default: DuckDB's, one per core). */
  threads?: number;
  /** DuckDB memory_limit, e.g. '4GB' (default: DuckDB's, 80 % of RAM). */
  memoryLimit?: string;
  /**
   * WAL size that triggers a checkpoint (default 128MB). Larger: fewer re-compressions of the last,
   * partly filled row group under sustained ingest; smaller: shorter WAL replay after a crash.
   */
  checkpointThreshold?: string;
  /**
   * Quintuples kept per (topic, hour) by the top-N rollup (default 4000). It should exceed the
   * number of very large flows in a busy hour: the (K+1)-th largest is the hour's bound, and the
   * smaller the bounds, the fewer candidates a top-N query checks against the records.
   */
  rollupTopK?: number;
}

export const DEFAULT_CHECKPOINT_THRESHOLD = '128MB';

/**
 * Read connections of the store. History reads are let through at most READ_CONNECTIONS - 1 at a
 * time (the API's read queue), so one connection always serves the live dashboards' reads.
 */
export const READ_CONNECTIONS = 3;

/**
 * DuckDB's memory limit unless configured: a quarter of the machine's memory, between 1 and 8 GiB,
 * which leaves Node (sockets, snapshots, the aggregator) the rest. DuckDB's own default is 80%.
 */
export function defaultMemoryLimit(totalBytes = totalmem()): string {
  const mib = Math.min(8192, Math.max(1024, Math.floor(totalBytes / 4 / 1048576)));
  return `${mib}MiB`;
}
const UNITS: Record<string, number> = {
  B: 1,
  BYTES: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  KIB: 1024,
  MIB: 1024 ** 2,
  GIB: 1024 ** 3,
  TIB: 1024 ** 4,
};

/** DuckDB's size text ("6.0 GiB", "512.0 MiB") in bytes; 0 when unreadable. */
export function sizeBytes(text: string): number {
  const m = /^\s*([\d.]+)\s*([a-z]+)\s*$/i.exec(text);
  const unit = m ? UNITS[m[2]!.toUpperCase()] : undefined;
  return m && unit ? Math.round(Number(m[1]) * unit) : 0;
}

export const DEFAULT_ROLLUP_TOP_K = 4000;

const DAY_MS = 86_400_000;

export function defaultStoreConfig(dataDir: string): StoreConfig {
  return {
    path: join(dataDir, 'flowdeck.duckdb'),
    rawDays: 7,
    windowDays: 90,
    quarantineDays: 7,
    quarantineMaxPerTopic: 1_000_000,
    batchMaxRecords: 50_000,
    flushIntervalMs: 500,
    maxQueuedRecords: 2_000_000,
    retentionEveryMs: 10 * 60_000,
    memoryLimit: defaultMemoryLimit(),
  };
}

export class StoreConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid store configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'StoreConfigError';
  }
}

const KNOWN = new Set([
  'path',
  'url',
  'rawDays',
  'windowDays',
  'perTopic',
  'quarantineDays',
  'quarantineMaxPerTopic',
  'batchMaxRecords',
  'flushIntervalMs',
  'maxQueuedRecords',
  'retentionEveryMs',
  'threads',
  'memoryLimit',
  'checkpointThreshold',
  'rollupTopK',
]);

/** Returns a frozen copy of `config`; throws StoreConfigError listing every bad value. */
export function checkStoreConfig(config: StoreConfig): Readonly<StoreConfig> {
  const problems: string[] = [];
  const int = (name: string, v: unknown, min: number, max = Number.MAX_SAFE_INTEGER) => {
    if (!Number.isSafeInteger(v) || (v as number) < min || (v as number) > max) {
      problems.push(`${name} must be an integer in [${min}, ${max}], got ${String(v)}`);
    }
  };
  const days = (name: string, v: unknown) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v * DAY_MS > 1e15) {
      problems.push(`${name} must be a positive number of days, got ${String(v)}`);
    }
  };
  if (typeof config.path !== 'string' || config.path === '') {
    problems.push('path must be a file path');
  }
  days('rawDays', config.rawDays);
  days('windowDays', config.windowDays);
  days('quarantineDays', config.quarantineDays);
  int('quarantineMaxPerTopic', config.quarantineMaxPerTopic, 1);
  for (const [topic, r] of Object.entries(config.perTopic ?? {})) {
    if (r === null || typeof r !== 'object') {
      problems.push(`perTopic.${topic} must be an object`);
      continue;
    }
    if (r.rawDays !== undefined) days(`perTopic.${topic}.rawDays`, r.rawDays);
    if (r.windowDays !== undefined) days(`perTopic.${topic}.windowDays`, r.windowDays);
  }
  int('batchMaxRecords', config.batchMaxRecords, 1, 1_000_000);
  int('flushIntervalMs', config.flushIntervalMs, 1);
  int('maxQueuedRecords', config.maxQueuedRecords, 1);
  int('retentionEveryMs', config.retentionEveryMs, 0);
  if (config.threads !== undefined) int('threads', config.threads, 1, 1024);
  if (config.rollupTopK !== undefined) int('rollupTopK', config.rollupTopK, 1, 1_000_000);
  for (const name of ['memoryLimit', 'checkpointThreshold'] as const) {
    const v = config[name];
    if (v !== undefined && !(typeof v === 'string' && /^\d+(\.\d+)?\s*[KMGT]i?B$/i.test(v))) {
      problems.push(`${name} must look like '4GB' or '512MiB', got ${String(v)}`);
    }
  }
  if (
    Number.isSafeInteger(config.maxQueuedRecords) &&
    Number.isSafeInteger(config.batchMaxRecords) &&
    config.maxQueuedRecords < config.batchMaxRecords
  ) {
    problems.push(
      `maxQueuedRecords (${config.maxQueuedRecords}) must be >= batchMaxRecords (${config.batchMaxRecords})`,
    );
  }
  for (const key of Object.keys(config)) {
    if (!KNOWN.has(key)) problems.push(`unknown setting ${key}`);
  }
  if (problems.length > 0) throw new StoreConfigError(problems);
  const perTopic: Record<string, TopicRetention> = {};
  for (const [topic, r] of Object.entries(config.perTopic ?? {})) perTopic[topic] = { ...r };
  return Object.freeze({ ...config, perTopic });
}

/** Retention of one topic in ms: its override, else the default. */
export function retentionOf(
  config: Readonly<StoreConfig>,
  topicId: string,
): { rawMs: number; windowMs: number } {
  const o = config.perTopic?.[topicId];
  return {
    rawMs: (o?.rawDays ?? config.rawDays) * DAY_MS,
    windowMs: (o?.windowDays ?? config.windowDays) * DAY_MS,
  };
}
