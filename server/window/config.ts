// Settings of the capture-window aggregator: defaults, and one check that lists every bad value.

const MINUTE = 60_000;

export interface AggregatorConfig {
  /** Windows ending more than this before now are evicted; their records are skipped as 'beyond-horizon'. ms. */
  horizonMs: number;
  /** Period of the flush timer run by start(); 0 = publish only when flush() is called. ms. */
  flushIntervalMs: number;
  /** A window is settled this long after its end: its quintuple tracker is compacted to topKeep. ms. */
  settleMs: number;
  /** Records starting more than this ahead of the clock are skipped as 'future'. ms. */
  futureToleranceMs: number;
  /** Distinct quintuples tracked exactly per window; records of further quintuples go to topOther. */
  topCapacity: number;
  /** Quintuples a settled window keeps (the largest by bytes). */
  topKeep: number;
  /** Quintuples reported in each aggregate's `top`. */
  topN: number;
}

export const defaultAggregatorConfig: Readonly<AggregatorConfig> = Object.freeze({
  horizonMs: 24 * 60 * MINUTE,
  flushIntervalMs: 1_000,
  settleMs: 15 * MINUTE,
  futureToleranceMs: 10 * MINUTE,
  topCapacity: 10_000,
  topKeep: 100,
  topN: 20,
});

export class AggregatorConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid aggregator configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'AggregatorConfigError';
  }
}

/** Returns a frozen copy of `config`; throws AggregatorConfigError listing every bad value. */
export function checkAggregatorConfig(config: AggregatorConfig): Readonly<AggregatorConfig> {
  const problems: string[] = [];
  const int = (name: keyof AggregatorConfig, min: number) => {
    const v = config[name];
    if (!Number.isSafeInteger(v) || v < min) {
      problems.push(`${name} must be an integer >= ${min}, got ${String(v)}`);
      return false;
    }
    return true;
  };
  int('horizonMs', MINUTE);
  int('flushIntervalMs', 0);
  int('settleMs', 0);
  int('futureToleranceMs', 0);
  const capacity = int('topCapacity', 1);
  const keep = int('topKeep', 1);
  const n = int('topN', 1);
  if (keep && n && config.topKeep < config.topN) {
    problems.push(`topKeep (${config.topKeep}) must be >= topN (${config.topN})`);
  }
  if (capacity && keep && config.topCapacity < config.topKeep) {
    problems.push(`topCapacity (${config.topCapacity}) must be >= topKeep (${config.topKeep})`);
  }
  for (const key of Object.keys(config)) {
    if (!(key in defaultAggregatorConfig)) problems.push(`unknown setting ${key}`);
  }
  if (problems.length > 0) throw new AggregatorConfigError(problems);
  return Object.freeze({ ...config });
}
