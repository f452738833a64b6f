// Drill-down: what raw records make a number on a dashboard. Every chart element maps to a time
// range and a query (in the query language) that, run through GET /api/records, gives a total whose
// sum equals the clicked value. The client and the reconciliation tests both use these builders.
import { and, buildFilter } from './query/index.ts';
import type { Action } from './record.ts';

export interface DrillDown {
  /** Records whose capture window starts in [from, to). */
  from: number;
  to: number;
  /** The filter in the query language (the dashboard's own query ANDed with the element's). */
  q: string;
  /** What was clicked, in words, for the record panel's title. */
  label: string;
}

/** A step bucket of the volume chart, or its ACCEPT or REJECT part. */
export function drillBucket(t: number, stepMs: number, base: string, action?: Action): DrillDown {
  return {
    from: t,
    to: t + stepMs,
    q: and(base, action ? buildFilter({ action }) : null),
    label: `${action ?? 'all traffic'} in the bucket at ${new Date(t).toISOString()}`,
  };
}

/** A slice (ACCEPT or REJECT) of the action ratio over a range. */
export function drillAction(from: number, to: number, base: string, action: Action): DrillDown {
  return { from, to, q: and(base, buildFilter({ action })), label: `${action} traffic` };
}

export interface QuintupleKey {
  srcaddr: string;
  srcport: number;
  dstaddr: string;
  dstport: number;
  protocol: number;
}

/** A row or bar of the top quintuples over a range (optionally its REJECTed part). */
export function drillQuintuple(
  from: number,
  to: number,
  base: string,
  k: QuintupleKey,
  action?: Action,
): DrillDown {
  const q = buildFilter({
    srcaddr: k.srcaddr,
    srcport: k.srcport,
    dstaddr: k.dstaddr,
    dstport: k.dstport,
    protocol: k.protocol,
    action,
  });
  return {
    from,
    to,
    q: and(base, q),
    label: `${k.srcaddr}:${k.srcport} → ${k.dstaddr}:${k.dstport} (${k.protocol})`,
  };
}

/** A line of the CCN flow map or a cell of the region matrix (optionally one action). */
export function drillRegionPair(
  from: number,
  to: number,
  base: string,
  src: string,
  dst: string,
  action?: Action,
): DrillDown {
  return {
    from,
    to,
    q: and(base, buildFilter({ srcregionid: src, dstregionid: dst, action })),
    label: `${src} → ${dst}${action ? ` ${action}` : ''}`,
  };
}
