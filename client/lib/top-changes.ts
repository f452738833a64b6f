// What changed in the top quintuples, for eyes that glance at a wall: rank movement against the
// same range one window earlier, entrants ("new"), and REJECT spikes against the hour before.
// And conversation pairs: A→B and B→A of one conversation folded into one row, flagged when the
// request was ACCEPTed and the reply REJECTed (a stateless network ACL dropping the replies that a
// stateful security group allowed). Pure.
import type { WindowAggregate } from '../../shared/events.ts';
import { DEFAULT_THRESHOLDS, type Thresholds } from '../../shared/thresholds.ts';
import { quintupleKey } from '../../shared/record.ts';
import type { TopRow } from './top.ts';

export interface RowChange {
  /** Places moved up (positive) or down (negative) since the previous window; 0 unchanged. */
  move: number;
  /**
   * Not in the previous top list, not even as the same flow on another client port: clients take
   * a new ephemeral port for each connection, so a download that goes on over several
   * connections is the same talker, not an entrant.
   */
  isNew: boolean;
  /** REJECTed bytes far above this quintuple's own over the previous hour. */
  rejectSpike: boolean;
}

/** A quintuple without its ephemeral (client) port: the higher of the two; ICMP without ports. */
export function flowKey(r: TopRow): string {
  if (r.protocol === 1 || r.protocol === 58) return `${r.srcaddr}>${r.dstaddr}|${r.protocol}`;
  return r.srcport > r.dstport
    ? `${r.srcaddr}:*>${r.dstaddr}:${r.dstport}|${r.protocol}`
    : `${r.srcaddr}:${r.srcport}>${r.dstaddr}:*|${r.protocol}`;
}

/** Each window's REJECTed bytes by quintuple key (those with any), made once per window: a window
 * is never changed, a revision is a new object. Read for the few rows that could spike. */
const rejectsOf = new WeakMap<WindowAggregate, ReadonlyMap<string, number>>();

function windowRejects(w: WindowAggregate): ReadonlyMap<string, number> {
  let rejects = rejectsOf.get(w);
  if (!rejects) {
    const m = new Map<string, number>();
    for (const q of w.top)
      if (q.rejectBytes > 0) {
        const key = quintupleKey(q);
        m.set(key, (m.get(key) ?? 0) + q.rejectBytes);
      }
    rejectsOf.set(w, m);
    rejects = m;
  }
  return rejects;
}

/** A REJECT spike must also be at least this share of the range's traffic: scanners stay quiet. */
export const MIN_SPIKE_SHARE = 0.01;

/**
 * Changes of `rows` (the current top list) against `previous` (the same range one window
 * earlier; null when there is none). `hour` are the complete windows of the hour before the
 * range, `rangeWindows` how many windows the current list sums, `totalBytes` its traffic.
 */
export function topChanges(
  rows: readonly TopRow[],
  previous: readonly TopRow[] | null,
  opts: {
    hour: readonly WindowAggregate[];
    rangeWindows: number;
    totalBytes: number;
    thresholds?: Thresholds;
  },
): Map<string, RowChange> {
  const t = opts.thresholds ?? DEFAULT_THRESHOLDS;
  const before = new Map(previous?.map((r, i) => [r.key, i]) ?? []);
  const beforeFlow = new Map<string, number>();
  previous?.forEach((r, i) => {
    const k = flowKey(r);
    if (!beforeFlow.has(k)) beforeFlow.set(k, i);
  });
  const hourWindows = opts.hour.length;
  const out = new Map<string, RowChange>();
  rows.forEach((row, i) => {
    const was = before.get(row.key) ?? beforeFlow.get(flowKey(row));
    out.set(row.key, {
      move: was === undefined ? 0 : was - i,
      isNew: previous !== null && was === undefined,
      rejectSpike: rejectSpike(row),
    });
  });
  return out;

  /** Only a row with REJECTed bytes enough to matter is weighed against its hour. */
  function rejectSpike(row: TopRow): boolean {
    if (
      hourWindows === 0 ||
      row.rejectBytes <= 0 ||
      opts.totalBytes <= 0 ||
      row.rejectBytes / opts.totalBytes < MIN_SPIKE_SHARE
    )
      return false;
    let hourReject = 0;
    for (const w of opts.hour) hourReject += windowRejects(w).get(row.key) ?? 0;
    const perWindow = row.rejectBytes / Math.max(1, opts.rangeWindows);
    return perWindow > t.spikeAbove * (hourReject / hourWindows);
  }
}

/** One conversation: its two directions, each when in the list (at least one is). */
export interface PairRow {
  key: string;
  /** Client → service. */
  request: TopRow | null;
  /** Service → client. */
  reply: TopRow | null;
  client: { addr: string; port: number };
  service: { addr: string; port: number };
  protocolName: string;
  bytes: number;
  share: number;
  /** The request was ACCEPTed and the reply (some of it) REJECTed. */
  replyRejected: boolean;
}

const ICMP = new Set([1, 58]);

/** The conversation key: both endpoints in order, and the protocol (ICMP: without ports). */
function pairKey(r: TopRow): string {
  const a = ICMP.has(r.protocol) ? r.srcaddr : `${r.srcaddr}|${r.srcport}`;
  const b = ICMP.has(r.protocol) ? r.dstaddr : `${r.dstaddr}|${r.dstport}`;
  return `${a < b ? `${a}>${b}` : `${b}>${a}`}|${r.protocol}`;
}

/**
 * Which of two directions is the request: the one to the lower (service) port; for ICMP the one
 * that is not an echo reply (type 0); when that cannot tell, the ACCEPTed one (what a stateful
 * security group let in first).
 */
function isRequest(x: TopRow, y: TopRow): boolean {
  if (ICMP.has(x.protocol)) {
    if ((x.dstport === 0) !== (y.dstport === 0)) return y.dstport === 0;
  } else if (x.dstport !== y.dstport) return x.dstport < y.dstport;
  return x.rejectBytes / Math.max(1, x.bytes) <= y.rejectBytes / Math.max(1, y.bytes);
}

/** The rows folded into conversations, largest first (by both directions' bytes). */
export function pairConversations(rows: readonly TopRow[]): PairRow[] {
  const groups = new Map<string, TopRow[]>();
  for (const r of rows) {
    const k = pairKey(r);
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  const out: PairRow[] = [];
  for (const [key, g] of groups) {
    // More than two rows fold only for ICMP (one per type): the largest two make the pair.
    const [x, y] = g;
    const both = g.reduce((n, r) => n + r.bytes, 0);
    const share = g.reduce((n, r) => n + r.share, 0);
    let request: TopRow | null;
    let reply: TopRow | null;
    if (!y) {
      // One direction only: a reply comes from the lower (service) port, or is an echo reply.
      const fromService = ICMP.has(x!.protocol) ? x!.dstport === 0 : x!.srcport < x!.dstport;
      [request, reply] = fromService ? [null, x!] : [x!, null];
    } else {
      [request, reply] = isRequest(x!, y) ? [x!, y] : [y, x!];
    }
    const client = request
      ? { addr: request.srcaddr, port: request.srcport }
      : { addr: reply!.dstaddr, port: reply!.dstport };
    const service = request
      ? { addr: request.dstaddr, port: request.dstport }
      : { addr: reply!.srcaddr, port: reply!.srcport };
    out.push({
      key,
      request,
      reply,
      client,
      service,
      protocolName: x!.protocolName,
      bytes: both,
      share,
      replyRejected:
        request !== null && reply !== null && request.rejectBytes === 0 && reply.rejectBytes > 0,
    });
  }
  return out.sort((a, b) => b.bytes - a.bytes || a.key.localeCompare(b.key));
}
