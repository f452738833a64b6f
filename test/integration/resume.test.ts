// Resume, not resend: a client cut off for three windows while another stays connected asks, on
// reconnect, for what was published since the newest window it holds; it gets only those, and
// what it then holds equals a fresh subscriber's snapshot.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeEncoded } from '../../shared/encoded.ts';
import type { TopicSnapshot, TopicSubscribe, WindowAggregate } from '../../shared/events.ts';
import type { Reply } from '../../shared/reply.ts';
import { mergeWindows } from '../../client/lib/windows.ts';
import { connectClient, startApp, subscribeTopic, type TestSocket } from '../helpers/app.ts';

// 30x: a 1-minute window every two real seconds.
const args = ['--speed', '30', '--publish-delay', '1', '--jitter', '0', '--backfill', '30'];
const TOPIC = 'topic-nat-prod';

function subscribe(socket: TestSocket, req: TopicSubscribe): Promise<TopicSnapshot> {
  return new Promise((resolve, reject) =>
    socket.emit('topic:subscribe', req, (r: Reply<Parameters<typeof decodeEncoded>[0]>) =>
      r.ok ? resolve(decodeEncoded(r.data) as TopicSnapshot) : reject(new Error(r.error.message)),
    ),
  );
}

describe('a reconnecting client', () => {
  let ctx: Awaited<ReturnType<typeof startApp>>;
  const sockets: TestSocket[] = [];
  beforeAll(async () => {
    ctx = await startApp(args);
  }, 120_000);
  afterAll(async () => {
    for (const s of sockets) s.close();
    await ctx?.stop();
  });

  it('gets only the windows published while it was away, and then holds what a fresh page gets', async () => {
    const stays = await connectClient(ctx.url);
    const cut = await connectClient(ctx.url);
    sockets.push(stays, cut);
    await subscribe(stays, { topicId: TOPIC });
    const first = await subscribe(cut, { topicId: TOPIC });
    let held: WindowAggregate[] = first.windows;
    const since = Math.max(...held.map((w) => w.publishedAt));

    // Cut off while the other client sees three new windows (and any revisions) published.
    cut.close();
    const missed = new Map<number, WindowAggregate>();
    await new Promise<void>((done) => {
      const starts = new Set<number>();
      const on = (w: WindowAggregate) => {
        if (w.topicId !== TOPIC) return;
        missed.set(w.windowStart, w);
        if (!held.some((h) => h.windowStart === w.windowStart)) starts.add(w.windowStart);
        if (starts.size >= 3) {
          stays.off('window:published', on);
          done();
        }
      };
      stays.on('window:published', on);
    });

    const back = await connectClient(ctx.url);
    sockets.push(back);
    const resumed = await subscribe(back, {
      topicId: TOPIC,
      since: { publishedAt: since, instance: first.instance },
    });
    expect(resumed.resumed).toBe(true);
    // No more than what was missed (windows published meanwhile, one entry each).
    expect(resumed.windows.length).toBeGreaterThan(0);
    expect(resumed.windows.length).toBeLessThanOrEqual(missed.size + 1);
    expect(resumed.windows.every((w) => w.publishedAt > since)).toBe(true);
    held = mergeWindows(held, resumed.windows).windows;

    const fresh = await subscribeTopic(
      await connectClient(ctx.url).then((s) => (sockets.push(s), s)),
      TOPIC,
    );
    if (!fresh.ok) throw new Error(fresh.error.message);
    // Compared up to the newest window both have (one may have been published in between).
    const upTo = Math.min(held.at(-1)!.windowStart, fresh.data.windows.at(-1)!.windowStart);
    const key = (ws: WindowAggregate[]) =>
      ws
        .filter((w) => w.windowStart <= upTo && w.windowStart >= fresh.data.windows[0]!.windowStart)
        .map((w) => `${w.windowStart}:${w.accept.bytes}:${w.reject.bytes}:${w.accept.records}`);
    expect(key(held)).toEqual(key(fresh.data.windows));

    // Another instance's `since` is not honoured: a full snapshot comes back.
    const other = await subscribe(back, {
      topicId: TOPIC,
      since: { publishedAt: since, instance: 'another-process' },
    });
    expect(other.resumed).toBeUndefined();
    expect(other.windows.length).toBeGreaterThan(resumed.windows.length);
  }, 120_000);
});
