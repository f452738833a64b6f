// What a dashboard's URL holds, so a copied link opens the same view. Pure.
//   ?range=15m|1h|6h|24h|7d           live range (1h when absent; written only when not 1h)
//   ?from=<ISO>&to=<ISO>              absolute range (epoch ms accepted too); wins over range
//   &q=<query>                        the dashboard's filter, in the query language
//   &drill=<fromMs>,<toMs>&dq=<query>&dlabel=<label>   an open drill-down (record table)
// Other parameters (wall=1...) are kept as they are.
import {
  absRange,
  DEFAULT_RANGE,
  isLiveRangeName,
  liveRange,
  MAX_RANGE_MS,
  type TimeRange,
} from './time-range.ts';

/** An open drill-down: records whose window starts in [from, to) and match `q`. */
export interface DrillState {
  from: number;
  to: number;
  q: string;
  label: string;
}

export interface DashboardUrlState {
  range: TimeRange;
  /** The dashboard's filter as typed (not canonicalised: the query bar shows it back). */
  q: string;
  drill: DrillState | null;
}

/** The parameters this module owns; every other one is left alone. */
export const URL_KEYS = ['range', 'from', 'to', 'q', 'drill', 'dq', 'dlabel'] as const;

/** ISO 8601 (with a date) or epoch milliseconds -> epoch ms; null for anything else. */
export function parseTime(text: string | null): number | null {
  if (text === null) return null;
  const s = text.trim();
  if (/^\d{1,15}$/.test(s)) return Number(s);
  if (!/^\d{4}-\d{2}-\d{2}/.test(s)) return null;
  const t = Date.parse(s);
  return Number.isFinite(t) ? t : null;
}

/** Epoch ms as short ISO 8601 in UTC: '2026-11-21T13:00:00Z' (milliseconds only when not 0). */
export function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

function parseDrill(p: URLSearchParams): DrillState | null {
  const m = /^(\d{1,15}),(\d{1,15})$/.exec(p.get('drill') ?? '');
  if (!m) return null;
  const from = Number(m[1]);
  const to = Number(m[2]);
  if (!(to > from) || to - from > MAX_RANGE_MS) return null;
  return { from, to, q: p.get('dq') ?? '', label: p.get('dlabel') ?? '' };
}

export function parseUrlState(search: string): DashboardUrlState {
  const p = new URLSearchParams(search);
  const from = parseTime(p.get('from'));
  const to = parseTime(p.get('to'));
  const name = p.get('range');
  let range: TimeRange = liveRange(isLiveRangeName(name) ? name : DEFAULT_RANGE);
  if (from !== null && to !== null && to > from) range = absRange(from, to);
  return { range, q: p.get('q') ?? '', drill: parseDrill(p) };
}

/** A query-string value: percent-encoded, but `:` `/` `,` `@` stay readable (allowed in a query). */
function encodeValue(v: string): string {
  return encodeURIComponent(v).replace(/%(3A|2F|2C|40)/gi, (c) => decodeURIComponent(c));
}

/**
 * The search string ('?…', or '' when there is nothing to say) of `state`, keeping the parameters
 * of `keep` (the current search) that this module does not own.
 */
export function formatUrlState(state: DashboardUrlState, keep = ''): string {
  const parts: string[] = [];
  const add = (k: string, v: string) => parts.push(`${k}=${encodeValue(v)}`);
  if (state.range.kind === 'abs') {
    add('from', formatTime(state.range.from));
    add('to', formatTime(state.range.to));
  } else if (state.range.name !== DEFAULT_RANGE) {
    add('range', state.range.name);
  }
  if (state.q.trim() !== '') add('q', state.q);
  if (state.drill) {
    add('drill', `${state.drill.from},${state.drill.to}`);
    if (state.drill.q !== '') add('dq', state.drill.q);
    if (state.drill.label !== '') add('dlabel', state.drill.label);
  }
  const others = new URLSearchParams(keep);
  for (const k of URL_KEYS) others.delete(k);
  const rest = others.toString();
  if (rest) parts.push(rest);
  return parts.length ? `?${parts.join('&')}` : '';
}
