// The live tail: raw records as they are committed, filtered by a dashboard's query, pushed over
// the socket in a few batches a second. Fed from the ingest path (the record sink), never by
// polling the store.
//
// A socket that tails a topic joins the room of (topic, query): records are matched once per
// distinct query, not once per socket, and a batch goes to the room in one emit (so a socket.io
// adapter can carry it to other servers). Every buffer is bounded: a room holds at most
// `maxPendingPerRoom` records between flushes and sends at most `maxPerFlush`, and what it did not
// send is counted and said in the batch (`skipped`), never dropped silently. Slow sockets (the
// streamer's slow room) are left out of batches; the batch sequence number shows them the gap.
import type { Server, Socket } from 'socket.io';
import { z } from 'zod';
import type {
  ClientToServerEvents,
  ServerToClientEvents,
  TailBatch,
  TailRecord,
  TailSubscribed,
} from '../../shared/events.ts';
import { alignToWindow, windowStartOf } from '../../shared/capture-window.ts';
import { parseQuery } from '../../shared/query/index.ts';
import { matchQuery, type RecordPredicate } from '../../shared/query/match.ts';
import type { FlowRecord } from '../../shared/record.ts';
import { fail, ok, type Reply } from '../../shared/reply.ts';
import type { Catalog } from '../catalog/catalog.ts';
import type { Clock } from '../clock.ts';
import type { TailRegistry } from '../cluster/tail-registry.ts';

type FlowServer = Server<ClientToServerEvents, ServerToClientEvents>;
type FlowSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

export interface TailConfig {
  /** How often a room's records go out. */
  flushEveryMs: number;
  /** Records per batch at most; the rest of a flush is counted as skipped. */
  maxPerFlush: number;
  /** Records a room holds between flushes at most (the newest are kept, the rest counted). */
  maxPendingPerRoom: number;
  /** Topics one socket tails at once. */
  maxTailsPerSocket: number;
  /** Longest query text. */
  maxQueryLength: number;
}

/** Clustered: how often rooms are announced (front end) or read (collector), and their expiry. */
const ANNOUNCE_EVERY_MS = 2_000;
const ROOM_TTL_MS = 10_000;

export const defaultTailConfig: TailConfig = {
  flushEveryMs: 250,
  maxPerFlush: 2000,
  maxPendingPerRoom: 4000,
  maxTailsPerSocket: 4,
  maxQueryLength: 2000,
};

const ROOM_PREFIX = 'tail:';
const roomOf = (topicId: string, q: string) => `${ROOM_PREFIX}${topicId}\u0000${q}`;

interface Room {
  key: string;
  topicId: string;
  q: string;
  match: RecordPredicate;
  pending: TailRecord[];
  matched: number;
  skipped: number;
  seq: number;
}

const subscribeSchema = z.object({ topicId: z.string().min(1).max(200), q: z.string() }).strict();
const unsubscribeSchema = z.object({ topicId: z.string().min(1).max(200) }).passthrough();

export function createTail(
  config: TailConfig,
  deps: {
    io: FlowServer;
    catalog: Catalog;
    clock: Clock;
    windowMs: (topicId: string) => number;
    /**
     * Clustered: a front end announces its rooms there; a collector matches records for every
     * announced room (its own sockets are none) and numbers their batches.
     */
    cluster?: { registry: TailRegistry; collects: boolean; warn: (msg: string) => void };
  },
) {
  const { io, catalog, clock } = deps;
  const cluster = deps.cluster;
  const rooms = new Map<string, Room>();
  const byTopic = new Map<string, Set<Room>>();
  let timer: ReturnType<typeof setInterval> | null = null;
  let syncTimer: ReturnType<typeof setInterval> | null = null;
  let syncFailing = false;
  const metrics = { records: 0, sent: 0, skipped: 0, batches: 0, badRequests: 0 };

  function dropRoom(key: string) {
    const room = rooms.get(key);
    if (!room) return;
    rooms.delete(key);
    const set = byTopic.get(room.topicId);
    set?.delete(room);
    if (set?.size === 0) byTopic.delete(room.topicId);
  }

  const onDeleteRoom = (key: string) => {
    if (key.startsWith(ROOM_PREFIX)) dropRoom(key);
  };

  /** Committed records of one stream (the record sink calls this after the store's commit). */
  function add(topicId: string, streamId: string, records: readonly FlowRecord[]) {
    const set = byTopic.get(topicId);
    if (!set) return;
    const windowMs = deps.windowMs(topicId);
    // A record without a start is stored in the window of now (as the store does).
    const nowWindow = alignToWindow(clock.now(), windowMs);
    const tailed = records.map((r): TailRecord => ({
      ...r,
      topicId,
      streamId,
      windowStart: r.start === null ? nowWindow : windowStartOf(r.start, windowMs),
    }));
    for (const room of set) {
      for (const rec of tailed) {
        if (!room.match(rec)) continue;
        room.matched++;
        room.pending.push(rec);
      }
      // Bounded: keep the newest, count the rest.
      if (room.pending.length > config.maxPendingPerRoom) {
        const cut = room.pending.length - config.maxPendingPerRoom;
        room.pending.splice(0, cut);
        room.skipped += cut;
      }
    }
  }

  function flush() {
    const now = clock.now();
    for (const room of rooms.values()) {
      if (room.matched === 0 && room.skipped === 0) continue;
      const records =
        room.pending.length > config.maxPerFlush
          ? room.pending.slice(room.pending.length - config.maxPerFlush)
          : room.pending;
      const skipped = room.skipped + room.pending.length - records.length;
      const batch: TailBatch = {
        topicId: room.topicId,
        q: room.q,
        seq: ++room.seq,
        records,
        matched: room.matched,
        skipped,
        at: now,
      };
      metrics.records += room.matched;
      metrics.sent += records.length;
      metrics.skipped += skipped;
      metrics.batches++;
      room.pending = [];
      room.matched = 0;
      room.skipped = 0;
      io.to(room.key).except('slow').emit('tail:records', batch);
      if (cluster?.collects) void cluster.registry.saveSeq(room.key, room.seq).catch(() => {});
    }
  }

  /** A room for (topic, query), created on first use; null when the query does not parse. */
  function openRoom(topicId: string, q: string): Room | null {
    const key = roomOf(topicId, q);
    const held = rooms.get(key);
    if (held) return held;
    const query = parseQuery(q);
    if (!query.ok) return null;
    const room: Room = {
      key,
      topicId,
      q,
      match: matchQuery(query.ast),
      pending: [],
      matched: 0,
      skipped: 0,
      seq: 0,
    };
    rooms.set(key, room);
    let set = byTopic.get(topicId);
    if (!set) byTopic.set(topicId, (set = new Set()));
    set.add(room);
    return room;
  }

  /**
   * Clustered. A front end announces the rooms its sockets tail; a collector takes the rooms
   * announced anywhere (with their batch numbers) and lets go of those no front end renewed.
   */
  async function syncCluster(): Promise<void> {
    if (!cluster) return;
    if (!cluster.collects) {
      const mine = [...rooms.keys()].filter(
        (k) => (io.sockets.adapter.rooms.get(k)?.size ?? 0) > 0,
      );
      await cluster.registry.announce(mine, ROOM_TTL_MS);
      return;
    }
    const live = new Set(await cluster.registry.rooms());
    for (const key of live) {
      if (rooms.has(key) || !key.startsWith(ROOM_PREFIX)) continue;
      const [topicId, q] = key.slice(ROOM_PREFIX.length).split('\u0000') as [string, string];
      if (!catalog.topic(topicId)) continue;
      const room = openRoom(topicId, q ?? '');
      if (room) room.seq = await cluster.registry.seqOf(key);
    }
    for (const key of [...rooms.keys()])
      if (!live.has(key) && (io.sockets.adapter.rooms.get(key)?.size ?? 0) === 0) dropRoom(key);
  }

  function leaveTopic(socket: FlowSocket, topicId: string) {
    const prefix = roomOf(topicId, '');
    for (const r of socket.rooms) if (r.startsWith(prefix)) void socket.leave(r);
  }

  /** The tail's events on one socket; `limited` is the streamer's subscribe allowance. */
  function attach(
    socket: FlowSocket,
    helpers: {
      limited: () => Reply<never> | null;
      reply: <T>(ack: unknown, r: Reply<T>) => void;
    },
  ) {
    const bad = <T>(message: string): Reply<T> => {
      metrics.badRequests++;
      return fail('bad_request', message);
    };
    socket.on('tail:subscribe', (req, ack) => {
      const refused = helpers.limited();
      if (refused) return helpers.reply(ack, refused);
      const parsed = subscribeSchema.safeParse(req);
      if (!parsed.success)
        return helpers.reply(ack, bad('tail:subscribe takes { topicId: string, q: string }'));
      const { topicId } = parsed.data;
      const q = parsed.data.q.trim();
      if (q.length > config.maxQueryLength)
        return helpers.reply(
          ack,
          bad(`the query is longer than ${config.maxQueryLength} characters`),
        );
      const topic = catalog.topic(topicId);
      if (!topic)
        return helpers.reply(ack, fail('not_found', `no topic ${JSON.stringify(topicId)}`));
      const query = parseQuery(q);
      if (!query.ok) {
        const r = fail('bad_query', query.error.message);
        if (!r.ok) r.error.details = { position: query.error.position, length: query.error.length };
        return helpers.reply(ack, r);
      }
      const tails = new Set(
        [...socket.rooms]
          .filter((r) => r.startsWith(ROOM_PREFIX))
          .map((r) => r.slice(ROOM_PREFIX.length).split('\u0000')[0]),
      );
      if (!tails.has(topicId) && tails.size >= config.maxTailsPerSocket)
        return helpers.reply(ack, bad(`at most ${config.maxTailsPerSocket} tails per connection`));
      // One query per topic and socket: a new query replaces the old.
      leaveTopic(socket, topicId);
      const room = openRoom(topicId, q)!;
      void socket.join(room.key);
      const answer = (seq: number): TailSubscribed => ({
        topicId,
        q,
        flushEveryMs: config.flushEveryMs,
        maxPerFlush: config.maxPerFlush,
        seq,
      });
      if (!cluster || cluster.collects) return helpers.reply(ack, ok(answer(room.seq)));
      // A front end: the collector numbers the batches. Announced at once, so records start
      // coming without waiting for the next round.
      void Promise.all([
        cluster.registry.seqOf(room.key),
        cluster.registry.announce([room.key], ROOM_TTL_MS),
      ])
        .then(([seq]) => helpers.reply(ack, ok(answer(seq))))
        .catch((err: Error) =>
          helpers.reply(ack, fail('unavailable', `the live tail is unavailable: ${err.message}`)),
        );
    });
    socket.on('tail:unsubscribe', (req) => {
      const parsed = unsubscribeSchema.safeParse(req);
      if (!parsed.success) {
        metrics.badRequests++;
        return;
      }
      leaveTopic(socket, parsed.data.topicId);
    });
  }

  return {
    add,
    attach,
    flush,
    start() {
      io.of('/').adapter.on('delete-room', onDeleteRoom);
      timer = setInterval(flush, config.flushEveryMs);
      timer.unref?.();
      if (cluster && !syncTimer) {
        const sync = () =>
          void syncCluster().then(
            () => (syncFailing = false),
            (err: Error) => {
              if (!syncFailing) cluster.warn(`live tail: the cluster's rooms: ${err.message}`);
              syncFailing = true;
            },
          );
        sync();
        syncTimer = setInterval(sync, ANNOUNCE_EVERY_MS);
        syncTimer.unref?.();
      }
    },
    stop() {
      io.of('/').adapter.off('delete-room', onDeleteRoom);
      if (timer) clearInterval(timer);
      timer = null;
      if (syncTimer) clearInterval(syncTimer);
      syncTimer = null;
    },
    metrics: () => ({ ...metrics, rooms: rooms.size }),
  };
}

export type Tail = ReturnType<typeof createTail>;
