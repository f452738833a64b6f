// The socket.io event contract. The server is Server<ClientToServerEvents, ServerToClientEvents>,
// the client Socket<ServerToClientEvents, ClientToServerEvents>. Event names appear only here.
import type { LogsetInfo, TopicInfo } from './catalog.ts';
import type { Encoded } from './encoded.ts';
import type { ErrorBody, Reply } from './reply.ts';
import type { FlowRecord } from './record.ts';

export interface Totals {
  bytes: number;
  packets: number;
  records: number;
}

export interface ProtocolTotals extends Totals {
  protocol: number;
}

/** A quintuple's traffic in one window; exact values (see server/window/top.ts). */
export interface TopQuintuple {
  srcaddr: string;
  srcport: number;
  dstaddr: string;
  dstport: number;
  protocol: number;
  bytes: number;
  packets: number;
  records: number;
  /** Part of `bytes` that was REJECTed. */
  rejectBytes: number;
  rejectPackets: number;
}

/** CCN: traffic from one region to another in one window. */
export interface RegionPairTotals {
  src: string;
  dst: string;
  acceptBytes: number;
  acceptPackets: number;
  rejectBytes: number;
  rejectPackets: number;
  records: number;
}

/** Records per log-status of one log stream in one window. */
export interface StreamStatus {
  streamId: string;
  ok: number;
  nodata: number;
  skipdata: number;
}

/**
 * The full aggregate of one topic's capture window at one revision. A later revision replaces an
 * earlier one (it is never added to it): clients keep, per (topicId, windowStart), the highest revision.
 */
export interface WindowAggregate {
  topicId: string;
  /** Window start, epoch milliseconds, a multiple of windowMs. */
  windowStart: number;
  /** Window length, ms: the topic's capture window (shared/capture-window.ts). */
  windowMs: number;
  /** 1 for the first publication, +1 for each later one (late records). */
  revision: number;
  /** Server time (epoch ms) this revision was published. */
  publishedAt: number;
  accept: Totals;
  reject: Totals;
  byProtocol: ProtocolTotals[];
  /** Top quintuples by bytes, largest first. */
  top: TopQuintuple[];
  /** Traffic of the quintuples not in `top`. */
  topOther: Totals;
  /** True when the window had more distinct quintuples than the tracker holds (see `topOther`). */
  topTruncated: boolean;
  /** CCN topics: per (source region, destination region). Empty for other topics. */
  regionPairs: RegionPairTotals[];
  streams: StreamStatus[];
}

/** What the overview (`/`) shows of a topic: a sparkline and its live status. */
export interface TopicPulse {
  topicId: string;
  /** The topic's window length, ms. */
  windowMs: number;
  /** Newest published window start (epoch ms), or null before any. */
  lastWindowStart: number | null;
  /** Server time of the newest publication (epoch ms), or null. */
  lastPublishedAt: number | null;
  /** Bytes per window over the last 60 minutes, oldest first, [windowStart, bytes]. */
  spark: Array<[number, number]>;
  /** REJECTed share of bytes over the last 60 minutes, 0..1. */
  rejectShare: number;
  records: number;
}

/** The catalog changed (a topic or flow log was created, changed or deleted): every socket gets it. */
export interface CatalogUpdate {
  logsets: LogsetInfo[];
  /** Increases with every change; a client keeps the highest it saw. */
  version: number;
}

export interface Overview {
  logsets: LogsetInfo[];
  catalogVersion: number;
  pulses: TopicPulse[];
  serverTime: number;
}

export interface TopicSnapshot {
  topic: TopicInfo;
  /** The last 60 minutes of windows, oldest first (a resume: only those published since). */
  windows: WindowAggregate[];
  serverTime: number;
  /** This server process: a resume is answered as one only by the process that gave `since`. */
  instance: string;
  /** True when `windows` holds only what was published after the request's `since`. */
  resumed?: boolean;
}

export interface TopicSubscribe {
  topicId: string;
  /**
   * A reconnect: the newest publishedAt the client holds for the topic, and the server instance
   * it came from. The same instance answers with only the windows published after it.
   */
  since?: { publishedAt: number; instance: string };
}

/** A live tail: raw records of a topic matching a query, as they are committed. */
export interface TailSubscribe {
  topicId: string;
  /** The dashboard's query ('' for every record). */
  q: string;
}

/** A record of the live tail: the parsed record, its stream and capture window. */
export interface TailRecord extends FlowRecord {
  topicId: string;
  streamId: string;
  windowStart: number;
}

export interface TailSubscribed {
  topicId: string;
  q: string;
  /** Batches come about this often. */
  flushEveryMs: number;
  /** At most this many records per batch; the rest are counted in `skipped`. */
  maxPerFlush: number;
  /** The room's batch sequence number so far: the next batch is seq + 1. */
  seq: number;
}

export interface TailBatch {
  topicId: string;
  q: string;
  /** Increases by one per batch of this (topic, query): a gap means batches were missed. */
  seq: number;
  /** The newest matching records since the last batch, oldest first. */
  records: TailRecord[];
  /** Records that matched since the last batch (records.length + skipped). */
  matched: number;
  /** Matching records not sent (more than a batch holds): counted, not silently dropped. */
  skipped: number;
  /** Server time of the batch. */
  at: number;
}

export interface ServerToClientEvents {
  /** Tail subscribers: records of the tailed topic and query. */
  'tail:records': (batch: TailBatch) => void;
  /** A window of a subscribed topic was published (first time or a new revision). */
  'window:published': (update: WindowAggregate) => void;
  /** Overview subscribers: a topic's pulse changed. */
  'pulse:updated': (pulse: TopicPulse) => void;
  /** The server closes this connection, and why (`too_slow`: it stopped reading its answers). */
  'server:notice': (notice: ErrorBody) => void;
  /** Every socket: the catalog changed. */
  'catalog:updated': (update: CatalogUpdate) => void;
  /** Every socket: an alert fired, moved, resolved or was acknowledged, or a silence changed. */
  'alerts:changed': (change: { version: number }) => void;
}

export interface ClientToServerEvents {
  /** Answered with the topic's snapshot, encoded once and shared by every socket asking for it. */
  'topic:subscribe': (
    req: TopicSubscribe,
    ack: (reply: Reply<Encoded<TopicSnapshot>>) => void,
  ) => void;
  'topic:unsubscribe': (req: TopicSubscribe) => void;
  'overview:subscribe': (ack: (reply: Reply<Encoded<Overview>>) => void) => void;
  'overview:unsubscribe': () => void;
  /** Follows a topic's records matching a query (replacing this socket's tail of the topic). */
  'tail:subscribe': (req: TailSubscribe, ack: (reply: Reply<TailSubscribed>) => void) => void;
  'tail:unsubscribe': (req: { topicId: string }) => void;
}
