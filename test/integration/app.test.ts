// The app end to end on port 0: the simulator feeds the parser and the aggregator, and a real
// socket.io-client gets a snapshot, then live windows.
import { request } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WindowAggregate } from '../../shared/events.ts';
import type { Reply } from '../../shared/reply.ts';
import {
  connectClient,
  startApp,
  subscribeOverview,
  subscribeTopic,
  waitFor,
  type TestSocket,
} from '../helpers/app.ts';

// 60x: one real second is one simulated minute, so a new capture window is published every second.
const args = ['--speed', '60', '--publish-delay', '5', '--jitter', '0', '--backfill', '30'];

describe('app on port 0 with the simulator', () => {
  let ctx: Awaited<ReturnType<typeof startApp>>;
  let socket: TestSocket;

  beforeAll(async () => {
    ctx = await startApp(args);
    socket = await connectClient(ctx.url);
  });
  afterAll(async () => {
    socket?.close();
    await ctx?.stop();
  });

  const subscribe = (topicId: unknown) => subscribeTopic(socket, topicId);

  it('lists the logset and its topics over HTTP', async () => {
    const res = await fetch(`${ctx.url}/api/topics`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Reply<
      Array<{ id: string; topics: Array<{ id: string; format: string }> }>
    >;
    expect(body.ok).toBe(true);
    if (!body.ok) return;
    const logset = body.data.find((l) => l.id === 'flowlog_logset' || l.topics.length >= 3);
    expect(logset?.topics.length).toBeGreaterThanOrEqual(3);
    expect(logset?.topics.some((t) => t.format === 'ccn')).toBe(true);
  });

  it('sends a snapshot of the backfilled hour, then a live window', async () => {
    const topics = ctx.app.catalog.topics();
    const topic = topics.find((t) => t.format === 'eni')!;
    const reply = await subscribe(topic.id);
    expect(reply.ok).toBe(true);
    if (!reply.ok) return;
    const snap = reply.data;
    expect(snap.topic.id).toBe(topic.id);
    // 30 minutes of backfill of an ENI topic: 5-minute capture windows, about 6, each with traffic.
    expect(snap.topic.windowSec).toBe(300);
    expect(snap.windows.length).toBeGreaterThanOrEqual(5);
    for (const w of snap.windows) {
      expect(w.topicId).toBe(topic.id);
      expect(w.revision).toBeGreaterThanOrEqual(1);
      expect(w.windowMs).toBe(300_000);
      expect(w.windowStart % 300_000).toBe(0);
    }
    const traffic = snap.windows.reduce((s, w) => s + w.accept.bytes + w.reject.bytes, 0);
    expect(traffic).toBeGreaterThan(0);
    const newest = Math.max(...snap.windows.map((w) => w.windowStart));

    const live = await waitFor<WindowAggregate>(
      (cb) => {
        socket.on('window:published', cb);
        return () => socket.off('window:published', cb);
      },
      (w) => w.topicId === topic.id && w.windowStart > newest,
      15_000,
    );
    expect(live.accept.records + live.reject.records).toBeGreaterThan(0);
    expect(live.publishedAt).toBeGreaterThanOrEqual(live.windowStart + live.windowMs);
  });

  it('gives the CCN topic region pairs among at least five regions', async () => {
    const topic = ctx.app.catalog.topics().find((t) => t.format === 'ccn')!;
    const reply = await subscribe(topic.id);
    expect(reply.ok).toBe(true);
    if (!reply.ok) return;
    const regions = new Set(
      reply.data.windows.flatMap((w) => w.regionPairs.flatMap((p) => [p.src, p.dst])),
    );
    expect(regions.size).toBeGreaterThanOrEqual(5);
  });

  it('answers a bad or unknown subscription with a clear error and keeps serving', async () => {
    const bad = await subscribe(42);
    expect(bad).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    const unknown = await subscribe('no-such-topic');
    expect(unknown).toMatchObject({ ok: false, error: { code: 'not_found' } });
    const overview = await subscribeOverview(socket);
    expect(overview.ok).toBe(true);
    if (overview.ok) expect(overview.data.pulses.length).toBe(ctx.app.catalog.topics().length);
  });

  it('serves the app for client routes and a JSON 404 for unknown API paths', async () => {
    const page = await fetch(`${ctx.url}/topics/anything`);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const api = await fetch(`${ctx.url}/api/nope`);
    expect(api.status).toBe(404);
    expect(await api.json()).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('serves the first load compressed, under 300 KB, with hashed assets cached for a year', async () => {
    const html = await (await fetch(`${ctx.url}/`)).text();
    const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThan(1);
    let bytes = 0;
    for (const path of assets) {
      // node:http, so the body is not decoded and its transferred size is what a browser gets.
      const res = await new Promise<{
        headers: Record<string, string | string[] | undefined>;
        size: number;
      }>((resolve, reject) => {
        request(`${ctx.url}${path}`, { headers: { 'accept-encoding': 'br, gzip' } }, (r) => {
          let size = 0;
          r.on('data', (c: Buffer) => (size += c.length));
          r.on('end', () => resolve({ headers: r.headers, size }));
        })
          .on('error', reject)
          .end();
      });
      expect(res.headers['content-encoding'], path).toBe('br');
      expect(res.headers['cache-control'], path).toBe('public, max-age=31536000, immutable');
      bytes += res.size;
    }
    // The charts (ECharts, the world map) are not in it: they come with the pages that draw them.
    expect(bytes).toBeLessThan(300 * 1024);
    expect((await fetch(`${ctx.url}/`)).headers.get('cache-control')).toBe('no-cache');
  });

  it('answers the API compressed when the client takes it, and plain when it does not', async () => {
    const get = (encoding: string) =>
      new Promise<{ encoding: string | undefined; body: Buffer }>((resolve, reject) => {
        request(`${ctx.url}/api/topics`, { headers: { 'accept-encoding': encoding } }, (r) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () =>
            resolve({ encoding: r.headers['content-encoding'], body: Buffer.concat(chunks) }),
          );
        })
          .on('error', reject)
          .end();
      });
    const plain = await get('identity');
    expect(plain.encoding).toBeUndefined();
    const topics = JSON.parse(plain.body.toString('utf8')) as { ok: boolean };
    expect(topics.ok).toBe(true);
    const br = await get('br, gzip');
    expect(br.encoding).toBe('br');
    expect(br.body.length).toBeLessThan(plain.body.length / 2);
    expect(JSON.parse(brotliDecompressSync(br.body).toString('utf8'))).toEqual(topics);
    const gz = await get('gzip');
    expect(gz.encoding).toBe('gzip');
    expect(JSON.parse(gunzipSync(gz.body).toString('utf8'))).toEqual(topics);
  });
});
