// A click on a chart element -> the drill-down that opens its raw records, with the clicked value
// (bytes and packets, never the displayed rate) for the record table to reconcile against. The
// range and query come from shared/drilldown.ts; this module only adds the expected value. Pure.
import type { RegionPairTotals, Totals } from '../../shared/events.ts';
import {
  drillAction,
  drillBucket,
  drillQuintuple,
  drillRegionPair,
  type DrillDown,
  type QuintupleKey,
} from '../../shared/drilldown.ts';
import type { Action } from '../../shared/record.ts';
import type { SeriesPoint } from '../../shared/api.ts';
import type { DrillState } from './url-state.ts';

export interface Expected {
  bytes: number;
  packets?: number;
}

export interface DrillRequest {
  drill: DrillState;
  /** What the clicked element showed; absent when the element's value is not exact. */
  expected: Expected | null;
}

/** [from, to) that a chart element's value covers. */
export interface Bounds {
  from: number;
  to: number;
}

function request(d: DrillDown, expected: Expected | null): DrillRequest {
  return { drill: { from: d.from, to: d.to, q: d.q, label: d.label }, expected };
}

/** Sums of both actions, split by action. */
interface ActionSums {
  acceptBytes: number;
  acceptPackets: number;
  rejectBytes: number;
  rejectPackets: number;
}

/** The bytes and packets of `action`, or of both actions without one. */
function sumsOf(s: ActionSums, action: Action | undefined): Expected {
  if (action === 'ACCEPT') return { bytes: s.acceptBytes, packets: s.acceptPackets };
  if (action === 'REJECT') return { bytes: s.rejectBytes, packets: s.rejectPackets };
  return { bytes: s.acceptBytes + s.rejectBytes, packets: s.acceptPackets + s.rejectPackets };
}

/**
 * A bucket of a time chart, or its ACCEPT or REJECT part. The bucket is cut to `bounds` (the range
 * the chart's data covers), since the server counted only the windows inside it.
 */
export function bucketDrill(
  p: SeriesPoint,
  step: number,
  bounds: Bounds | null,
  base: string,
  action?: Action,
): DrillRequest {
  const d = drillBucket(p.t, step, base, action);
  if (bounds) {
    d.from = Math.max(d.from, bounds.from);
    d.to = Math.min(d.to, bounds.to);
  }
  return request(d, sumsOf(p, action));
}

/** A slice of the action ratio: the totals it was drawn from and the range they cover. */
export function actionDrill(
  totals: { accept: Totals; reject: Totals },
  bounds: Bounds,
  base: string,
  action: Action,
): DrillRequest {
  const t = action === 'ACCEPT' ? totals.accept : totals.reject;
  return request(drillAction(bounds.from, bounds.to, base, action), {
    bytes: t.bytes,
    packets: t.packets,
  });
}

export interface QuintupleValue extends QuintupleKey {
  bytes: number;
  packets: number;
  rejectBytes: number;
  rejectPackets: number;
}

/**
 * A row or bar of the top quintuples (or its REJECTed part) over the range its list covers.
 * `exact` is false for lists summed from per-window top-N lists: no expected value then.
 */
export function quintupleDrill(
  row: QuintupleValue,
  bounds: Bounds,
  base: string,
  exact: boolean,
  action?: 'REJECT',
): DrillRequest {
  const key: QuintupleKey = {
    srcaddr: row.srcaddr,
    srcport: row.srcport,
    dstaddr: row.dstaddr,
    dstport: row.dstport,
    protocol: row.protocol,
  };
  const expected = !exact
    ? null
    : action === 'REJECT'
      ? { bytes: row.rejectBytes, packets: row.rejectPackets }
      : { bytes: row.bytes, packets: row.packets };
  return request(drillQuintuple(bounds.from, bounds.to, base, key, action), expected);
}

/** A flow-map line (one action) or a matrix cell (both actions) of a region pair. */
export function pairDrill(
  pair: Omit<RegionPairTotals, 'records'>,
  bounds: Bounds,
  base: string,
  action?: Action,
): DrillRequest {
  return request(
    drillRegionPair(bounds.from, bounds.to, base, pair.src, pair.dst, action),
    sumsOf(pair, action),
  );
}

/** True when two drill-downs open the same records. */
export function sameDrill(a: DrillState | null, b: DrillState | null): boolean {
  if (!a || !b) return a === b;
  return a.from === b.from && a.to === b.to && a.q === b.q;
}
