// The one ingest path every source takes (the simulator, files, HTTP push): lines -> parser ->
// collection-type filter -> placement checks -> one store transaction (records, rejected lines,
// source offsets) -> after the commit, the capture-window aggregator. So a record is counted on a
// dashboard if and only if it is stored, and every line is accounted for:
// accepted + filtered + rejected = lines, for each batch and in the counters.
//
// - accepted: a record stored (NODATA and SKIPDATA included);
// - filtered: a line read correctly and not stored as a record: the flow log's collection type
//   excludes it, its flow log is disabled, or it is a header line or a blank line;
// - rejected: a line that is not a record we can store (parse error, or one that cannot be placed
//   in a capture window); it is kept in the quarantine table with its line number and reason.
//
// ingest() never blocks: when the store has no room it returns null and nothing happened (the
// source waits and tries again: back-pressure). The returned promise resolves after the commit.
import { windowStartOf } from '../../shared/capture-window.ts';
import { createLineParser, type LineParser, type LogFormat } from '../../shared/parse/index.ts';
import { streamIdOf, type FlowRecord } from '../../shared/record.ts';
import type { Catalog } from '../catalog/catalog.ts';
import type { Clock } from '../clock.ts';
import type { Store } from '../store/store.ts';
import {
  QUARANTINE_RAW_MAX,
  type QuarantineRow,
  type SourceOffset,
  type StreamRecords,
} from '../store/types.ts';

/** Where accepted records go after their commit: the window aggregator. */
export interface RecordSink {
  /** Committed records of one stream. */
  add(topicId: string, streamId: string, records: readonly FlowRecord[]): void;
}

export interface IngestConfig {
  /** How many recent rejected lines are kept in memory for /api/ingest/errors. */
  keepErrors: number;
  /** At most one warning per this many ms; the rest are counted. */
  warnEveryMs: number;
  /** At most this many origins keep a parser (header state); the oldest is dropped. */
  maxOrigins: number;
  /** Records starting more than this ahead of the clock are rejected ('future'). ms. */
  futureToleranceMs: number;
  /** Errors listed in one outcome (counts stay exact). */
  maxOutcomeErrors: number;
}

export const defaultIngestConfig: IngestConfig = {
  keepErrors: 200,
  warnEveryMs: 10_000,
  maxOrigins: 4096,
  futureToleranceMs: 10 * 60_000,
  maxOutcomeErrors: 100,
};

/** One item of a batch: a text line, a line in a format of its own (JSON field objects), or an error. */
export type LineItem =
  | string
  | { line: string; format: LogFormat }
  | { error: { code: string; reason: string }; raw: string; rawLength?: number };

export interface LineBatch {
  topicId: string;
  /** The kind of source: `push`, `file`, `simulator`. */
  source: string;
  /** Lines of one origin share a parser (header lines carry on): a request, a file's identity. */
  origin: string;
  /** What people see as the origin (the file's path); default `origin`. */
  label?: string;
  /** The log stream the lines were written for, when the source knows it (the simulator). */
  streamId?: string;
  lines: readonly LineItem[];
  /** Raw text of items that are not the text parsed (JSON items): what a rejected item quarantines. */
  raw?: readonly string[];
  /** Where the source stands after these lines; committed with their records. */
  offsets?: (after: OriginState) => SourceOffset[];
  /** The source waits for the commit (a push, a file chunk): it is sent at once. */
  urgent?: boolean;
}

/** What a source needs to resume an origin: its line count and the format its headers set. */
export interface OriginState {
  lineNo: number;
  /** Field names of the last header line, or null. */
  header: readonly string[] | null;
}

export type FilterReason = 'collection-type' | 'disabled' | 'header' | 'blank';

export interface LineError {
  /** 1-based line number in the origin. */
  line: number;
  code: string;
  error: string;
}

export interface IngestOutcome {
  lines: number;
  accepted: number;
  filtered: number;
  rejected: number;
  filteredBy: Partial<Record<FilterReason, number>>;
  rejectedBy: Record<string, number>;
  /** The first maxOutcomeErrors rejected lines. */
  errors: LineError[];
}

/** Counters per source kind: lines by result and reason. */
export interface SourceCounters {
  lines: number;
  accepted: number;
  filtered: Partial<Record<FilterReason, number>>;
  rejected: Record<string, number>;
}

export interface RejectedLine extends LineError {
  source: string;
  origin: string;
  topicId: string;
  excerpt: string;
  at: number;
}

export interface IngestDeps {
  catalog: Catalog;
  store: Pick<Store, 'write' | 'hasRoom'>;
  sink: RecordSink;
  clock: Clock;
  /** Raw-record retention of a topic, ms: older records are rejected, not stored and deleted. */
  rawRetentionMs: (topicId: string) => number;
  warn?: (msg: string) => void;
  /** Told of every committed batch (metrics, ingest health), with the streams it wrote to. */
  onCommitted?: (
    batch: LineBatch,
    outcome: IngestOutcome,
    streams: Array<{ streamId: string; newestWindow: number }>,
  ) => void;
}

const cut = (s: string, max: number) => (s.length > max ? s.slice(0, max) : s);

export function createIngest(config: IngestConfig, deps: IngestDeps) {
  const origins = new Map<string, { parser: LineParser; lineNo: number }>();
  const fixedParsers = new Map<LogFormat, LineParser>();
  const recent: RejectedLine[] = [];
  const counters = new Map<string, SourceCounters>();
  const warn = deps.warn ?? ((msg: string) => console.warn(msg));
  let lastWarn = -Infinity;
  let suppressed = 0;
  let pending = 0;
  let idleWaiters: Array<() => void> = [];
  const m = { batches: 0, refused: 0, failed: 0, unknownTopic: 0 };

  function originOf(origin: string) {
    let o = origins.get(origin);
    if (!o) {
      if (origins.size >= config.maxOrigins) origins.delete(origins.keys().next().value as string);
      o = { parser: createLineParser('auto'), lineNo: 0 };
      origins.set(origin, o);
    }
    return o;
  }

  /** The parser of a JSON item's own format (bounded: formats are few). */
  function fixedParser(format: LogFormat): LineParser {
    let p = fixedParsers.get(format);
    if (!p) {
      if (fixedParsers.size >= 64) fixedParsers.clear();
      p = createLineParser(format);
      fixedParsers.set(format, p);
    }
    return p;
  }

  function countersOf(source: string): SourceCounters {
    let c = counters.get(source);
    if (!c) counters.set(source, (c = { lines: 0, accepted: 0, filtered: {}, rejected: {} }));
    return c;
  }

  function warnRejected(batch: LineBatch, e: LineError) {
    const now = deps.clock.now();
    if (now - lastWarn >= config.warnEveryMs) {
      const more = suppressed > 0 ? ` (+${suppressed} more since the last warning)` : '';
      warn(`ingest: ${batch.label ?? batch.origin} line ${e.line}: ${e.error}${more}`);
      lastWarn = now;
      suppressed = 0;
    } else suppressed++;
  }

  function settle() {
    pending--;
    if (pending === 0) {
      const w = idleWaiters;
      idleWaiters = [];
      for (const f of w) f();
    }
  }

  /**
   * Parses, filters and checks a batch, then writes it as one unit. Null when the store has no
   * room: nothing was parsed or written (try again later). The promise resolves after the commit
   * and the aggregation, and rejects when the store could not commit (nothing was stored).
   */
  function ingest(batch: LineBatch): Promise<IngestOutcome> | null {
    // Records are at most one per line, and a rejected line is one quarantine row.
    if (!deps.store.hasRoom(batch.lines.length)) {
      m.refused++;
      return null;
    }
    const topic = deps.catalog.topic(batch.topicId);
    const o = originOf(batch.origin);
    const now = deps.clock.now();
    const windowMs = topic ? topic.windowSec * 1000 : 0;
    const latestStart = (now + config.futureToleranceMs) / 1000;
    const oldestStart = topic ? (now - deps.rawRetentionMs(topic.id)) / 1000 : 0;

    const out: IngestOutcome = {
      lines: batch.lines.length,
      accepted: 0,
      filtered: 0,
      rejected: 0,
      filteredBy: {},
      rejectedBy: {},
      errors: [],
    };
    const byStream = new Map<string, FlowRecord[]>();
    const quarantine: QuarantineRow[] = [];
    const filter = (reason: FilterReason) => {
      out.filtered++;
      out.filteredBy[reason] = (out.filteredBy[reason] ?? 0) + 1;
    };
    const label = batch.label ?? batch.origin;
    const reject = (
      i: number,
      lineNo: number,
      code: string,
      message: string,
      text: string,
      length = text.length,
    ) => {
      out.rejected++;
      out.rejectedBy[code] = (out.rejectedBy[code] ?? 0) + 1;
      const e: LineError = { line: lineNo, code, error: message };
      if (out.errors.length < config.maxOutcomeErrors) out.errors.push(e);
      const raw = batch.raw?.[i] ?? text;
      quarantine.push({
        topicId: batch.topicId,
        source: batch.source,
        origin: label,
        line: lineNo,
        reason: code,
        message,
        raw: cut(raw, QUARANTINE_RAW_MAX),
        rawLength: batch.raw?.[i] !== undefined ? raw.length : length,
        at: now,
      });
      recent.push({
        ...e,
        source: batch.source,
        origin: label,
        topicId: batch.topicId,
        excerpt: cut(raw, 200),
        at: now,
      });
      if (recent.length > config.keepErrors) recent.shift();
      warnRejected(batch, e);
    };

    for (let i = 0; i < batch.lines.length; i++) {
      const item = batch.lines[i]!;
      const lineNo = ++o.lineNo;
      if (typeof item !== 'string' && 'error' in item) {
        reject(i, lineNo, item.error.code, item.error.reason, item.raw, item.rawLength);
        continue;
      }
      const text = typeof item === 'string' ? item : item.line;
      if (!topic) {
        reject(i, lineNo, 'unknown-topic', `no topic ${JSON.stringify(batch.topicId)}`, text);
        continue;
      }
      const r =
        typeof item === 'string'
          ? o.parser.parse(text, lineNo)
          : fixedParser(item.format).parse(text, lineNo);
      if (r.kind === 'error') {
        reject(i, lineNo, r.error.code, r.error.reason, text);
        continue;
      }
      if (r.kind === 'header') {
        filter('header');
        continue;
      }
      if (r.kind === 'blank') {
        filter('blank');
        continue;
      }
      const rec = r.record;
      const streamId = streamIdOf(rec);
      const why = deps.catalog.filterReason(batch.topicId, streamId, rec);
      if (why !== null) {
        filter(why);
        continue;
      }
      // Placement: a stored record must be counted in exactly one window the dashboards show.
      if (rec.start === null) {
        reject(
          i,
          lineNo,
          'no-start',
          'no start time: the record cannot be placed in a capture window',
          text,
        );
        continue;
      }
      if ((rec.logStatus === null || rec.logStatus === 'OK') && rec.action === null) {
        reject(i, lineNo, 'no-action', 'an OK record without an action (ACCEPT or REJECT)', text);
        continue;
      }
      if (rec.start > latestStart) {
        const ahead = Math.round((rec.start * 1000 - now) / 60_000);
        reject(
          i,
          lineNo,
          'future',
          `start ${rec.start} is ${ahead} min ahead of the server clock (more than ${config.futureToleranceMs / 60_000} min)`,
          text,
        );
        continue;
      }
      if (rec.start < oldestStart) {
        reject(
          i,
          lineNo,
          'too-old',
          `start ${rec.start} is older than the topic keeps raw records (${Math.round(deps.rawRetentionMs(topic.id) / 86_400_000)} days)`,
          text,
        );
        continue;
      }
      let list = byStream.get(streamId);
      if (!list) byStream.set(streamId, (list = []));
      list.push(rec);
      out.accepted++;
    }

    const streams: StreamRecords[] = [];
    for (const [streamId, records] of byStream)
      streams.push({ topicId: batch.topicId, streamId, windowMs, records });
    const header = o.parser.format?.fields ?? null;
    const offsets = batch.offsets?.({ lineNo: o.lineNo, header }) ?? [];
    const written = deps.store.write({ streams, quarantine, offsets, urgent: batch.urgent });
    if (written === null) {
      // hasRoom said yes a moment ago, on this same turn: only a closed or broken store says no.
      return Promise.reject(new Error('the store refused the write'));
    }
    pending++;
    return written.then(
      (ack) => {
        settle();
        // The store refuses a row only for a value its column cannot hold (never expected).
        const refused = new Set(ack.rejected.map(([s, k]) => `${s}:${k}`));
        for (const [, , reason] of ack.rejected) {
          out.accepted--;
          out.rejected++;
          out.rejectedBy[reason] = (out.rejectedBy[reason] ?? 0) + 1;
        }
        streams.forEach((s, si) => {
          const records =
            refused.size === 0 ? s.records : s.records.filter((_, k) => !refused.has(`${si}:${k}`));
          if (records.length > 0) deps.sink.add(s.topicId, s.streamId, records);
        });
        const c = countersOf(batch.source);
        c.lines += out.lines;
        c.accepted += out.accepted;
        for (const [k, v] of Object.entries(out.filteredBy))
          c.filtered[k as FilterReason] = (c.filtered[k as FilterReason] ?? 0) + v;
        for (const [k, v] of Object.entries(out.rejectedBy))
          c.rejected[k] = (c.rejected[k] ?? 0) + v;
        m.batches++;
        deps.onCommitted?.(
          batch,
          out,
          streams.map((s) => {
            let newest = -Infinity;
            for (const r of s.records) if (r.start !== null && r.start > newest) newest = r.start;
            return { streamId: s.streamId, newestWindow: windowStartOf(newest, windowMs) };
          }),
        );
        return out;
      },
      (err: unknown) => {
        settle();
        m.failed++;
        throw err;
      },
    );
  }

  return {
    ingest,
    /** The parser state of an origin (its line count, its last header). */
    originState(origin: string): OriginState {
      const o = origins.get(origin);
      return { lineNo: o?.lineNo ?? 0, header: o?.parser.format?.fields ?? null };
    },
    /** Starts (or restarts) an origin at a known state: a file resumed after a restart. */
    restoreOrigin(origin: string, state: OriginState, initial?: LogFormat | null): void {
      origins.delete(origin);
      const o = originOf(origin);
      o.lineNo = state.lineNo;
      const fields = state.header ?? initial?.fields ?? null;
      if (fields) o.parser.parse(fields.join(' '), 0);
    },
    /** Forgets an origin (a request that is answered, a file that is done). */
    release(origin: string): void {
      origins.delete(origin);
    },
    /** Resolves when every batch handed over so far is committed (or failed) and aggregated. */
    idle(): Promise<void> {
      if (pending === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    recentErrors: (): readonly RejectedLine[] => recent.slice(),
    counters: (): Record<string, SourceCounters> =>
      Object.fromEntries([...counters].map(([k, c]) => [k, structuredClone(c)])),
    metrics: () => ({ ...m, pending, origins: origins.size }),
  };
}

export type Ingest = ReturnType<typeof createIngest>;
