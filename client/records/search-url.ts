// The search page's URL: /search?q=<query>&range=<15m|1h|6h|24h|7d>, or an absolute
// &from=&to= (ISO 8601 or epoch ms, as the API takes them) that wins over the range. Pure.

export const SEARCH_RANGES = [
  { value: '15m', label: '15 min', ms: 15 * 60_000 },
  { value: '1h', label: '1 h', ms: 3_600_000 },
  { value: '6h', label: '6 h', ms: 6 * 3_600_000 },
  { value: '24h', label: '24 h', ms: 24 * 3_600_000 },
  { value: '7d', label: '7 d', ms: 7 * 24 * 3_600_000 },
] as const;

export type SearchRangeName = (typeof SEARCH_RANGES)[number]['value'];
export const DEFAULT_RANGE: SearchRangeName = '1h';

export interface SearchState {
  q: string;
  range: SearchRangeName;
  /** An absolute range (epoch ms) from the URL; null for "the last `range`". */
  from: number | null;
  to: number | null;
}

function isRangeName(s: string | null): s is SearchRangeName {
  return SEARCH_RANGES.some((r) => r.value === s);
}

/** ISO 8601 or epoch ms -> epoch ms; null when unreadable. */
export function parseTime(text: string | null): number | null {
  if (text === null || text.trim() === '') return null;
  const t = text.trim();
  const ms = /^\d+$/.test(t) ? Number(t) : Date.parse(t);
  return Number.isFinite(ms) ? ms : null;
}

/** The search in a location.search string; bad values fall back to the defaults. */
export function parseSearch(search: string): SearchState {
  const p = new URLSearchParams(search);
  const range = p.get('range');
  let from = parseTime(p.get('from'));
  let to = parseTime(p.get('to'));
  if (from === null || to === null || from >= to) from = to = null;
  return { q: p.get('q') ?? '', range: isRangeName(range) ? range : DEFAULT_RANGE, from, to };
}

/** The page URL of a search; keeps `wall=1` out (the router adds it back). */
export function searchHref(s: SearchState): string {
  const p = new URLSearchParams();
  if (s.q.trim()) p.set('q', s.q.trim());
  if (s.from !== null && s.to !== null) {
    p.set('from', new Date(s.from).toISOString());
    p.set('to', new Date(s.to).toISOString());
  } else {
    p.set('range', s.range);
  }
  return `/search?${p.toString()}`;
}

/** The [from, to) the search covers at local time `now`. */
export function searchWindow(s: SearchState, now: number): { from: number; to: number } {
  if (s.from !== null && s.to !== null) return { from: s.from, to: s.to };
  const ms = SEARCH_RANGES.find((r) => r.value === s.range)?.ms ?? 3_600_000;
  return { from: now - ms, to: now };
}
