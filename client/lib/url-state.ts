// What a dashboard's URL holds, so a copied link opens the same view. Pure.
//   ?range=15m|1h|6h|24h|7d           live range (1h when absent; written only when not 1h)
//   ?from=<ISO>&to=<ISO>              absolute range (epoch ms accepted too); wins over range
//   &q=<query>                        the dashboard's filter, in the query language
//   &drill=<fromMs>,<toMs>&dq=<query>&dlabel=<label>   an open drill-down (record table)
//   &metric=packets  &top=15m|60m  &table=conversations  &map=…  &matrix=latest|15m|60m
//   &hide=<series>,…                  the panels' choices (see ViewChoices); each is written only
//                                     when it is not its default
// Other parameters (wall=1...) are kept as they are.
import { SHARE_LEGEND } from '../charts/ratio-option.ts';
import { TRAFFIC_LEGEND } from '../charts/traffic-option.ts';
import { SPANS, type Span } from './regions.ts';
import type { Metric } from './series.ts';
import { TOP_RANGES, type TopRange } from './top.ts';
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

/**
 * What the dashboard's panels show, as chosen on them: kept in the URL, so a reload, Back and a
 * copied link show the same panels.
 */
export interface ViewChoices {
  /** The traffic chart's unit. */
  metric: Metric;
  /** What the top quintuples (bars and table) sum. */
  top: TopRange;
  table: 'quintuples' | 'conversations';
  /** What the CCN flow map and region matrix sum. */
  map: Span;
  matrix: Span;
  /** Series clicked off in the traffic chart's legend, and in the REJECT share chart's. */
  trafficHidden: string[];
  shareHidden: string[];
}

export const DEFAULT_VIEW: Readonly<ViewChoices> = Object.freeze({
  metric: 'bits',
  top: 'latest',
  table: 'quintuples',
  map: '15m',
  matrix: '15m',
  trafficHidden: [],
  shareHidden: [],
});

// `hide` takes the legend names of the traffic chart and of the REJECT share chart, no others.
export { SHARE_LEGEND, TRAFFIC_LEGEND };

export interface DashboardUrlState {
  range: TimeRange;
  /** The dashboard's filter as typed (not canonicalised: the query bar shows it back). */
  q: string;
  drill: DrillState | null;
  view: ViewChoices;
}

/** The parameters this module owns; every other one is left alone. */
export const URL_KEYS = [
  'range',
  'from',
  'to',
  'q',
  'drill',
  'dq',
  'dlabel',
  'metric',
  'top',
  'table',
  'map',
  'matrix',
  'hide',
] as const;

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

/** `value` when it is one of `allowed`, else `fallback`. */
function oneOf<T extends string>(value: string | null, allowed: readonly T[], fallback: T): T {
  return allowed.includes(value as T) ? (value as T) : fallback;
}

/** The known names of `names`, once each, in `order`. */
function pick(names: readonly string[], order: readonly string[]): string[] {
  return order.filter((n) => names.includes(n));
}

function parseView(p: URLSearchParams): ViewChoices {
  const spans = SPANS.map((s) => s.value);
  const hide = (p.get('hide') ?? '').split(',').map((n) => n.trim());
  return {
    metric: oneOf(p.get('metric'), ['bits', 'packets'], DEFAULT_VIEW.metric),
    top: oneOf(
      p.get('top'),
      TOP_RANGES.map((r) => r.value),
      DEFAULT_VIEW.top,
    ),
    table: oneOf(p.get('table'), ['quintuples', 'conversations'], DEFAULT_VIEW.table),
    map: oneOf(p.get('map'), spans, DEFAULT_VIEW.map),
    matrix: oneOf(p.get('matrix'), spans, DEFAULT_VIEW.matrix),
    trafficHidden: pick(hide, TRAFFIC_LEGEND),
    shareHidden: pick(hide, SHARE_LEGEND),
  };
}

/** The choices of one value each, in the order the URL writes them. */
const ONE_VALUE_CHOICES = ['metric', 'top', 'table', 'map', 'matrix'] as const;

/** The series clicked off in both legends, as `hide` writes them (known names, legend order). */
function hiddenNames(v: ViewChoices): string {
  return [...pick(v.trafficHidden, TRAFFIC_LEGEND), ...pick(v.shareHidden, SHARE_LEGEND)].join(',');
}

/** Whether two views choose the same (hidden series in any order). */
export function sameView(a: ViewChoices, b: ViewChoices): boolean {
  return ONE_VALUE_CHOICES.every((k) => a[k] === b[k]) && hiddenNames(a) === hiddenNames(b);
}

export function parseUrlState(search: string): DashboardUrlState {
  const p = new URLSearchParams(search);
  const from = parseTime(p.get('from'));
  const to = parseTime(p.get('to'));
  const name = p.get('range');
  let range: TimeRange = liveRange(isLiveRangeName(name) ? name : DEFAULT_RANGE);
  if (from !== null && to !== null && to > from) range = absRange(from, to);
  return { range, q: p.get('q') ?? '', drill: parseDrill(p), view: parseView(p) };
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
  for (const k of ONE_VALUE_CHOICES) {
    if (state.view[k] !== DEFAULT_VIEW[k]) add(k, state.view[k]);
  }
  const hidden = hiddenNames(state.view);
  if (hidden !== '') add('hide', hidden);
  const others = new URLSearchParams(keep);
  for (const k of URL_KEYS) others.delete(k);
  const rest = others.toString();
  if (rest) parts.push(rest);
  return parts.length ? `?${parts.join('&')}` : '';
}
