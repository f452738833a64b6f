// The wall's settings live in its URL, so a wall display is configured by the link it opens:
// /wall?topics=ID,ID&every=SECONDS&range=1h&theme=dark. Pure: parsed, defaulted and formatted
// here; wall/setup builds the link.
import { isLiveRangeName, type LiveRangeName } from './time-range.ts';

export type WallTheme = 'dark' | 'light';

export interface WallSettings {
  /** Topics shown in turn, in this order; empty: every topic of the catalog. */
  topics: string[];
  /** Seconds each topic is shown. */
  every: number;
  range: LiveRangeName;
  theme: WallTheme;
}

export const WALL_DEFAULTS: Readonly<WallSettings> = Object.freeze({
  topics: [],
  every: 30,
  range: '1h',
  theme: 'dark',
});
export const MIN_EVERY_S = 5;
export const MAX_EVERY_S = 3600;
/** The wall's ranges: the live ones a screen can follow. */
export const WALL_RANGES: readonly LiveRangeName[] = ['15m', '1h', '6h', '24h'];

/** Settings from a query string; a value that does not parse falls back to its default. */
export function parseWallSettings(search: string): WallSettings {
  const p = new URLSearchParams(search);
  const topics = (p.get('topics') ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter((t, i, all) => t !== '' && t.length <= 200 && all.indexOf(t) === i)
    .slice(0, 32);
  const every = Number(p.get('every'));
  const range = p.get('range');
  return {
    topics,
    every:
      Number.isFinite(every) && every >= MIN_EVERY_S && every <= MAX_EVERY_S
        ? Math.round(every)
        : WALL_DEFAULTS.every,
    range: isLiveRangeName(range) && WALL_RANGES.includes(range) ? range : WALL_DEFAULTS.range,
    theme: p.get('theme') === 'light' ? 'light' : 'dark',
  };
}

/** The wall's URL for these settings (defaults left out, topics in order). */
export function wallHref(s: WallSettings): string {
  const p = new URLSearchParams();
  if (s.topics.length > 0) p.set('topics', s.topics.join(','));
  p.set('every', String(s.every));
  p.set('range', s.range);
  p.set('theme', s.theme);
  return `/wall?${p.toString().replace(/%2C/g, ',')}`;
}

/** The topic shown at `nowMs` when each is shown `every` seconds, from a common epoch. */
export function rotationIndex(count: number, every: number, nowMs: number): number {
  if (count <= 1) return 0;
  return Math.floor(nowMs / (every * 1000)) % count;
}
