// A dashboard's time range: a live range that follows the (server) clock, or an absolute one. Pure:
// "now" is always passed in (the estimated server time, see server-clock.ts), never read here.
import { autoStep } from '../../shared/api.ts';
import { MIN_WINDOW_MS } from '../../shared/capture-window.ts';

/** Absolute ranges are whole minutes (the shortest capture window). */
const MINUTE_MS = MIN_WINDOW_MS;
const HOUR = 3_600_000;

export type LiveRangeName = '15m' | '1h' | '6h' | '24h' | '7d';

export const LIVE_RANGES: ReadonlyArray<{ name: LiveRangeName; ms: number; label: string }> = [
  { name: '15m', ms: 15 * 60_000, label: 'Last 15 min' },
  { name: '1h', ms: HOUR, label: 'Last 1 h' },
  { name: '6h', ms: 6 * HOUR, label: 'Last 6 h' },
  { name: '24h', ms: 24 * HOUR, label: 'Last 24 h' },
  { name: '7d', ms: 7 * 24 * HOUR, label: 'Last 7 d' },
];

/** The range a dashboard opens with when the URL names none. */
export const DEFAULT_RANGE: LiveRangeName = '1h';
/** Absolute ranges are whole minutes, at least one. */
export const MIN_RANGE_MS = MINUTE_MS;
/** Longest absolute range accepted (what the store keeps is the server's business). */
export const MAX_RANGE_MS = 366 * 24 * HOUR;

export type TimeRange =
  { kind: 'live'; name: LiveRangeName } | { kind: 'abs'; from: number; to: number };

/** A resolved range: [from, to) on capture-window start, epoch ms, and its rollup step. */
export interface Span {
  from: number;
  to: number;
  step: number;
}

export function isLiveRangeName(s: string | null | undefined): s is LiveRangeName {
  return LIVE_RANGES.some((r) => r.name === s);
}

export function liveRangeMs(name: LiveRangeName): number {
  return LIVE_RANGES.find((r) => r.name === name)?.ms ?? HOUR;
}

export const liveRange = (name: LiveRangeName = DEFAULT_RANGE): TimeRange => ({
  kind: 'live',
  name,
});

/**
 * The step for a span over a topic with `windowMs` windows: the shared autoStep (1 min up to 6 h,
 * 5 min up to 48 h, 1 h beyond, never finer than the window).
 */
export function stepFor(from: number, to: number, windowMs: number = MIN_WINDOW_MS): number {
  return autoStep(from, to, windowMs);
}

const floorTo = (t: number, step: number) => Math.floor(t / step) * step;
const ceilTo = (t: number, step: number) => Math.ceil(t / step) * step;

/**
 * From and to of a range at server time `now`, with its step. A live range ends at the end of the
 * current step bucket (so every bucket is whole and the newest windows sit at the right edge) and
 * is exactly its length; an absolute range is taken as it is (already whole minutes).
 */
export function resolveRange(
  range: TimeRange,
  now: number,
  windowMs: number = MIN_WINDOW_MS,
): Span {
  if (range.kind === 'abs') {
    return { from: range.from, to: range.to, step: stepFor(range.from, range.to, windowMs) };
  }
  const ms = liveRangeMs(range.name);
  const step = stepFor(0, ms, windowMs);
  const to = ceilTo(now + 1, step);
  return { from: to - ms, to, step };
}

/** An absolute range on whole minutes around [from, to), at least a minute, at most MAX_RANGE_MS. */
export function absRange(from: number, to: number): TimeRange {
  let a = floorTo(Math.min(from, to), MINUTE_MS);
  let b = ceilTo(Math.max(from, to), MINUTE_MS);
  if (b - a < MIN_RANGE_MS) b = a + MIN_RANGE_MS;
  if (b - a > MAX_RANGE_MS) a = b - MAX_RANGE_MS;
  return { kind: 'abs', from: a, to: b };
}

/**
 * The range one width earlier (`dir` -1) or later (+1). A live range steps back into an absolute
 * one; stepping forward past `now` comes back to the live range of that width when there is one,
 * else ends the range at now. Forward from a live range stays where it is.
 */
export function shiftRange(range: TimeRange, dir: -1 | 1, now: number): TimeRange {
  const { from, to } = resolveRange(range, now);
  const width = to - from;
  if (range.kind === 'live' && dir === 1) return range;
  const next = { from: from + dir * width, to: to + dir * width };
  if (dir === 1 && next.to > now) {
    const live = LIVE_RANGES.find((r) => r.ms === width);
    if (live) return liveRange(live.name);
    const end = ceilTo(now, MINUTE_MS);
    return absRange(end - width, end);
  }
  return { kind: 'abs', from: next.from, to: next.to };
}

/** True when stepping forward would change anything (not live, not already ending at now). */
export function canShiftForward(range: TimeRange): boolean {
  return range.kind === 'abs';
}

const pad = (n: number) => String(n).padStart(2, '0');
const MONTHS = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' ');

/** 'd Mon HH:MM' in the browser's time zone. */
export function formatDayTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getDate()} ${MONTHS[d.getMonth()]} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Short text of a range for people: 'Last 1 h', or '21 Nov 13:00 – 14:00' / '… – 22 Nov 02:00'. */
export function rangeLabel(range: TimeRange): string {
  if (range.kind === 'live') return LIVE_RANGES.find((r) => r.name === range.name)?.label ?? '';
  const a = new Date(range.from);
  const b = new Date(range.to);
  const sameDay =
    a.getFullYear() === b.getFullYear() &&
    a.getMonth() === b.getMonth() &&
    a.getDate() === b.getDate();
  return `${formatDayTime(range.from)} – ${sameDay ? `${pad(b.getHours())}:${pad(b.getMinutes())}` : formatDayTime(range.to)}`;
}

/** A step for people: '1 min', '5 min', '1 h'. */
export function stepLabel(step: number): string {
  return step >= HOUR ? `${step / HOUR} h` : `${Math.round(step / 60_000)} min`;
}

/** Epoch ms -> the value of an <input type="datetime-local"> in the browser's time zone. */
export function toLocalInput(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The value of a datetime-local input -> epoch ms, or null when it is not a time. */
export function fromLocalInput(value: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) return null;
  const t = new Date(value).getTime();
  return Number.isFinite(t) ? t : null;
}
