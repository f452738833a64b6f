// Configuration: read once at start from flags and environment, every bad value listed in one
// error, then frozen.
import { parseArgs } from 'node:util';
import { parseWatch } from './ingest/file-source.ts';
import { parseClickHouseUrl } from './store/clickhouse/schema.ts';

export interface Config {
  port: number;
  host: string;
  /** Directory of the embedded store and other state. */
  dataDir: string;
  /** Built client served at `/`. */
  clientDir: string;
  /** Default retention, days: raw records and window aggregates (a topic may set its own). */
  retention: { rawDays: number; windowDays: number };
  /** Rejected lines are kept this many days. */
  quarantineDays: number;
  /** Tokens given on the command line; null: generated into the data directory (viewer: none). */
  tokens: { ingest: string | null; admin: string | null; viewer: string | null };
  /** Largest push body, bytes after decompression. */
  maxBodyBytes: number;
  /** pino level: trace, debug, info, warn, error, fatal or silent. */
  logLevel: string;
  /** Files read into topics (`--watch PATH:TOPIC`). */
  watches: Array<{ path: string; topicId: string }>;
  /** Deadline of one history read, seconds (503 past it). */
  queryTimeoutSec: number;
  /**
   * How far back windows stay in memory, hours: a later record for an older window updates it
   * through the store instead. Memory grows with it (about 33 KiB per settled window).
   */
  windowMemoryHours: number;
  /** Other origins whose pages may call the API and open sockets (`https://noc.example:8443`). */
  allowedOrigins: string[];
  /** Host names accepted besides localhost, IP literals and this machine's name. */
  allowedHosts: string[];
  /** Behind a reverse proxy: take the client address, host and scheme from X-Forwarded-*. */
  trustProxy: boolean;
  /** DuckDB's memory limit (`2GB`) and threads; null: flowdeck's defaults (store/config.ts). */
  db: { memoryLimit: string | null; threads: number | null };
  /** `clickhouse://HOST:PORT/DB`: records in ClickHouse; null: the embedded DuckDB store. */
  store: string | null;
  /**
   * What this process does: `collector` (sources, parsing, windows, writes), `frontend` (HTTP API,
   * sockets, the client), or `all` of it (one process, the default).
   */
  role: Role;
  /** `redis://[user:pass@]HOST:PORT[/DB]` between collectors and front ends; null: one process. */
  redis: string | null;
  /** How people reach the dashboards (links in alert notices); null: http://HOST:PORT. */
  publicUrl: string | null;
  simulator: {
    enabled: boolean;
    /** PRNG seed; the same seed replays the same traffic. */
    seed: number;
    /** Time acceleration: 10 means ten simulated seconds per real second. */
    speed: number;
    /** Seconds between a capture window's end and its publication (the service takes ~300). */
    publishDelaySec: number;
    /** Extra per-stream spread of publication, seconds. */
    jitterSec: number;
    /** Minutes of history generated at start. */
    backfillMinutes: number;
  };
}

export const ROLES = ['all', 'collector', 'frontend'] as const;
export type Role = (typeof ROLES)[number];

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export const USAGE = `Usage: flowdeck [serve] [options]
       flowdeck parse [--format auto|eni|ccn|"<field names>"] FILE...
       flowdeck ingest --server URL --topic ID [--token T] FILE...|-
       flowdeck simulate [--seed N] [--speed X] [--topic ID]
       flowdeck tokens [--data DIR]
  (each command has --help)

Options of serve (environment variable in brackets):
  --port N             HTTP port [PORT] (default 8080)
  --host ADDR          listen address [HOST] (default 0.0.0.0)
  --data DIR           data directory; the store is DIR/flowdeck.duckdb [FLOWDECK_DATA] (default ./data)
  --raw-days N         keep raw records N days [FLOWDECK_RAW_DAYS] (default 7)
  --window-days N      keep window aggregates N days [FLOWDECK_WINDOW_DAYS] (default 90)
  --quarantine-days N  keep rejected lines N days [FLOWDECK_QUARANTINE_DAYS] (default 7)
  --ingest-token T     token for pushing records [FLOWDECK_INGEST_TOKEN] (default: generated, kept in DIR/tokens.json)
  --admin-token T      token for managing flow logs [FLOWDECK_ADMIN_TOKEN] (default: generated, kept in DIR/tokens.json)
  --viewer-token T     token for dashboards and API reads [FLOWDECK_VIEWER_TOKEN] (default: none, reading is open)
  --max-body-mb N      largest push body after decompression, MiB [FLOWDECK_MAX_BODY_MB] (default 64)
  --log-level L        trace, debug, info, warn, error, fatal or silent [FLOWDECK_LOG_LEVEL] (default info)
  --watch PATH:TOPIC   read flow-log files into a topic, like tail -F: a file, a directory or a glob;
                       repeatable [FLOWDECK_WATCH, comma-separated]
  --query-timeout S    deadline of one history query, seconds [FLOWDECK_QUERY_TIMEOUT] (default 30)
  --window-memory-hours H  hours of windows kept in memory; older ones are updated through the
                       store [FLOWDECK_WINDOW_MEMORY_HOURS] (default 24)
  --allowed-origins L  other origins allowed to call the API and open sockets, comma-separated
                       (https://noc.example:8443) [FLOWDECK_ALLOWED_ORIGINS] (default: none)
  --allowed-hosts L    host names accepted besides localhost, IP addresses and this machine's name,
                       comma-separated [FLOWDECK_ALLOWED_HOSTS] (default: none)
  --trust-proxy        behind a reverse proxy: client address, host and scheme from X-Forwarded-*
                       [FLOWDECK_TRUST_PROXY=1]
  --store URL          clickhouse://HOST:PORT/DB (HTTP port) to keep records in ClickHouse
                       [FLOWDECK_STORE] (default: the embedded DuckDB store in the data directory)
  --role R            all (one process), collector (sources, windows, writes) or frontend (API,
                       sockets, the client); collector and frontend need --store clickhouse://
                       and --redis [FLOWDECK_ROLE] (default all)
  --redis URL          redis://HOST:PORT between collectors and front ends [FLOWDECK_REDIS]
  --public-url URL     how people reach the dashboards, for links in alert notices
                       (https://noc.example) [FLOWDECK_PUBLIC_URL] (default http://HOST:PORT)
  --db-memory SIZE     DuckDB memory limit, e.g. 2GB [FLOWDECK_DB_MEMORY] (default: a quarter of RAM, 1-8 GB)
  --db-threads N       DuckDB threads [FLOWDECK_DB_THREADS] (default: the number of cores)
  --seed N             simulator seed: the same seed replays the same traffic [FLOWDECK_SEED] (default: random)
  --speed X            simulator time acceleration, 1 = real time [FLOWDECK_SPEED] (default 1)
  --publish-delay S    seconds from a window's end to its publication [FLOWDECK_PUBLISH_DELAY] (default 10)
  --jitter S           per-stream spread of publication, seconds [FLOWDECK_JITTER] (default 20)
  --backfill MIN       minutes of history generated at start [FLOWDECK_BACKFILL] (default 60)
  --no-simulator       do not start the built-in simulator
  -h, --help           show this help
`;

type Env = Record<string, string | undefined>;

/** `scheme://host[:port]` of a URL, lower-cased; null when it is not an http(s) origin. */
export function originOf(text: string): string | null {
  try {
    const u = new URL(text);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    if (u.pathname !== '/' || u.search !== '' || u.hash !== '' || u.username !== '') return null;
    return u.origin;
  } catch {
    return null;
  }
}

/** Reads flags (over environment variables, over defaults); throws ConfigError listing every problem. */
export function loadConfig(argv: string[], env: Env = process.env): Readonly<Config> {
  const problems: string[] = [];
  let values: Record<string, string | boolean | string[] | undefined> = {};
  try {
    const parsed = parseArgs({
      args: argv,
      allowPositionals: false,
      strict: true,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        data: { type: 'string' },
        seed: { type: 'string' },
        speed: { type: 'string' },
        'publish-delay': { type: 'string' },
        jitter: { type: 'string' },
        backfill: { type: 'string' },
        'no-simulator': { type: 'boolean' },
        'client-dir': { type: 'string' },
        'raw-days': { type: 'string' },
        'window-days': { type: 'string' },
        'quarantine-days': { type: 'string' },
        'ingest-token': { type: 'string' },
        'admin-token': { type: 'string' },
        'viewer-token': { type: 'string' },
        'max-body-mb': { type: 'string' },
        watch: { type: 'string', multiple: true },
        'log-level': { type: 'string' },
        'query-timeout': { type: 'string' },
        'window-memory-hours': { type: 'string' },
        'allowed-origins': { type: 'string' },
        'allowed-hosts': { type: 'string' },
        'trust-proxy': { type: 'boolean' },
        'db-memory': { type: 'string' },
        'db-threads': { type: 'string' },
        store: { type: 'string' },
        role: { type: 'string' },
        redis: { type: 'string' },
        'public-url': { type: 'string' },
      },
    });
    values = parsed.values;
  } catch (err) {
    problems.push((err as Error).message);
  }

  const pick = (flag: string, envName: string): string | undefined => {
    const v = values[flag];
    if (typeof v === 'string') return v;
    const e = env[envName];
    return e === undefined || e === '' ? undefined : e;
  };
  const list = (flag: string, envName: string): string[] =>
    (pick(flag, envName) ?? '')
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x !== '');
  const number = (
    flag: string,
    envName: string,
    fallback: number,
    check: (n: number) => boolean,
    rule: string,
  ): number => {
    const raw = pick(flag, envName);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n) || !check(n)) {
      problems.push(`--${flag} (${envName}) must be ${rule}, got ${JSON.stringify(raw)}`);
      return fallback;
    }
    return n;
  };

  const token = (flag: string, envName: string): string | null => {
    const raw = pick(flag, envName);
    if (raw === undefined) return null;
    if (raw.length < 16 || raw.length > 512 || /\s/.test(raw)) {
      problems.push(`--${flag} (${envName}) must be 16-512 characters without spaces`);
      return null;
    }
    return raw;
  };

  const watchTexts =
    Array.isArray(values.watch) && values.watch.length > 0
      ? values.watch
      : (env.FLOWDECK_WATCH ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '');
  const watches: Config['watches'] = [];
  for (const text of watchTexts) {
    const w = parseWatch(text);
    if (typeof w === 'string') problems.push(w);
    else watches.push(w);
  }

  const config: Config = {
    port: number(
      'port',
      'PORT',
      8080,
      (n) => Number.isInteger(n) && n >= 0 && n <= 65535,
      'an integer 0-65535',
    ),
    host: pick('host', 'HOST') ?? '0.0.0.0',
    dataDir: pick('data', 'FLOWDECK_DATA') ?? './data',
    clientDir: pick('client-dir', 'FLOWDECK_CLIENT_DIR') ?? 'dist/client',
    retention: {
      rawDays: number(
        'raw-days',
        'FLOWDECK_RAW_DAYS',
        7,
        (n) => n > 0 && n <= 3650,
        'days in (0, 3650]',
      ),
      windowDays: number(
        'window-days',
        'FLOWDECK_WINDOW_DAYS',
        90,
        (n) => n > 0 && n <= 3650,
        'days in (0, 3650]',
      ),
    },
    quarantineDays: number(
      'quarantine-days',
      'FLOWDECK_QUARANTINE_DAYS',
      7,
      (n) => n > 0 && n <= 3650,
      'days in (0, 3650]',
    ),
    tokens: {
      ingest: token('ingest-token', 'FLOWDECK_INGEST_TOKEN'),
      admin: token('admin-token', 'FLOWDECK_ADMIN_TOKEN'),
      viewer: token('viewer-token', 'FLOWDECK_VIEWER_TOKEN'),
    },
    maxBodyBytes:
      number(
        'max-body-mb',
        'FLOWDECK_MAX_BODY_MB',
        64,
        (n) => Number.isInteger(n) && n >= 1 && n <= 1024,
        'whole MiB in [1, 1024]',
      ) * 1048576,
    watches,
    windowMemoryHours: number(
      'window-memory-hours',
      'FLOWDECK_WINDOW_MEMORY_HOURS',
      24,
      (n) => n >= 1 && n <= 168,
      'hours in [1, 168]',
    ),
    queryTimeoutSec: number(
      'query-timeout',
      'FLOWDECK_QUERY_TIMEOUT',
      30,
      (n) => n >= 0.05 && n <= 3600,
      'seconds in [0.05, 3600]',
    ),
    allowedOrigins: list('allowed-origins', 'FLOWDECK_ALLOWED_ORIGINS').flatMap((o) => {
      const origin = originOf(o);
      if (origin === null)
        problems.push(
          `--allowed-origins: ${JSON.stringify(o)} is not an origin like https://noc.example:8443`,
        );
      return origin === null ? [] : [origin];
    }),
    allowedHosts: list('allowed-hosts', 'FLOWDECK_ALLOWED_HOSTS').map((h) => h.toLowerCase()),
    trustProxy: values['trust-proxy'] === true || env.FLOWDECK_TRUST_PROXY === '1',
    store: (() => {
      const v = pick('store', 'FLOWDECK_STORE');
      if (v === undefined || v === '' || v === 'duckdb') return null;
      try {
        parseClickHouseUrl(v);
        return v;
      } catch (err) {
        problems.push(`--store (FLOWDECK_STORE): ${(err as Error).message}`);
        return null;
      }
    })(),
    role: (() => {
      const v = pick('role', 'FLOWDECK_ROLE') ?? 'all';
      if ((ROLES as readonly string[]).includes(v)) return v as Role;
      problems.push(
        `--role (FLOWDECK_ROLE) must be one of ${ROLES.join(', ')}, got ${JSON.stringify(v)}`,
      );
      return 'all';
    })(),
    redis: (() => {
      const v = pick('redis', 'FLOWDECK_REDIS');
      if (v === undefined || v === '') return null;
      try {
        const u = new URL(v);
        if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new Error('not redis://');
        if (!u.hostname) throw new Error('no host');
        return v;
      } catch {
        problems.push(
          `--redis (FLOWDECK_REDIS) must be a URL like redis://127.0.0.1:6379, got ${JSON.stringify(v)}`,
        );
        return null;
      }
    })(),
    publicUrl: (() => {
      const v = pick('public-url', 'FLOWDECK_PUBLIC_URL');
      if (v === undefined || v === '') return null;
      try {
        const u = new URL(v);
        if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http(s)');
        return u.toString().replace(/\/$/, '');
      } catch {
        problems.push(
          `--public-url (FLOWDECK_PUBLIC_URL) must be an http(s) URL like https://noc.example, got ${JSON.stringify(v)}`,
        );
        return null;
      }
    })(),
    db: {
      memoryLimit: (() => {
        const v = pick('db-memory', 'FLOWDECK_DB_MEMORY');
        if (v === undefined) return null;
        if (!/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(v)) {
          problems.push(
            `--db-memory (FLOWDECK_DB_MEMORY) must be a size like 2GB or 512MB, got ${JSON.stringify(v)}`,
          );
          return null;
        }
        return v.replace(/\s+/g, '');
      })(),
      threads:
        pick('db-threads', 'FLOWDECK_DB_THREADS') === undefined
          ? null
          : number(
              'db-threads',
              'FLOWDECK_DB_THREADS',
              1,
              (n) => Number.isInteger(n) && n >= 1 && n <= 256,
              'an integer in [1, 256]',
            ),
    },
    logLevel: (() => {
      const level = pick('log-level', 'FLOWDECK_LOG_LEVEL') ?? 'info';
      if (!LOG_LEVELS.includes(level)) {
        problems.push(
          `--log-level (FLOWDECK_LOG_LEVEL) must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(level)}`,
        );
        return 'info';
      }
      return level;
    })(),
    simulator: {
      enabled: values['no-simulator'] !== true && env.FLOWDECK_SIMULATOR !== '0',
      seed: number(
        'seed',
        'FLOWDECK_SEED',
        Math.floor(Math.random() * 2 ** 31),
        (n) => Number.isSafeInteger(n) && n >= 0,
        'a non-negative integer',
      ),
      speed: number(
        'speed',
        'FLOWDECK_SPEED',
        1,
        (n) => n > 0 && n <= 3600,
        'a number in (0, 3600]',
      ),
      publishDelaySec: number(
        'publish-delay',
        'FLOWDECK_PUBLISH_DELAY',
        10,
        (n) => n >= 0 && n <= 3600,
        'seconds in [0, 3600]',
      ),
      jitterSec: number(
        'jitter',
        'FLOWDECK_JITTER',
        20,
        (n) => n >= 0 && n <= 600,
        'seconds in [0, 600]',
      ),
      backfillMinutes: number(
        'backfill',
        'FLOWDECK_BACKFILL',
        60,
        (n) => Number.isInteger(n) && n >= 0 && n <= 24 * 60,
        'whole minutes in [0, 1440]',
      ),
    },
  };
  if (config.role !== 'all') {
    if (config.store === null)
      problems.push(
        `--role ${config.role} needs --store clickhouse://…: every process reads and writes the same records (the embedded DuckDB file belongs to one process)`,
      );
    if (config.redis === null)
      problems.push(
        `--role ${config.role} needs --redis redis://…: windows and rooms go between processes through Redis`,
      );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(config);
}

function deepFreeze<T extends object>(o: T): Readonly<T> {
  for (const v of Object.values(o)) if (v && typeof v === 'object') deepFreeze(v as object);
  return Object.freeze(o);
}
