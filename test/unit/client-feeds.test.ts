// The feeds against a fake socket: snapshot then deltas, merge by revision, re-subscribe on
// reconnect, errors from the ack, and staleness measured in (estimated) server time.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { COMMIT_MS, STALE_WINDOWS, TopicFeed } from '../../client/lib/topic-feed.svelte.ts';
import { OverviewFeed } from '../../client/lib/overview-feed.svelte.ts';
import type { AppSocket } from '../../client/lib/socket.ts';
import { encodeJson } from '../../shared/encoded.ts';
import type { Reply } from '../../shared/reply.ts';
import type { TopicInfo } from '../../shared/catalog.ts';
import { MIN, T0, win, wins } from './client-fixtures.ts';

type Handler = (...args: unknown[]) => void;

class FakeSocket {
  connected = true;
  handlers = new Map<string, Set<Handler>>();
  sent: Array<{ event: string; args: unknown[] }> = [];
  replies = new Map<string, (args: unknown[]) => Reply<unknown>>();

  on(event: string, fn: Handler) {
    if (!this.handlers.has(event)) this.handlers.set(event, new Set());
    this.handlers.get(event)!.add(fn);
    return this;
  }
  off(event: string, fn: Handler) {
    this.handlers.get(event)?.delete(fn);
    return this;
  }
  emit(event: string, ...args: unknown[]) {
    this.sent.push({ event, args });
    return this;
  }
  timeout() {
    return {
      emit: (event: string, ...args: unknown[]) => {
        const ack = args.pop() as (err: Error | null, reply?: unknown) => void;
        this.sent.push({ event, args });
        const reply = this.replies.get(event)?.(args);
        // The server sends a snapshot encoded once (JSON bytes) with the answer's server time.
        if (reply?.ok) {
          const { serverTime, ...rest } = reply.data as { serverTime: number };
          ack(null, { ok: true, data: { json: encodeJson(rest), serverTime } });
        } else if (reply) ack(null, reply);
      },
    };
  }
  fire(event: string, ...args: unknown[]) {
    for (const fn of this.handlers.get(event) ?? []) fn(...args);
  }
  count(event: string) {
    return this.sent.filter((s) => s.event === event).length;
  }
  asSocket() {
    return this as unknown as AppSocket;
  }
}

const topic: TopicInfo = {
  id: 'topic-eni-prod',
  name: 'prod-vpc ENI flow logs',
  logsetId: 'flowlog_logset',
  format: 'eni',
  range: 'ENI',
  windowSec: 60,
  createdAt: 0,
  flowLogs: [],
  streams: [],
  regions: [],
};

let socket: FakeSocket;
beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(1_000_000);
  socket = new FakeSocket();
});
afterEach(() => vi.useRealTimers());

describe('TopicFeed', () => {
  it('subscribes, takes the snapshot, then merges window:published in place', () => {
    const snapshot = wins(3);
    socket.replies.set('topic:subscribe', () => ({
      ok: true,
      data: { topic, windows: snapshot, serverTime: T0 + 3 * MIN + 10_000 },
    }));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const feed = new TopicFeed('topic-eni-prod', socket.asSocket());
    const stop = feed.start();
    expect(socket.sent[0]).toEqual({
      event: 'topic:subscribe',
      args: [{ topicId: 'topic-eni-prod' }],
    });
    expect(feed.loaded).toBe(true);
    expect(feed.topic?.name).toBe(topic.name);
    expect(feed.windows).toHaveLength(3);

    socket.fire('window:published', win(3));
    socket.fire('window:published', win(1, { revision: 2 }));
    socket.fire('window:published', win(1, { revision: 1 })); // older revision: ignored
    socket.fire('window:published', win(4, { topicId: 'other-topic' })); // not ours
    socket.fire('window:published', { junk: true }); // malformed: dropped
    expect(warn).toHaveBeenCalledOnce();
    warn.mockRestore();
    vi.advanceTimersByTime(COMMIT_MS);
    expect(feed.windows.map((w) => w.revision)).toEqual([1, 2, 1, 1]);
    expect(feed.updates).toBe(2);
    expect(feed.latest?.windowStart).toBe(T0 + 3 * MIN);

    stop();
    expect(socket.count('topic:unsubscribe')).toBe(1);
    socket.fire('window:published', win(5));
    expect(feed.windows).toHaveLength(4);
  });

  it('merges a burst of revisions once: the first at once, the rest together after COMMIT_MS', () => {
    socket.replies.set('topic:subscribe', () => ({
      ok: true,
      data: { topic, windows: wins(2), serverTime: T0 + 3 * MIN },
    }));
    const feed = new TopicFeed('topic-eni-prod', socket.asSocket());
    const stop = feed.start();
    socket.fire('window:published', win(2));
    expect(feed.windows).toHaveLength(3);
    expect([feed.updates, feed.commits]).toEqual([1, 1]);
    socket.fire('window:published', win(2, { revision: 2 }));
    socket.fire('window:published', win(3));
    socket.fire('window:published', win(3, { revision: 2 }));
    expect(feed.windows).toHaveLength(3); // waiting
    vi.advanceTimersByTime(COMMIT_MS - 1);
    expect(feed.commits).toBe(1);
    vi.advanceTimersByTime(1);
    expect(feed.windows.map((w) => w.revision)).toEqual([1, 1, 2, 2]);
    expect([feed.updates, feed.commits]).toEqual([3, 2]);
    // Long after, one alone is merged at once again.
    vi.advanceTimersByTime(10 * COMMIT_MS);
    socket.fire('window:published', win(4));
    expect(feed.windows).toHaveLength(5);
    // Stopped with revisions waiting: they are dropped, not merged later.
    socket.fire('window:published', win(5));
    stop();
    vi.advanceTimersByTime(COMMIT_MS);
    expect(feed.windows).toHaveLength(5);
  });

  it('a snapshot takes the revisions still waiting with it', () => {
    let serverWindows = wins(2);
    socket.replies.set('topic:subscribe', () => ({
      ok: true,
      data: { topic, windows: serverWindows, serverTime: T0 + 3 * MIN, instance: 'a' },
    }));
    const feed = new TopicFeed('topic-eni-prod', socket.asSocket());
    feed.start();
    socket.fire('window:published', win(2));
    socket.fire('window:published', win(2, { revision: 2 })); // waiting
    socket.connected = false;
    socket.fire('disconnect');
    serverWindows = [win(1, { revision: 2 })];
    socket.connected = true;
    socket.fire('connect');
    expect(feed.windows.map((w) => w.revision)).toEqual([1, 2, 2]);
    vi.advanceTimersByTime(COMMIT_MS);
    expect(feed.windows.map((w) => w.revision)).toEqual([1, 2, 2]);
  });

  it('re-subscribes on reconnect and merges the snapshot by revision', () => {
    let serverWindows = wins(2);
    socket.replies.set('topic:subscribe', () => ({
      ok: true,
      data: { topic, windows: serverWindows, serverTime: T0 + 3 * MIN },
    }));
    const feed = new TopicFeed('topic-eni-prod', socket.asSocket());
    feed.start();
    socket.fire('window:published', win(1, { revision: 3 }));
    socket.connected = false;
    socket.fire('disconnect');
    serverWindows = [win(0, { revision: 2 }), win(1, { revision: 2 }), win(2)];
    socket.connected = true;
    socket.fire('connect');
    expect(socket.count('topic:subscribe')).toBe(2);
    expect(feed.windows.map((w) => w.revision)).toEqual([2, 3, 1]);
  });

  it('on a reconnect asks the same server for what was published since, and merges it', () => {
    let reply: unknown = {
      ok: true,
      data: { topic, windows: wins(3), serverTime: T0 + 3 * MIN, instance: 'A' },
    };
    socket.replies.set('topic:subscribe', () => reply as Reply<unknown>);
    const feed = new TopicFeed('topic-eni-prod', socket.asSocket());
    feed.start();
    expect(socket.sent[0]!.args).toEqual([{ topicId: 'topic-eni-prod' }]);
    const newest = Math.max(...wins(3).map((w) => w.publishedAt));
    socket.connected = false;
    socket.fire('disconnect');
    reply = {
      ok: true,
      data: {
        topic,
        windows: [win(3), win(4)],
        serverTime: T0 + 5 * MIN,
        instance: 'A',
        resumed: true,
      },
    };
    socket.connected = true;
    socket.fire('connect');
    expect(socket.sent.at(-1)!.args).toEqual([
      { topicId: 'topic-eni-prod', since: { publishedAt: newest, instance: 'A' } },
    ]);
    expect(feed.windows.map((w) => w.windowStart)).toEqual(wins(5).map((w) => w.windowStart));
    expect(feed.resumedWindows).toBe(2);

    // Another server process answers with its full snapshot: it replaces what we held.
    socket.connected = false;
    socket.fire('disconnect');
    reply = {
      ok: true,
      data: { topic, windows: [win(7)], serverTime: T0 + 8 * MIN, instance: 'B' },
    };
    socket.connected = true;
    socket.fire('connect');
    expect(feed.windows.map((w) => w.windowStart)).toEqual([win(7).windowStart]);
  });

  it('shows the ack error (unknown topic)', () => {
    socket.replies.set('topic:subscribe', () => ({
      ok: false,
      error: { code: 'not_found', message: 'no topic "nope"' },
    }));
    const feed = new TopicFeed('nope', socket.asSocket());
    feed.start();
    expect(feed.loaded).toBe(true);
    expect(feed.error).toEqual({ code: 'not_found', message: 'no topic "nope"' });
  });

  it('asks again after the wait a rate-limited answer names, and reports an unreadable snapshot', () => {
    let limited = true;
    socket.replies.set('topic:subscribe', () =>
      limited
        ? {
            ok: false,
            error: {
              code: 'rate_limited',
              message: 'too many subscribes',
              details: { retryAfterMs: 750 },
            },
          }
        : { ok: true, data: { topic, windows: wins(2), serverTime: T0 + 3 * MIN } },
    );
    const feed = new TopicFeed('topic-eni-prod', socket.asSocket());
    feed.start();
    expect(feed.error?.code).toBe('rate_limited');
    limited = false;
    vi.advanceTimersByTime(700);
    expect(socket.count('topic:subscribe')).toBe(1);
    vi.advanceTimersByTime(100);
    expect(socket.count('topic:subscribe')).toBe(2);
    expect(feed.error).toBeNull();
    expect(feed.windows).toHaveLength(2);

    const other = new FakeSocket();
    const broken = new TopicFeed('topic-eni-prod', other.asSocket());
    other.timeout = () => ({
      emit: (_event: string, ...args: unknown[]) => {
        const ack = args.pop() as (err: Error | null, reply?: unknown) => void;
        ack(null, { ok: true, data: { json: new TextEncoder().encode('{"top'), serverTime: 1 } });
      },
    });
    broken.start();
    expect(broken.error?.code).toBe('bad_answer');
    expect(broken.windows).toHaveLength(0);
  });

  it('waits for the connection before subscribing', () => {
    socket.connected = false;
    socket.replies.set('topic:subscribe', () => ({
      ok: true,
      data: { topic, windows: [], serverTime: T0 },
    }));
    const feed = new TopicFeed('topic-eni-prod', socket.asSocket());
    feed.start();
    expect(socket.count('topic:subscribe')).toBe(0);
    socket.connected = true;
    socket.fire('connect');
    expect(socket.count('topic:subscribe')).toBe(1);
  });

  it('goes stale after 3 windows + the usual delay without a newer window, in server time', () => {
    // The server runs 10× faster than the browser (simulator --speed 10).
    const newest = win(9);
    const serverStart = newest.publishedAt;
    socket.replies.set('topic:subscribe', () => ({
      ok: true,
      data: { topic, windows: wins(10), serverTime: serverStart },
    }));
    const feed = new TopicFeed('topic-eni-prod', socket.asSocket());
    feed.start();
    vi.advanceTimersByTime(6_000);
    socket.fire('window:published', win(9, { revision: 2, publishedAt: serverStart + 60_000 }));
    expect(feed.delay).toBe(10_000);
    const deadline = newest.windowStart + MIN + STALE_WINDOWS * MIN + 10_000;
    const local = 1_000_000 + 6_000 + (deadline - (serverStart + 60_000)) / 10;
    expect(feed.staleAt).toBeCloseTo(local);
    expect(feed.serverNow(1_006_000 + 1_000)).toBeCloseTo(serverStart + 70_000);
  });
});

describe('OverviewFeed', () => {
  it('keeps one pulse per topic, replaced by pulse:updated, and unsubscribes on stop', () => {
    const pulse = {
      topicId: 't1',
      windowMs: MIN,
      lastWindowStart: T0,
      lastPublishedAt: T0 + 70_000,
      spark: [[T0, 1]],
      rejectShare: 0,
      records: 1,
    };
    socket.replies.set('overview:subscribe', () => ({
      ok: true,
      data: {
        logsets: [{ id: 'ls', name: 'ls', region: 'ap-guangzhou', topics: [] }],
        pulses: [pulse],
        serverTime: T0 + 80_000,
      },
    }));
    const feed = new OverviewFeed(socket.asSocket());
    const stop = feed.start();
    expect(feed.logsets).toHaveLength(1);
    expect(feed.pulses.t1?.spark).toHaveLength(1);
    const long = Array.from({ length: 200 }, (_, i) => [T0 + i * MIN, i]);
    socket.fire('pulse:updated', { ...pulse, spark: long, lastPublishedAt: T0 + 140_000 });
    expect(feed.pulses.t1!.spark.length).toBeLessThanOrEqual(66);
    expect(feed.freshUntil).toBe(T0 + 140_000 + 3 * MIN);
    stop();
    expect(socket.count('overview:unsubscribe')).toBe(1);
  });
});

describe('feeds follow catalog:updated', () => {
  const logsets = (topics: TopicInfo[], version = 2) => ({
    version,
    logsets: [
      {
        id: 'flowlog_logset',
        name: 'flowlog_logset',
        region: 'ap-guangzhou',
        createdAt: 0,
        topics,
      },
    ],
  });

  it('the overview adds a new topic and drops a deleted one, without a reload', () => {
    socket.replies.set('overview:subscribe', () => ({
      ok: true,
      data: { ...logsets([topic], 1), catalogVersion: 1, pulses: [], serverTime: T0 },
    }));
    const feed = new OverviewFeed(socket.asSocket());
    const stop = feed.start();
    const added = { ...topic, id: 'topic-new', name: 'new topic' };
    socket.fire('catalog:updated', logsets([topic, added], 2));
    expect(feed.logsets[0]!.topics.map((t) => t.id)).toEqual(['topic-eni-prod', 'topic-new']);
    socket.fire('catalog:updated', logsets([topic], 1)); // an older version: ignored
    expect(feed.logsets[0]!.topics).toHaveLength(2);
    socket.fire('catalog:updated', logsets([added], 3));
    expect(feed.logsets[0]!.topics.map((t) => t.id)).toEqual(['topic-new']);
    stop();
  });

  it('a dashboard takes its renamed topic, and says so when the topic is deleted', () => {
    socket.replies.set('topic:subscribe', () => ({
      ok: true,
      data: { topic, windows: wins(2), serverTime: T0 + 3 * MIN },
    }));
    const feed = new TopicFeed('topic-eni-prod', socket.asSocket());
    feed.start();
    socket.fire('catalog:updated', logsets([{ ...topic, name: 'renamed' }]));
    expect(feed.topic?.name).toBe('renamed');
    expect(feed.deleted).toBe(false);
    socket.fire('catalog:updated', logsets([], 3));
    expect(feed.deleted).toBe(true);
  });
});
