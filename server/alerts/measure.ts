// What alert rules measure, per capture window, from the records as they are committed (the live
// tail's path: matched in memory, never read back from the store). Only traffic records count (an
// action, and log status OK or none), as in the windows. Rules with the same query share one
// matcher and one set of sums (as the live tail's rooms do): a record is matched once per distinct
// query, not once per rule. Per-source measures keep one group per source address; the sources
// kept per window are bounded, and what the bound leaves out is counted (`overflow`), never
// dropped silently.
import type { SeriesPoint } from '../../shared/api.ts';
import type { Measure } from '../../shared/alerts/rule.ts';
import { SUM_MEASURES } from '../../shared/alerts/rule.ts';
import type { QueryNode } from '../../shared/query/index.ts';
import {
  matchQuery,
  readsContext,
  type MatchRecord,
  type RecordPredicate,
} from '../../shared/query/match.ts';

/** The group of a topic-wide measure. */
export const TOPIC_GROUP = '';

/** One window's traffic sums under a query: what every topic-wide measure is computed from. */
export interface Sums {
  bytes: number;
  packets: number;
  records: number;
  rejectBytes: number;
  rejectPackets: number;
}

/** The sums of a store series point (its ACCEPT and REJECT parts together). */
export function sumsOfPoint(p: Omit<SeriesPoint, 't' | 'windows'>): Sums {
  return {
    bytes: p.acceptBytes + p.rejectBytes,
    packets: p.acceptPackets + p.rejectPackets,
    records: p.acceptRecords + p.rejectRecords,
    rejectBytes: p.rejectBytes,
    rejectPackets: p.rejectPackets,
  };
}

/**
 * A topic-wide measure of one window's sums (`undefined`: no records): sums count 0, a share of
 * no traffic is null (no value), and so is a measure that is not computed from sums.
 */
export function measureOfSums(measure: Measure, s: Sums | undefined): number | null {
  if (SUM_MEASURES.has(measure)) return s ? s[measure as 'bytes' | 'packets' | 'records'] : 0;
  if (measure === 'reject_share_bytes') return s && s.bytes > 0 ? s.rejectBytes / s.bytes : null;
  if (measure === 'reject_share_packets')
    return s && s.packets > 0 ? s.rejectPackets / s.packets : null;
  return null;
}

interface WindowState {
  sums: Sums;
  /** Records were folded into it live (the store's sums, read meanwhile, may lack them). */
  live?: boolean;
  /** Destination ports per source address (when a rule of the query counts them). */
  ports: Map<string, Set<number>> | null;
}

export interface MeasureLimits {
  /** Sources a per-source measure keeps per window. */
  maxSources: number;
  /** Windows whose sums are kept (the newest): a day and an hour of 1-minute windows, for change rules against the day before. */
  maxWindows: number;
  /** Windows whose per-source ports are kept (the newest; they are judged when published). */
  maxPortWindows: number;
}

export const defaultMeasureLimits: MeasureLimits = {
  maxSources: 20_000,
  maxWindows: 1_500,
  maxPortWindows: 64,
};

/** One distinct query's sums per window. */
class Accumulator {
  readonly match: RecordPredicate;
  perSource = false;
  overflow = 0;
  readonly windows = new Map<number, WindowState>();
  /** The window folded last (records come in runs of one window): no map lookup for the next. */
  #lastStart = NaN;
  #last: WindowState | null = null;

  constructor(
    where: QueryNode | null,
    readonly limits: MeasureLimits,
  ) {
    this.match = matchQuery(where);
  }

  #window(start: number): WindowState {
    if (start === this.#lastStart && this.#last) return this.#last;
    let w = this.windows.get(start);
    if (w) {
      this.#lastStart = start;
      this.#last = w;
      return w;
    }
    w = this.#stored(start);
    if (this.perSource) {
      w.ports = new Map();
      this.#trimPorts(start);
    }
    this.#lastStart = start;
    this.#last = this.windows.get(start) ?? null;
    return w;
  }

  /** Window `start`, added empty (no ports) if it is not kept yet; past the bound the oldest goes. */
  #stored(start: number): WindowState {
    let w = this.windows.get(start);
    if (w) return w;
    w = {
      sums: { bytes: 0, packets: 0, records: 0, rejectBytes: 0, rejectPackets: 0 },
      ports: null,
    };
    this.windows.set(start, w);
    if (this.windows.size > this.limits.maxWindows) this.#evict();
    this.#lastStart = NaN;
    this.#last = null;
    return w;
  }

  /** A source's ports in a window's `ports`; null past the sources' bound (counted as overflow). */
  #sourcePorts(ports: Map<string, Set<number>>, srcaddr: string): Set<number> | null {
    let set = ports.get(srcaddr);
    if (!set) {
      if (ports.size >= this.limits.maxSources) {
        this.overflow++;
        return null;
      }
      ports.set(srcaddr, (set = new Set()));
    }
    return set;
  }

  /** The oldest window goes; past the ports' bound, the oldest ports go too (sums stay). */
  #evict(): void {
    let oldest = Infinity;
    for (const k of this.windows.keys()) if (k < oldest) oldest = k;
    this.windows.delete(oldest);
  }

  #trimPorts(newest: number): void {
    let withPorts = 0;
    for (const w of this.windows.values()) if (w.ports) withPorts++;
    if (withPorts <= this.limits.maxPortWindows) return;
    const starts = [...this.windows.keys()]
      .filter((k) => this.windows.get(k)!.ports)
      .sort((a, b) => a - b);
    for (const k of starts.slice(0, withPorts - this.limits.maxPortWindows))
      if (k !== newest) this.windows.get(k)!.ports = null;
  }

  /**
   * A window's sums from the store (after a start, or for a new query). A window that records were
   * folded into live keeps its own sums (the read may have missed them). Ports come apart
   * (seedPorts).
   */
  seed(start: number, sums: Sums): void {
    const w = this.#stored(start);
    if (!w.live) w.sums = { ...sums };
  }

  /**
   * A window's ports of one source from the store, added to what was folded live (a set: a port
   * seen both ways counts once). Past the sources' bound they are counted as overflow.
   */
  seedPorts(start: number, srcaddr: string, ports: readonly number[]): void {
    const w = this.#stored(start);
    const set = this.#sourcePorts((w.ports ??= new Map()), srcaddr);
    if (set) for (const p of ports) set.add(p);
  }

  fold(windowStart: number, r: MatchRecord): void {
    const w = this.#window(windowStart);
    w.live = true;
    const bytes = r.bytes ?? 0;
    const packets = r.packets ?? 0;
    w.sums.bytes += bytes;
    w.sums.packets += packets;
    w.sums.records++;
    if (r.action === 'REJECT') {
      w.sums.rejectBytes += bytes;
      w.sums.rejectPackets += packets;
    }
    if (w.ports && r.srcaddr !== null && r.dstport !== null)
      this.#sourcePorts(w.ports, r.srcaddr)?.add(r.dstport);
  }

  values(windowStart: number, measure: Measure): Map<string, number> {
    const w = this.windows.get(windowStart);
    const out = new Map<string, number>();
    if (measure === 'distinct_dstports_per_src') {
      for (const [src, ports] of w?.ports ?? []) out.set(src, ports.size);
      return out;
    }
    const v = measureOfSums(measure, w?.sums);
    if (v !== null) out.set(TOPIC_GROUP, v);
    return out;
  }
}

export interface TrackedMeasure {
  /**
   * The measure of a window by group: one topic-wide value, or one per source. A window without
   * matching records measures 0 for sums, nothing for shares (no traffic has no share).
   */
  values(windowStart: number): Map<string, number>;
}

/** The measures of a set of rules, fed one committed record at a time. */
export function createMeasureSet(limits: MeasureLimits = defaultMeasureLimits) {
  const byQuery = new Map<string, Accumulator>();
  let accs: Accumulator[] = [];
  let context = false;
  const contextOf = new Map<string, boolean>();
  return {
    /** Starts measuring for a rule; `key` names its query (rules with the same key share it). */
    track(rule: { measure: Measure; key: string; where: QueryNode | null }): TrackedMeasure {
      let acc = byQuery.get(rule.key);
      if (!acc) {
        byQuery.set(rule.key, (acc = new Accumulator(rule.where, limits)));
        accs = [...byQuery.values()];
        contextOf.set(rule.key, readsContext(rule.where));
        context ||= contextOf.get(rule.key)!;
      }
      if (rule.measure === 'distinct_dstports_per_src') acc.perSource = true;
      const a = acc;
      return { values: (w) => a.values(w, rule.measure) };
    },
    /** A committed record of window `windowStart`. */
    add(windowStart: number, r: MatchRecord): void {
      if (r.action === null || (r.logStatus !== null && r.logStatus !== 'OK')) return;
      for (const acc of accs) if (acc.match(r)) acc.fold(windowStart, r);
    },
    /** Some query reads the record's topic or stream: records must carry them. */
    readsContext: () => context,
    /** Queries measured, by key. */
    keys: () => [...byQuery.keys()],
    /** Stops measuring the queries not in `keep` (no rule uses them any more). */
    prune(keep: ReadonlySet<string>): void {
      for (const k of [...byQuery.keys()]) if (!keep.has(k)) byQuery.delete(k);
      accs = [...byQuery.values()];
      context = false;
      for (const k of byQuery.keys()) context ||= contextOf.get(k) ?? false;
    },
    /** True when some rule of query `key` counts ports per source. */
    perSource: (key: string) => byQuery.get(key)?.perSource ?? false,
    /** A window's ports of one source under query `key`, from the store. */
    seedPorts(key: string, windowStart: number, srcaddr: string, ports: readonly number[]): void {
      byQuery.get(key)?.seedPorts(windowStart, srcaddr, ports);
    },
    /** A closed window's sums of query `key`, from the store. */
    seed(key: string, windowStart: number, sums: Sums): void {
      byQuery.get(key)?.seed(windowStart, sums);
    },
    metrics: () => {
      let windows = 0;
      let overflow = 0;
      for (const a of byQuery.values()) {
        windows = Math.max(windows, a.windows.size);
        overflow += a.overflow;
      }
      return { queries: byQuery.size, windows, overflow };
    },
  };
}

/** One rule's measure on its own (a set of one). */
export function createMeasure(
  rule: { measure: Measure; where: QueryNode | null },
  limits: MeasureLimits = defaultMeasureLimits,
) {
  const set = createMeasureSet(limits);
  const tracked = set.track({ ...rule, key: '' });
  return { add: set.add, values: tracked.values, metrics: set.metrics };
}
