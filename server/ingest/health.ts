// Ingest health per topic, for its panel: lines per minute by result over the last hour, and per
// log stream when its last record arrived, how late it was published, and whether it fell silent.
// In memory (it describes this server's intake), bounded: an hour of minutes per topic, and at
// most maxStreams streams per topic (the least recently seen are forgotten).
import {
  awaitingFirstRecords,
  firstRecordsExpectedAt,
  SERVICE_PUBLISH_DELAY_MS,
} from '../../shared/capture-window.ts';
import type { IngestMinute, StreamIngest } from '../../shared/api.ts';
import type { Catalog } from '../catalog/catalog.ts';
import type { Clock } from '../clock.ts';

const MINUTE = 60_000;
const MINUTES = 60;

interface StreamState {
  lastArrival: number;
  lastWindowStart: number | null;
  publishLagMs: number | null;
}

interface TopicState {
  minutes: Map<number, IngestMinute>;
  streams: Map<string, StreamState>;
}

export interface CommittedStream {
  streamId: string;
  /** Newest window start (epoch ms) among the stream's records of the batch. */
  newestWindow: number;
}

export function createIngestHealth(deps: { catalog: Catalog; clock: Clock; maxStreams?: number }) {
  const topics = new Map<string, TopicState>();
  const maxStreams = deps.maxStreams ?? 10_000;
  /** Counts are kept from here on (this server's start). */
  const startedAt = deps.clock.now();

  function topicOf(id: string): TopicState {
    let t = topics.get(id);
    if (!t) topics.set(id, (t = { minutes: new Map(), streams: new Map() }));
    return t;
  }

  return {
    /** A batch of `topicId` was committed: its counts, and the streams it wrote to. */
    committed(
      topicId: string,
      counts: { accepted: number; filtered: number; rejected: number },
      streams: readonly CommittedStream[],
    ): void {
      const now = deps.clock.now();
      const t = topicOf(topicId);
      const minute = Math.floor(now / MINUTE) * MINUTE;
      let m = t.minutes.get(minute);
      if (!m) {
        t.minutes.set(minute, (m = { t: minute, accepted: 0, filtered: 0, rejected: 0 }));
        for (const k of t.minutes.keys()) if (k <= minute - MINUTES * MINUTE) t.minutes.delete(k);
      }
      m.accepted += counts.accepted;
      m.filtered += counts.filtered;
      m.rejected += counts.rejected;
      const windowMs = deps.catalog.windowMs(topicId);
      for (const s of streams) {
        const prev = t.streams.get(s.streamId);
        t.streams.delete(s.streamId);
        if (t.streams.size >= maxStreams) t.streams.delete(t.streams.keys().next().value as string);
        const newest = Math.max(s.newestWindow, prev?.lastWindowStart ?? -Infinity);
        t.streams.set(s.streamId, {
          lastArrival: now,
          lastWindowStart: newest,
          publishLagMs: Math.max(0, now - (s.newestWindow + windowMs)),
        });
      }
    },

    /** Streams known from the store after a restart: their newest window, arrival unknown. */
    seed(topicId: string, streamId: string, windowStart: number): void {
      const t = topicOf(topicId);
      if (!t.streams.has(streamId))
        t.streams.set(streamId, {
          lastArrival: NaN,
          lastWindowStart: windowStart,
          publishLagMs: null,
        });
    },

    forget(topicId: string): void {
      topics.delete(topicId);
    },

    /**
     * The panel's view of a topic: minutes, and every stream (configured ones first). NODATA and
     * SKIPDATA counts come from `statusOf` (the aggregator's last hour).
     */
    view(
      topicId: string,
      statusOf: (streamId: string) => { nodata: number; skipdata: number },
    ): { minutes: IngestMinute[]; countedSince: number; streams: StreamIngest[] } {
      const now = deps.clock.now();
      const t = topics.get(topicId);
      const minute = Math.floor(now / MINUTE) * MINUTE;
      const minutes: IngestMinute[] = [];
      for (let k = minute - (MINUTES - 1) * MINUTE; k <= minute; k += MINUTE)
        minutes.push(t?.minutes.get(k) ?? { t: k, accepted: 0, filtered: 0, rejected: 0 });
      const topic = deps.catalog.topic(topicId);
      const windowMs = deps.catalog.windowMs(topicId);
      const row = (streamId: string): StreamIngest => {
        const fl = deps.catalog.flowLogOf(topicId, streamId);
        const s = t?.streams.get(streamId);
        const lastArrival = s && Number.isFinite(s.lastArrival) ? s.lastArrival : null;
        const lag = s?.publishLagMs ?? SERVICE_PUBLISH_DELAY_MS;
        const windowOf = fl ? fl.captureWindowSec * 1000 : windowMs;
        const lastSeen =
          lastArrival ?? (s?.lastWindowStart != null ? s.lastWindowStart + windowOf + lag : null);
        const expectedBy =
          fl && lastSeen === null
            ? firstRecordsExpectedAt(fl.createdAt, fl.captureWindowSec)
            : null;
        // Silent: no record for two capture windows plus the publication delay (batches arrive
        // about once a window, late by up to the delay), or none from a new flow log two windows
        // after its first records were due.
        const silent =
          (fl?.enabled ?? true) &&
          (lastSeen !== null
            ? now - lastSeen > 2 * windowOf + SERVICE_PUBLISH_DELAY_MS
            : fl !== undefined && !awaitingFirstRecords(fl.createdAt, fl.captureWindowSec, now));
        return {
          streamId,
          flowLogId: fl?.id ?? null,
          flowLogName: fl?.name ?? null,
          enabled: fl ? fl.enabled : null,
          lastArrival,
          lastWindowStart: s?.lastWindowStart ?? null,
          publishLagMs: s?.publishLagMs ?? null,
          ...statusOf(streamId),
          silent,
          expectedBy,
        };
      };
      const configured = topic?.streams.map((s) => s.id) ?? [];
      const others = [...(t?.streams.keys() ?? [])].filter((id) => !configured.includes(id)).sort();
      return {
        minutes,
        countedSince: Math.max(startedAt, minutes[0]!.t),
        streams: [...configured, ...others].map(row),
      };
    },
  };
}

export type IngestHealth = ReturnType<typeof createIngestHealth>;
