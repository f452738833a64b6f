// The ingest pipeline every source feeds: text lines -> parser -> collection-type filter ->
// capture-window aggregator. Bad lines are counted per reason and the latest ones kept with their
// source and line number; they never stop the batch.
import { createLineParser, type LineParser, type ParseError } from '../../shared/parse/index.ts';
import { streamIdOf, type FlowRecord } from '../../shared/record.ts';
import type { Catalog } from '../catalog/catalog.ts';
import type { Clock } from '../clock.ts';
import type { LineBatch } from './types.ts';

/** Where the pipeline hands accepted records: the window aggregator (and later the store). */
export interface RecordSink {
  add(topicId: string, streamId: string, records: readonly FlowRecord[]): unknown;
}

export interface IngestConfig {
  /** How many recent bad lines are kept for /api/ingest/errors. */
  keepErrors: number;
  /** At most one warning per this many ms; the rest are counted. */
  warnEveryMs: number;
  /** At most this many distinct sources keep a parser (header state); the oldest is dropped. */
  maxSources: number;
}

export const defaultIngestConfig: IngestConfig = {
  keepErrors: 200,
  warnEveryMs: 10_000,
  maxSources: 1024,
};

export interface RejectedLine extends ParseError {
  source: string;
  topicId: string;
  at: number;
}

export interface IngestResult {
  records: number;
  kept: number;
  filtered: number;
  errors: number;
}

export interface IngestMetrics {
  lines: number;
  records: number;
  /** Records dropped because the flow log's collection type excludes them. */
  filtered: number;
  unknownTopic: number;
  errors: Record<string, number>;
}

export function createIngest(
  config: IngestConfig,
  deps: { catalog: Catalog; sink: RecordSink; clock: Clock; warn?: (msg: string) => void },
) {
  const parsers = new Map<string, { parser: LineParser; lineNo: number }>();
  const recent: RejectedLine[] = [];
  const m: IngestMetrics = { lines: 0, records: 0, filtered: 0, unknownTopic: 0, errors: {} };
  const warn = deps.warn ?? ((msg: string) => console.warn(msg));
  let lastWarn = -Infinity;
  let suppressed = 0;

  function parserFor(source: string) {
    let p = parsers.get(source);
    if (!p) {
      if (parsers.size >= config.maxSources) parsers.delete(parsers.keys().next().value as string);
      p = { parser: createLineParser('auto'), lineNo: 0 };
      parsers.set(source, p);
    }
    return p;
  }

  function reject(source: string, topicId: string, error: ParseError) {
    m.errors[error.code] = (m.errors[error.code] ?? 0) + 1;
    const now = deps.clock.now();
    recent.push({ ...error, source, topicId, at: now });
    if (recent.length > config.keepErrors) recent.shift();
    if (now - lastWarn >= config.warnEveryMs) {
      const more = suppressed > 0 ? ` (+${suppressed} more since the last warning)` : '';
      warn(`ingest: ${source} line ${error.line}: ${error.reason}${more}`);
      lastWarn = now;
      suppressed = 0;
    } else suppressed++;
  }

  /** Parses and folds one batch; returns what happened to its lines. */
  function ingest(batch: LineBatch): IngestResult {
    const result: IngestResult = { records: 0, kept: 0, filtered: 0, errors: 0 };
    const topic = deps.catalog.topic(batch.topicId);
    if (!topic) {
      m.unknownTopic += batch.lines.length;
      return result;
    }
    const p = parserFor(batch.source);
    const byStream = new Map<string, FlowRecord[]>();
    for (const line of batch.lines) {
      p.lineNo++;
      m.lines++;
      const r = p.parser.parse(line, p.lineNo);
      if (r.kind === 'record') {
        result.records++;
        const streamId = streamIdOf(r.record);
        if (!deps.catalog.keeps(batch.topicId, streamId, r.record)) {
          result.filtered++;
          continue;
        }
        let list = byStream.get(streamId);
        if (!list) byStream.set(streamId, (list = []));
        list.push(r.record);
        result.kept++;
      } else if (r.kind === 'error') {
        result.errors++;
        reject(batch.source, batch.topicId, r.error);
      }
    }
    m.records += result.records;
    m.filtered += result.filtered;
    for (const [streamId, records] of byStream) deps.sink.add(batch.topicId, streamId, records);
    return result;
  }

  return {
    ingest,
    recentErrors: (): readonly RejectedLine[] => recent.slice(),
    metrics: (): IngestMetrics => ({ ...m, errors: { ...m.errors } }),
  };
}

export type Ingest = ReturnType<typeof createIngest>;
