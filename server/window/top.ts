// Per-window quintuple tracker: bounded memory, and exact values for every quintuple it reports.
//
// A quintuple is admitted the first time it is seen while there is room, so a tracked quintuple has
// had every one of its records counted. Records of quintuples that are not tracked are left to the
// window's `topOther`, which the caller derives as totals minus `top`; the tracker never guesses.
import type { TopQuintuple } from '../../shared/events.ts';
import { quintupleKey, type FlowRecord } from '../../shared/record.ts';

interface Entry extends TopQuintuple {
  key: string;
}

/**
 * What add() did: counted the record for a quintuple it just admitted, or for one already tracked;
 * or left it untracked (to topOther) because a quintuple field is null, or because there is no room.
 */
export type TopAdd = 'new' | 'tracked' | 'incomplete' | 'overflow';

export interface TopTracker {
  /** Counts one OK record under its quintuple. */
  add(r: FlowRecord, bytes: number, packets: number, reject: boolean): TopAdd;
  /** The `n` largest tracked quintuples by bytes, ties by key; fresh objects. */
  top(n: number): TopQuintuple[];
  /** Keeps the `keep` largest quintuples; returns how many were dropped. */
  compact(keep: number): number;
  /**
   * Seeds an empty tracker with a published top list (a window restored from the store). With
   * `complete` false (the list left quintuples out), no new quintuple is admitted afterwards.
   */
  restore(top: readonly TopQuintuple[], complete: boolean, truncated: boolean): void;
  /** Distinct quintuples held. */
  readonly size: number;
  /** True once a record of a complete quintuple was left untracked (capacity, or after compaction). */
  readonly truncated: boolean;
}

/** Orders entries by bytes, largest first, then by key so equal byte counts rank the same way every time. */
function before(a: Entry, b: Entry): boolean {
  return a.bytes !== b.bytes ? a.bytes > b.bytes : a.key < b.key;
}

/** Partial selection: one pass keeping a sorted buffer of `n`; most entries lose to the buffer's last. */
export function selectTop(entries: Iterable<Entry>, n: number): Entry[] {
  const best: Entry[] = [];
  if (n <= 0) return best;
  for (const e of entries) {
    let i = best.length;
    if (i === n) {
      if (!before(e, best[n - 1]!)) continue;
      i = n - 1;
    } else best.push(e);
    while (i > 0 && before(e, best[i - 1]!)) {
      best[i] = best[i - 1]!;
      i--;
    }
    best[i] = e;
  }
  return best;
}

function count(e: Entry, bytes: number, packets: number, reject: boolean): void {
  e.bytes += bytes;
  e.packets += packets;
  e.records++;
  if (reject) {
    e.rejectBytes += bytes;
    e.rejectPackets += packets;
  }
}

export function createTopTracker(capacity: number): TopTracker {
  const entries = new Map<string, Entry>();
  let limit = capacity;
  // Once compaction dropped a quintuple (or one overflowed), a key we do not hold may have had
  // records already, so no key is admitted any more: admitting it would report a partial value.
  let sealed = false;
  let truncated = false;

  return {
    add(r, bytes, packets, reject) {
      if (
        r.srcaddr === null ||
        r.dstaddr === null ||
        r.srcport === null ||
        r.dstport === null ||
        r.protocol === null
      ) {
        return 'incomplete';
      }
      const key = quintupleKey(r);
      let e = entries.get(key);
      if (e === undefined) {
        if (sealed || entries.size >= limit) {
          sealed = true;
          truncated = true;
          return 'overflow';
        }
        e = {
          key,
          srcaddr: r.srcaddr,
          srcport: r.srcport,
          dstaddr: r.dstaddr,
          dstport: r.dstport,
          protocol: r.protocol,
          bytes: 0,
          packets: 0,
          records: 0,
          rejectBytes: 0,
          rejectPackets: 0,
        };
        entries.set(key, e);
        count(e, bytes, packets, reject);
        return 'new';
      }
      count(e, bytes, packets, reject);
      return 'tracked';
    },

    top(n) {
      return selectTop(entries.values(), n).map((e) => ({
        srcaddr: e.srcaddr,
        srcport: e.srcport,
        dstaddr: e.dstaddr,
        dstport: e.dstport,
        protocol: e.protocol,
        bytes: e.bytes,
        packets: e.packets,
        records: e.records,
        rejectBytes: e.rejectBytes,
        rejectPackets: e.rejectPackets,
      }));
    },

    restore(top, complete, wasTruncated) {
      for (const q of top) entries.set(quintupleKey(q), { key: quintupleKey(q), ...q });
      sealed = !complete;
      truncated = wasTruncated;
    },

    compact(keep) {
      limit = Math.min(limit, keep);
      const dropped = entries.size - keep;
      if (dropped <= 0) return 0;
      const kept = selectTop(entries.values(), keep);
      entries.clear();
      for (const e of kept) entries.set(e.key, e);
      sealed = true;
      return dropped;
    },

    get size() {
      return entries.size;
    },
    get truncated() {
      return truncated;
    },
  };
}
