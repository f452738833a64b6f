// socket.io at the edge: one room per topic plus an overview room. Subscribers get a snapshot of
// the last 60 minutes, then every window revision. A client whose transport backs up is moved out
// of the broadcast and gets its pending windows (coalesced per window, bounded) when it drains,
// so a slow client never holds back the others.
//
// The work one socket can cause is bounded: subscribes are rate-limited per socket (a token bucket),
// a snapshot is encoded once per topic and revision and shared by every socket that asks (socket.io
// sends it as a binary attachment by reference), and the bytes queued for one socket, acks
// included, are bounded: past the bound the socket is told why and its connection is closed.
import type { Server, Socket } from 'socket.io';
import { z } from 'zod';
import type { TopicInfo } from '../../shared/catalog.ts';
import type {
  ClientToServerEvents,
  Overview,
  ServerToClientEvents,
  TopicPulse,
  TopicSnapshot,
  WindowAggregate,
} from '../../shared/events.ts';
import { encodeJson, type Encoded } from '../../shared/encoded.ts';
import { fail, ok, type Reply } from '../../shared/reply.ts';
import type { Catalog } from '../catalog/catalog.ts';
import type { Clock } from '../clock.ts';
import type { Tail } from './tail.ts';

export type FlowServer = Server<ClientToServerEvents, ServerToClientEvents>;
type FlowSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

export interface StreamerConfig {
  /** Minutes of windows in a snapshot. */
  snapshotMinutes: number;
  /** Packets waiting in a socket's transport before it counts as slow. */
  slowAfterPackets: number;
  /** Windows held for one slow socket; beyond it the oldest are dropped (and counted). */
  maxPendingPerSocket: number;
  /** Topics one socket may follow at once. */
  maxTopicsPerSocket: number;
  /** Overview pulses of one topic are sent at most this often (ms). */
  pulseEveryMs: number;
  /** Subscribes (topic or overview) one socket may send at once, then `subscribesPerSecond`. */
  subscribeBurst: number;
  subscribesPerSecond: number;
  /** Bytes queued for one socket (acks and windows not yet written) before it is disconnected. */
  maxQueuedBytesPerSocket: number;
  /** A built snapshot is reused for this long of server-clock time if nothing was published. */
  snapshotReuseMs: number;
}

export const defaultStreamerConfig: StreamerConfig = {
  snapshotMinutes: 60,
  slowAfterPackets: 64,
  maxPendingPerSocket: 512,
  maxTopicsPerSocket: 16,
  pulseEveryMs: 1000,
  subscribeBurst: 40,
  subscribesPerSecond: 4,
  maxQueuedBytesPerSocket: 64 * 1024 * 1024,
  snapshotReuseMs: 60_000,
};

/** What the streamer reads: published windows of a topic in [from, to). */
export interface WindowSource {
  windows(topicId: string, fromMs: number, toMs: number): WindowAggregate[];
}

const topicRoom = (id: string) => `topic:${id}`;
const OVERVIEW_ROOM = 'overview';
const SLOW_ROOM = 'slow';

const subscribeSchema = z
  .object({
    topicId: z.string().min(1).max(200),
    since: z
      .object({ publishedAt: z.number().int().nonnegative(), instance: z.string().max(64) })
      .strict()
      .optional(),
  })
  .strict();

/** This process: resumes are honoured only by the instance that published what the client holds. */
const INSTANCE = `${process.pid.toString(36)}-${Date.now().toString(36)}`;

/** A snapshot encoded once, reused while its topic (or the overview) has not changed. */
interface Built {
  version: number;
  builtAt: number;
  json: Uint8Array;
}

/** Per-socket subscribe allowance (real time: a speeded-up simulator does not loosen it). */
interface Bucket {
  tokens: number;
  at: number;
}

interface SlowState {
  pending: Map<string, WindowAggregate>;
  onDrain: () => void;
}

export function createStreamer(
  config: StreamerConfig,
  deps: {
    io: FlowServer;
    catalog: Catalog;
    windows: WindowSource;
    clock: Clock;
    warn?: (msg: string) => void;
    /** The live tail's socket events, under the same subscribe allowance. */
    tail?: Pick<Tail, 'attach'>;
    /**
     * Several processes share the rooms (through the Redis adapter): a publish is broadcast even
     * when no socket of this process follows the topic, and resumes are honoured by any process
     * of the cluster `instance` names.
     */
    cluster?: { instance: string };
  },
) {
  const { io, catalog, clock } = deps;
  const instance = deps.cluster?.instance ?? INSTANCE;
  const clustered = deps.cluster !== undefined;
  const buckets = new Map<string, Bucket>();
  const dropping = new Set<string>();
  const built = new Map<string, Built>();
  const versions = new Map<string, number>();
  let overviewVersion = 0;
  const slow = new Map<string, SlowState>();
  const pulseTimers = new Map<string, ReturnType<typeof setTimeout>>();
  const metrics = {
    published: 0,
    slowMarked: 0,
    pendingDropped: 0,
    badRequests: 0,
    connections: 0,
    subscribesLimited: 0,
    snapshotsBuilt: 0,
    snapshotsShared: 0,
    droppedTooSlow: 0,
    resumes: 0,
    resumedWindows: 0,
  };

  function snapshotRange(): [number, number] {
    const now = clock.now();
    return [now - config.snapshotMinutes * 60_000, now + 60_000 * 10];
  }

  function pulse(topic: TopicInfo): TopicPulse {
    const [from, to] = snapshotRange();
    const ws = deps.windows.windows(topic.id, from, to);
    let bytes = 0;
    let rejectBytes = 0;
    let records = 0;
    const spark: Array<[number, number]> = [];
    for (const w of ws) {
      const b = w.accept.bytes + w.reject.bytes;
      bytes += b;
      rejectBytes += w.reject.bytes;
      records += w.accept.records + w.reject.records;
      spark.push([w.windowStart, b]);
    }
    const last = ws.at(-1);
    return {
      topicId: topic.id,
      windowMs: topic.windowSec * 1000,
      lastWindowStart: last?.windowStart ?? null,
      lastPublishedAt: ws.reduce<number | null>((a, w) => Math.max(a ?? 0, w.publishedAt), null),
      spark,
      rejectShare: bytes > 0 ? rejectBytes / bytes : 0,
      records,
    };
  }

  function overview(): Overview {
    return {
      logsets: catalog.logsets,
      catalogVersion: catalog.version,
      pulses: catalog.topics().map(pulse),
      serverTime: clock.now(),
    };
  }

  function snapshot(topic: TopicInfo): TopicSnapshot {
    const [from, to] = snapshotRange();
    return {
      topic,
      windows: deps.windows.windows(topic.id, from, to),
      serverTime: clock.now(),
      instance,
    };
  }

  /** The encoded snapshot under `key`, rebuilt when `version` moved or it is older than the reuse time. */
  function encoded<T extends { serverTime: number }>(
    key: string,
    version: number,
    build: () => T,
  ): Encoded<T> {
    const now = clock.now();
    let b = built.get(key);
    if (b && b.version === version && now - b.builtAt < config.snapshotReuseMs) {
      metrics.snapshotsShared++;
    } else {
      b = { version, builtAt: now, json: encodeJson(build()) };
      built.set(key, b);
      metrics.snapshotsBuilt++;
    }
    return { json: b.json, serverTime: now };
  }

  function bufferedPackets(socket: FlowSocket): number {
    return (socket.conn as unknown as { writeBuffer?: unknown[] }).writeBuffer?.length ?? 0;
  }

  /** Bytes waiting for this socket: packets not yet handed to the transport, and the transport's own. */
  function queuedBytes(socket: FlowSocket): number {
    const conn = socket.conn as unknown as {
      writeBuffer?: Array<{ data?: unknown }>;
      transport?: { socket?: { bufferedAmount?: number } };
    };
    let n = conn.transport?.socket?.bufferedAmount ?? 0;
    for (const p of conn.writeBuffer ?? []) {
      const d = p.data;
      if (typeof d === 'string') n += d.length;
      else if (d instanceof Uint8Array || d instanceof ArrayBuffer) n += d.byteLength;
    }
    return n;
  }

  /** Closes a socket whose queue passed its bound; true when it was (or is being) closed. */
  function overQueued(socket: FlowSocket): boolean {
    if (dropping.has(socket.id)) return true;
    const queued = queuedBytes(socket);
    if (queued <= config.maxQueuedBytesPerSocket) return false;
    dropping.add(socket.id);
    metrics.droppedTooSlow++;
    const mib = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;
    const message = `this connection stopped reading: ${mib(queued)} were waiting for it, more than the ${mib(config.maxQueuedBytesPerSocket)} allowed; it is closed, reconnect and read your answers`;
    deps.warn?.(`socket ${socket.id} (${socket.handshake.address}) closed: ${message}`);
    socket.emit('server:notice', { code: 'too_slow', message });
    // A client that does not read never drains, so the close cannot wait for it: the transport is
    // torn down, which releases everything queued for it.
    const transport = (
      socket.conn as unknown as { transport?: { socket?: { terminate?: () => void } } }
    ).transport;
    if (typeof transport?.socket?.terminate === 'function') transport.socket.terminate();
    else socket.conn.close(true);
    return true;
  }

  /** Takes one subscribe from the socket's allowance; the wait in ms when there is none. */
  function allowance(socket: FlowSocket): number {
    const now = Date.now();
    const b = buckets.get(socket.id) ?? { tokens: config.subscribeBurst, at: now };
    b.tokens = Math.min(
      config.subscribeBurst,
      b.tokens + ((now - b.at) / 1000) * config.subscribesPerSecond,
    );
    b.at = now;
    buckets.set(socket.id, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - b.tokens) / config.subscribesPerSecond) * 1000);
  }

  function markSlow(socket: FlowSocket): SlowState {
    let state = slow.get(socket.id);
    if (state) return state;
    const onDrain = () => flushSlow(socket);
    state = { pending: new Map(), onDrain };
    slow.set(socket.id, state);
    void socket.join(SLOW_ROOM);
    socket.conn.on('drain', onDrain);
    metrics.slowMarked++;
    return state;
  }

  function queue(state: SlowState, agg: WindowAggregate) {
    const key = `${agg.topicId}@${agg.windowStart}`;
    const prev = state.pending.get(key);
    if (prev && prev.revision >= agg.revision) return;
    state.pending.delete(key);
    state.pending.set(key, agg);
    if (state.pending.size > config.maxPendingPerSocket) {
      // The oldest pending window goes; the client still holds an earlier revision of it.
      let oldest: string | undefined;
      let oldestStart = Infinity;
      for (const [k, v] of state.pending)
        if (v.windowStart < oldestStart) [oldest, oldestStart] = [k, v.windowStart];
      if (oldest !== undefined) state.pending.delete(oldest);
      metrics.pendingDropped++;
    }
  }

  function flushSlow(socket: FlowSocket) {
    const state = slow.get(socket.id);
    if (!state) return;
    for (const [key, agg] of state.pending) {
      if (bufferedPackets(socket) >= config.slowAfterPackets) return; // wait for the next drain
      state.pending.delete(key);
      if (socket.rooms.has(topicRoom(agg.topicId))) socket.emit('window:published', agg);
    }
    if (bufferedPackets(socket) < config.slowAfterPackets) unmarkSlow(socket);
  }

  function unmarkSlow(socket: FlowSocket) {
    const state = slow.get(socket.id);
    if (!state) return;
    socket.conn.off('drain', state.onDrain);
    slow.delete(socket.id);
    void socket.leave(SLOW_ROOM);
  }

  /** A revision of a topic was published (here or by a collector): its snapshots are out of date. */
  function note(agg: WindowAggregate) {
    versions.set(agg.topicId, (versions.get(agg.topicId) ?? 0) + 1);
    overviewVersion++;
  }

  /** Sends a published window to its topic's subscribers; called by the aggregator's onWindow. */
  function publish(agg: WindowAggregate) {
    metrics.published++;
    note(agg);
    const room = topicRoom(agg.topicId);
    const members = io.sockets.adapter.rooms.get(room);
    if (members) {
      for (const id of members) {
        const socket = io.sockets.sockets.get(id);
        if (!socket) continue;
        if (overQueued(socket)) continue;
        const state = slow.get(id);
        if (state) queue(state, agg);
        else if (bufferedPackets(socket) >= config.slowAfterPackets) queue(markSlow(socket), agg);
      }
    }
    // Clustered, the room's members are on the front ends: the adapter carries it to them.
    if (members || clustered) io.to(room).except(SLOW_ROOM).emit('window:published', agg);
    schedulePulse(agg.topicId);
  }

  function schedulePulse(topicId: string) {
    if (pulseTimers.has(topicId)) return;
    pulseTimers.set(
      topicId,
      setTimeout(() => {
        pulseTimers.delete(topicId);
        const topic = catalog.topic(topicId);
        if (topic && (clustered || (io.sockets.adapter.rooms.get(OVERVIEW_ROOM)?.size ?? 0) > 0))
          io.to(OVERVIEW_ROOM).except(SLOW_ROOM).emit('pulse:updated', pulse(topic));
      }, config.pulseEveryMs),
    );
  }

  function badRequest<T>(message: string): Reply<T> {
    metrics.badRequests++;
    return fail('bad_request', message);
  }

  function onConnection(socket: FlowSocket) {
    metrics.connections++;
    // An ack that is not a function is a malformed call: there is nobody to answer.
    const reply = <T>(ack: unknown, r: Reply<T>) => {
      if (typeof ack !== 'function' || dropping.has(socket.id)) return;
      (ack as (r: Reply<T>) => void)(r);
      overQueued(socket);
    };
    /** Null when the socket may subscribe now; else the refusal. */
    const limited = (): Reply<never> | null => {
      if (dropping.has(socket.id)) return fail('too_slow', 'this connection is being closed');
      const wait = allowance(socket);
      if (wait === 0) return null;
      metrics.subscribesLimited++;
      const r = fail(
        'rate_limited',
        `too many subscribes on this connection (at most ${config.subscribeBurst} at once, then ${config.subscribesPerSecond} a second); retry in ${wait} ms`,
      );
      if (!r.ok) r.error.details = { retryAfterMs: wait };
      return r;
    };

    socket.on('topic:subscribe', (req, ack) => {
      const refused = limited();
      if (refused) return reply(ack, refused);
      const parsed = subscribeSchema.safeParse(req);
      if (!parsed.success)
        return reply(ack, badRequest('topic:subscribe takes { topicId: string }'));
      const topic = catalog.topic(parsed.data.topicId);
      if (!topic)
        return reply(ack, fail('not_found', `no topic ${JSON.stringify(parsed.data.topicId)}`));
      const followed = [...socket.rooms].filter((r) => r.startsWith('topic:')).length;
      if (!socket.rooms.has(topicRoom(topic.id)) && followed >= config.maxTopicsPerSocket)
        return reply(ack, badRequest(`at most ${config.maxTopicsPerSocket} topics per connection`));
      void socket.join(topicRoom(topic.id));
      const since = parsed.data.since;
      if (since && since.instance === instance) {
        // A reconnect to this process (or cluster): only what was published while it was away.
        const full = snapshot(topic);
        const windows = full.windows.filter((w) => w.publishedAt > since.publishedAt);
        metrics.resumes++;
        metrics.resumedWindows += windows.length;
        return reply(
          ack,
          ok({
            json: encodeJson({ ...full, windows, resumed: true }),
            serverTime: full.serverTime,
          }),
        );
      }
      const version = (versions.get(topic.id) ?? 0) * 1e6 + catalog.version;
      reply(ack, ok(encoded(`topic:${topic.id}`, version, () => snapshot(topic))));
    });

    socket.on('topic:unsubscribe', (req) => {
      const parsed = subscribeSchema.safeParse(req);
      if (!parsed.success) {
        metrics.badRequests++;
        return;
      }
      void socket.leave(topicRoom(parsed.data.topicId));
    });

    socket.on('overview:subscribe', (ack) => {
      const refused = limited();
      if (refused) return reply(ack, refused);
      void socket.join(OVERVIEW_ROOM);
      const version = overviewVersion * 1e6 + catalog.version;
      reply(ack, ok(encoded(OVERVIEW_ROOM, version, overview)));
    });

    socket.on('overview:unsubscribe', () => void socket.leave(OVERVIEW_ROOM));

    deps.tail?.attach(socket, { limited, reply });

    socket.on('disconnect', () => {
      unmarkSlow(socket);
      buckets.delete(socket.id);
      dropping.delete(socket.id);
    });
  }

  // Windows a collector broadcasts reach this process's sockets through the adapter, not through
  // publish(): their queues are checked here, so a socket that stops reading is still closed at
  // its bound.
  let sweep: ReturnType<typeof setInterval> | null = null;

  return {
    start() {
      io.on('connection', onConnection);
      if (clustered && !sweep)
        sweep = setInterval(() => {
          for (const socket of io.sockets.sockets.values()) overQueued(socket);
        }, 1_000);
    },
    stop() {
      io.off('connection', onConnection);
      if (sweep) clearInterval(sweep);
      sweep = null;
      for (const t of pulseTimers.values()) clearTimeout(t);
      pulseTimers.clear();
    },
    publish,
    note,
    overview,
    /**
     * Tells this process's sockets that the catalog changed (new, renamed or deleted topics and
     * flow logs). Clustered, every process hears of the change and tells its own.
     */
    catalogChanged() {
      built.clear();
      io.local.emit('catalog:updated', { logsets: catalog.logsets, version: catalog.version });
    },
    metrics: () => ({
      ...metrics,
      clients: io.engine.clientsCount,
      slowClients: slow.size,
      snapshotBytes: [...built.values()].reduce((n, b) => n + b.json.byteLength, 0),
    }),
  };
}

export type Streamer = ReturnType<typeof createStreamer>;
