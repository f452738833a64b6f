// socket.io at the edge: one room per topic plus an overview room. Subscribers get a snapshot of
// the last 60 minutes, then every window revision. A client whose transport backs up is moved out
// of the broadcast and gets its pending windows (coalesced per window, bounded) when it drains,
// so a slow client never holds back the others.
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
import { fail, ok, type Reply } from '../../shared/reply.ts';
import type { Catalog } from '../catalog/catalog.ts';
import type { Clock } from '../clock.ts';

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
}

export const defaultStreamerConfig: StreamerConfig = {
  snapshotMinutes: 60,
  slowAfterPackets: 64,
  maxPendingPerSocket: 512,
  maxTopicsPerSocket: 16,
  pulseEveryMs: 1000,
};

/** What the streamer reads: published windows of a topic in [from, to). */
export interface WindowSource {
  windows(topicId: string, fromMs: number, toMs: number): WindowAggregate[];
}

const topicRoom = (id: string) => `topic:${id}`;
const OVERVIEW_ROOM = 'overview';
const SLOW_ROOM = 'slow';

const subscribeSchema = z.object({ topicId: z.string().min(1).max(200) }).strict();

interface SlowState {
  pending: Map<string, WindowAggregate>;
  onDrain: () => void;
}

export function createStreamer(
  config: StreamerConfig,
  deps: { io: FlowServer; catalog: Catalog; windows: WindowSource; clock: Clock },
) {
  const { io, catalog, clock } = deps;
  const slow = new Map<string, SlowState>();
  const pulseTimers = new Map<string, ReturnType<typeof setTimeout>>();
  const metrics = {
    published: 0,
    slowMarked: 0,
    pendingDropped: 0,
    badRequests: 0,
    connections: 0,
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
    return { topic, windows: deps.windows.windows(topic.id, from, to), serverTime: clock.now() };
  }

  function bufferedPackets(socket: FlowSocket): number {
    return (socket.conn as unknown as { writeBuffer?: unknown[] }).writeBuffer?.length ?? 0;
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

  /** Sends a published window to its topic's subscribers; called by the aggregator's onWindow. */
  function publish(agg: WindowAggregate) {
    metrics.published++;
    const room = topicRoom(agg.topicId);
    const members = io.sockets.adapter.rooms.get(room);
    if (members) {
      for (const id of members) {
        const socket = io.sockets.sockets.get(id);
        if (!socket) continue;
        const state = slow.get(id);
        if (state) queue(state, agg);
        else if (bufferedPackets(socket) >= config.slowAfterPackets) queue(markSlow(socket), agg);
      }
      io.to(room).except(SLOW_ROOM).emit('window:published', agg);
    }
    schedulePulse(agg.topicId);
  }

  function schedulePulse(topicId: string) {
    if (pulseTimers.has(topicId)) return;
    pulseTimers.set(
      topicId,
      setTimeout(() => {
        pulseTimers.delete(topicId);
        const topic = catalog.topic(topicId);
        if (topic && (io.sockets.adapter.rooms.get(OVERVIEW_ROOM)?.size ?? 0) > 0)
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
      if (typeof ack === 'function') (ack as (r: Reply<T>) => void)(r);
    };

    socket.on('topic:subscribe', (req, ack) => {
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
      reply(ack, ok(snapshot(topic)));
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
      void socket.join(OVERVIEW_ROOM);
      reply(ack, ok(overview()));
    });

    socket.on('overview:unsubscribe', () => void socket.leave(OVERVIEW_ROOM));

    socket.on('disconnect', () => unmarkSlow(socket));
  }

  return {
    start() {
      io.on('connection', onConnection);
    },
    stop() {
      io.off('connection', onConnection);
      for (const t of pulseTimers.values()) clearTimeout(t);
      pulseTimers.clear();
    },
    publish,
    overview,
    /** Tells every socket that the catalog changed (new, renamed or deleted topics and flow logs). */
    catalogChanged() {
      io.emit('catalog:updated', { logsets: catalog.logsets, version: catalog.version });
    },
    metrics: () => ({ ...metrics, clients: io.engine.clientsCount, slowClients: slow.size }),
  };
}

export type Streamer = ReturnType<typeof createStreamer>;
