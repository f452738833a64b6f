// A topic's alert thresholds and the rules that colour a figure by them: the REJECT share of bytes,
// and the volume of the current window against the hour before it. The defaults keep a healthy
// wall calm: a few percent of REJECTs (scanners, the odd denied reply) is normal traffic, and a
// minute's volume swings by half either way all day. Each topic may set its own in its settings
// (PATCH /api/topics/:id { thresholds }); what it leaves out takes the default. Pure.

export type Level = 'ok' | 'warn' | 'alert';

export interface Thresholds {
  /** REJECT share of bytes (0..1) from which it warns. */
  rejectWarn: number;
  /** REJECT share of bytes (0..1) from which it alerts. */
  rejectAlert: number;
  /** The current window's volume below this fraction of the previous hour's median alerts (drop). */
  dropBelow: number;
  /**
   * The current window's volume above this many times the previous hour's median, and above every
   * window of that hour, warns (spike): a burst that recurs every few minutes is not one.
   */
  spikeAbove: number;
}

export const DEFAULT_THRESHOLDS: Readonly<Thresholds> = Object.freeze({
  rejectWarn: 0.05,
  rejectAlert: 0.2,
  dropBelow: 0.25,
  spikeAbove: 4,
});

/**
 * The thresholds that apply to a topic: its own, and the defaults for what it leaves out. A topic
 * whose flow logs all collect only REJECTed traffic is 100% REJECT by design: its share is never
 * coloured.
 */
export function thresholdsOf(
  topic:
    | { thresholds?: Partial<Thresholds>; flowLogs?: ReadonlyArray<{ collectionType: string }> }
    | null
    | undefined,
): Thresholds {
  const own = { ...DEFAULT_THRESHOLDS, ...(topic?.thresholds ?? {}) };
  const fls = topic?.flowLogs ?? [];
  return fls.length > 0 && fls.every((f) => f.collectionType === 'REJECT')
    ? { ...own, rejectWarn: Infinity, rejectAlert: Infinity }
    : own;
}

/** How a REJECT share (0..1) is coloured: calm below the warn threshold. */
export function rejectLevel(share: number, t: Thresholds = DEFAULT_THRESHOLDS): Level {
  return share >= t.rejectAlert ? 'alert' : share >= t.rejectWarn ? 'warn' : 'ok';
}

/** The previous hour must hold this share of an hour's windows before a drop or spike is called. */
export const MIN_BASELINE_SHARE = 0.25;

export interface VolumeChange {
  level: Level;
  kind: 'drop' | 'spike' | null;
  /** Current over the previous hour's median (1 = as usual), or null without a baseline. */
  ratio: number | null;
}

/** The previous hour's windows: their median and largest volume. */
export interface Baseline {
  median: number;
  max: number;
}

/**
 * A window's volume against the previous hour's (bytes per window of the same length). The
 * median, not the mean, so that a few bursts do not make every ordinary window look like a drop.
 * No baseline (a new topic, a gap) or a silent previous hour judges nothing.
 */
export function volumeChange(
  current: number,
  baseline: Baseline | null,
  t: Thresholds = DEFAULT_THRESHOLDS,
): VolumeChange {
  if (baseline === null || !(baseline.median > 0)) return { level: 'ok', kind: null, ratio: null };
  const ratio = current / baseline.median;
  if (ratio < t.dropBelow) return { level: 'alert', kind: 'drop', ratio };
  if (ratio > t.spikeAbove && current > baseline.max)
    return { level: 'warn', kind: 'spike', ratio };
  return { level: 'ok', kind: null, ratio };
}

/**
 * The previous hour before the window at `at`, from [windowStart, bytes] points of one window
 * length; null when fewer than MIN_BASELINE_SHARE of its windows are there.
 */
export function hourBaseline(
  points: readonly (readonly [number, number])[],
  at: number,
  windowMs: number,
): Baseline | null {
  const from = at - 3_600_000;
  const values: number[] = [];
  // (Indexes, not destructuring: each live update runs this once, unoptimised, per pair.)
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    if (p[0] >= from && p[0] < at) values.push(p[1]);
  }
  const expected = 3_600_000 / windowMs;
  if (values.length === 0 || values.length < expected * MIN_BASELINE_SHARE) return null;
  values.sort((a, b) => a - b);
  const mid = values.length >> 1;
  const median = values.length % 2 === 1 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
  return { median, max: values.at(-1)! };
}

/** The worse of two levels. */
export function worst(a: Level, b: Level): Level {
  const rank = { ok: 0, warn: 1, alert: 2 } as const;
  return rank[a] >= rank[b] ? a : b;
}
