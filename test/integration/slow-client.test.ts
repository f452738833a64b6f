// A client that stops reading must not hold back the others: the server moves it out of the
// broadcast, keeps only the newest revision of each window for it (bounded), and catches it up
// once its connection drains.
import type { Socket as NetSocket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WindowAggregate } from '../../shared/events.ts';
import { connectClient, startApp, type TestSocket } from '../helpers/app.ts';

const WINDOWS = 40;
const UPDATES = 400;
const MAX_PENDING = 20;

function update(topicId: string, i: number): WindowAggregate {
  const windowStart = Date.UTC(2026, 0, 1) + (i % WINDOWS) * 60_000;
  const zero = { bytes: 0, packets: 0, records: 0 };
  return {
    topicId,
    windowStart,
    windowMs: 60_000,
    revision: Math.floor(i / WINDOWS) + 1,
    publishedAt: Date.now(),
    accept: { bytes: i, packets: 1, records: 1 },
    reject: zero,
    byProtocol: [],
    top: [],
    topOther: zero,
    topTruncated: false,
    regionPairs: [],
    // ~60 KiB per update, so a paused reader fills the socket buffers quickly.
    streams: Array.from({ length: 1500 }, (_, s) => ({
      streamId: `eni-${s}-padding-pad`,
      ok: s,
      nodata: 0,
      skipdata: 0,
    })),
  };
}

describe('a slow client', () => {
  let ctx: Awaited<ReturnType<typeof startApp>>;
  let fast: TestSocket;
  let slow: TestSocket;
  let topicId: string;

  beforeAll(async () => {
    ctx = await startApp(['--no-simulator'], { streamer: { maxPendingPerSocket: MAX_PENDING } });
    topicId = ctx.app.catalog.topics()[0]!.id;
    fast = await connectClient(ctx.url);
    slow = await connectClient(ctx.url);
    for (const s of [fast, slow])
      await new Promise((r) => s.emit('topic:subscribe', { topicId }, r));
  });
  afterAll(async () => {
    fast?.close();
    slow?.close();
    await ctx?.stop();
  });

  it('does not delay the others and is caught up with the newest revisions once it reads again', async () => {
    const fastGot: WindowAggregate[] = [];
    const slowGot = new Map<number, number[]>();
    fast.on('window:published', (w) => fastGot.push(w));
    slow.on('window:published', (w) => {
      const list = slowGot.get(w.windowStart) ?? [];
      list.push(w.revision);
      slowGot.set(w.windowStart, list);
    });

    // The slow client stops reading from its TCP connection.
    const tcp = (slow.io.engine.transport as unknown as { ws: { _socket: NetSocket } }).ws._socket;
    tcp.pause();

    for (let i = 0; i < UPDATES; i++) {
      ctx.app.streamer.publish(update(topicId, i));
      if (i % 5 === 4) await new Promise((r) => setTimeout(r, 5));
    }
    const deadline = Date.now() + 15_000;
    while (fastGot.length < UPDATES && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect(fastGot.length).toBe(UPDATES);

    const m = ctx.app.streamer.metrics();
    // Only the paused client was ever set aside.
    expect(m.slowMarked).toBe(1);
    expect(m.slowClients).toBe(1);
    expect(m.pendingDropped).toBeGreaterThan(0);

    tcp.resume();
    const finalRevision = UPDATES / WINDOWS;
    const newest = Array.from(
      { length: MAX_PENDING },
      (_, k) => update(topicId, UPDATES - 1 - k).windowStart,
    );
    const until = Date.now() + 15_000;
    while (Date.now() < until && !newest.every((w) => slowGot.get(w)?.includes(finalRevision)))
      await new Promise((r) => setTimeout(r, 20));
    for (const w of newest) expect(slowGot.get(w)).toContain(finalRevision);
    // Revisions of a window only ever go up on the wire.
    for (const revisions of slowGot.values())
      expect(revisions).toEqual([...revisions].sort((a, b) => a - b));
    expect(ctx.app.streamer.metrics().slowClients).toBe(0);
  });
});
