// Hostile socket clients against a real server (loopback only, bounded counts): a socket that
// sends 2,000 subscribes and never reads its answers gets a bounded share (a rate limit, one shared
// encoded snapshot), costs the server little memory and does not slow /api/health; a socket whose
// queue passes the bound is closed, and the others carry on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, startApp, subscribeTopic, type TestSocket } from '../helpers/app.ts';
import { rawSocketIo, type RawClient } from '../helpers/raw-socket.ts';

const TOPIC = 'topic-eni-prod';

async function until(cond: () => boolean | Promise<boolean>, ms: number, what: string) {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Sends `n` subscribes to one topic with ack ids, as fast as the connection takes them. */
function flood(raw: RawClient, n: number, topicId = TOPIC) {
  for (let i = 0; i < n; i++) raw.send('topic:subscribe', [{ topicId }], i);
}

describe('a socket that subscribes 2,000 times and never reads', () => {
  let ctx: Awaited<ReturnType<typeof startApp>>;
  const raws: RawClient[] = [];
  beforeAll(async () => {
    ctx = await startApp(['--backfill', '60']);
  }, 120_000);
  afterAll(async () => {
    for (const r of raws) r.close();
    await ctx?.stop();
  });

  it('is rate-limited and shares one snapshot; RSS grows < 200 MB and /api/health answers < 1 s', async () => {
    const m = () => ctx.app.streamer.metrics();
    // The topic with the largest snapshot (a CCN topic of 1-minute windows: about 250 KB).
    const probe = await connectClient(ctx.url);
    let topicId = '';
    let size = 0;
    for (const t of ctx.app.catalog.topics()) {
      const snap = await subscribeTopic(probe, t.id);
      const bytes = snap.ok ? JSON.stringify(snap.data).length : 0;
      if (bytes > size) [topicId, size] = [t.id, bytes];
    }
    probe.close();
    expect(size).toBeGreaterThan(100_000);
    const answered = () => m().subscribesLimited + m().snapshotsBuilt + m().snapshotsShared;
    const before = answered();
    global.gc?.();
    const rss0 = process.memoryUsage().rss;
    let rssMax = rss0;
    const sampler = setInterval(() => {
      rssMax = Math.max(rssMax, process.memoryUsage().rss);
    }, 25);

    const raw = await rawSocketIo(ctx.url);
    raws.push(raw);
    raw.pause();
    flood(raw, 2_000, topicId);

    const healthMs: number[] = [];
    try {
      await until(
        async () => {
          const t = performance.now();
          const res = await fetch(`${ctx.url}/api/health`);
          await res.json();
          healthMs.push(performance.now() - t);
          return answered() - before >= 2_000;
        },
        60_000,
        'the 2,000 subscribes handled',
      );
    } finally {
      clearInterval(sampler);
    }
    const after = m();
    // The allowance: a burst, then a few a second; the rest are refused (and counted).
    expect(after.subscribesLimited).toBeGreaterThan(1_900);
    // Repeated subscribes to one topic reuse the snapshot already encoded.
    expect(after.snapshotsShared).toBeGreaterThan(0);
    expect(after.snapshotsBuilt).toBeLessThan(20);
    expect(Math.max(...healthMs)).toBeLessThan(1_000);
    expect((rssMax - rss0) / 1048576).toBeLessThan(200);
    // The server still serves a well-behaved client.
    const other = await connectClient(ctx.url);
    const snap = await subscribeTopic(other, topicId);
    other.close();
    expect(snap.ok).toBe(true);
  }, 120_000);
});

describe('a socket whose queue passes the bound', () => {
  let ctx: Awaited<ReturnType<typeof startApp>>;
  let good: TestSocket | undefined;
  const raws: RawClient[] = [];
  beforeAll(async () => {
    ctx = await startApp(['--backfill', '60'], {
      streamer: {
        maxQueuedBytesPerSocket: 2 * 1048576,
        subscribeBurst: 10_000,
        subscribesPerSecond: 10_000,
      },
    });
  }, 120_000);
  afterAll(async () => {
    good?.close();
    for (const r of raws) r.close();
    await ctx?.stop();
  });

  it('is closed with the reason counted and logged; the other clients carry on', async () => {
    good = await connectClient(ctx.url);
    expect((await subscribeTopic(good, TOPIC)).ok).toBe(true);
    const clients = ctx.app.streamer.metrics().clients;
    const raw = await rawSocketIo(ctx.url);
    raws.push(raw);
    await until(() => ctx.app.streamer.metrics().clients === clients + 1, 10_000, 'connected');
    raw.pause();
    flood(raw, 1_000);
    await until(() => ctx.app.streamer.metrics().droppedTooSlow === 1, 60_000, 'closed');
    await until(() => ctx.app.streamer.metrics().clients === clients, 10_000, 'gone');
    expect((await subscribeTopic(good, TOPIC)).ok).toBe(true);
    const health = (await (await fetch(`${ctx.url}/metrics`)).text()).split('\n');
    expect(health).toContain('flowdeck_socket_refused{reason="too_slow"} 1');
  }, 120_000);
});
