// Configuration: read once at start from flags and environment, every bad value listed in one
// error, then frozen.
import { parseArgs } from 'node:util';
import { parseWatch } from './ingest/file-source.ts';

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
  --seed N             simulator seed: the same seed replays the same traffic [FLOWDECK_SEED] (default: random)
  --speed X            simulator time acceleration, 1 = real time [FLOWDECK_SPEED] (default 1)
  --publish-delay S    seconds from a window's end to its publication [FLOWDECK_PUBLISH_DELAY] (default 10)
  --jitter S           per-stream spread of publication, seconds [FLOWDECK_JITTER] (default 20)
  --backfill MIN       minutes of history generated at start [FLOWDECK_BACKFILL] (default 60)
  --no-simulator       do not start the built-in simulator
  -h, --help           show this help
`;

type Env = Record<string, string | undefined>;

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
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(config);
}

function deepFreeze<T extends object>(o: T): Readonly<T> {
  for (const v of Object.values(o)) if (v && typeof v === 'object') deepFreeze(v as object);
  return Object.freeze(o);
}
