// POST /api/topics/:id/records as shippers use it: text, NDJSON and JSON arrays, gzipped or not,
// answered after the commit with accepted + filtered + rejected = lines; every refusal with its
// status (401, 403, 404, 413, 415, 429, 503) and nothing half-stored.
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordsPage } from '../../shared/api.ts';
import type { WindowAggregate } from '../../shared/events.ts';
import type { Reply } from '../../shared/reply.ts';
import type { PushResult } from '../../server/api/push.ts';
import { getJson } from '../helpers/api.ts';
import { garbageFile } from '../helpers/flowlog-files.ts';
import { bearer, connectClient, startApp, TEST_TOKENS, waitFor } from '../helpers/app.ts';

const TOPIC = 'topic-nat-prod';

async function push(
  base: string,
  body: string | Uint8Array,
  headers: Record<string, string> = {},
  topic = TOPIC,
): Promise<{ status: number; headers: Headers; body: Reply<PushResult> }> {
  const res = await fetch(new URL(`/api/topics/${topic}/records`, base), {
    method: 'POST',
    headers: { 'content-type': 'text/plain', ...bearer('ingest'), ...headers },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
  return {
    status: res.status,
    headers: res.headers,
    body: (await res.json()) as Reply<PushResult>,
  };
}

const now = () => Math.floor(Date.now() / 1000);
const natLine = (i: number, t: number, action = 'ACCEPT') =>
  `2 1300428518 nat-4fq8l2tw 10.0.2.${i % 250} 203.0.113.9 ${30000 + i} 443 6 3 ${1000 + i} ${t} ${t + 50} ${action} OK`;

describe('HTTP push', () => {
  let ctx: Awaited<ReturnType<typeof startApp>>;
  beforeAll(async () => {
    ctx = await startApp(['--no-simulator', '--max-body-mb', '1']);
  });
  afterAll(async () => {
    await ctx?.stop();
  });

  async function stored(q: string): Promise<number> {
    await ctx.app.store.flush();
    const r = await getJson<RecordsPage>(ctx.url, '/api/records', {
      topic: TOPIC,
      from: Date.now() - 86_400_000,
      to: Date.now() + 3_600_000,
      q,
      limit: 1,
    });
    return r.body.ok ? r.body.data.total : -1;
  }

  it('takes text lines, answers after the commit, and a subscriber sees the window', async () => {
    const socket = await connectClient(ctx.url);
    await new Promise((r) => socket.emit('topic:subscribe', { topicId: TOPIC }, r));
    const t = now() - 120;
    const published = waitFor<WindowAggregate>(
      (cb) => {
        socket.on('window:published', cb);
        return () => socket.off('window:published', cb);
      },
      (w) => w.topicId === TOPIC && w.accept.records >= 3,
      15_000,
    );
    const r = await push(ctx.url, [natLine(1, t), natLine(2, t), natLine(3, t)].join('\n'));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      ok: true,
      data: { lines: 3, accepted: 3, filtered: 0, rejected: 0, errors: [] },
    });
    expect(await stored('srcport:[30001 TO 30003]')).toBe(3);
    const w = await published;
    expect(w.windowStart).toBe(Math.floor(t / 60) * 60_000);
    socket.close();
  });

  it('keeps every good line around bad ones, and says where each bad one is', async () => {
    const t = now() - 180;
    const body = [
      natLine(10, t),
      'not a flow log line',
      natLine(11, t),
      `2 1300428518 nat-4fq8l2tw 10.0.2.1 203.0.113.9 70000 443 6 3 100 ${t} ${t + 50} ACCEPT OK`,
      '',
      natLine(12, t),
    ].join('\r\n');
    const r = await push(ctx.url, body);
    expect(r.status).toBe(200);
    if (!r.body.ok) throw new Error(r.body.error.message);
    const d = r.body.data;
    expect(d).toMatchObject({ lines: 6, accepted: 3, filtered: 1, rejected: 2 });
    expect(d.accepted + d.filtered + d.rejected).toBe(d.lines);
    expect(d.errors.map((e) => e.line)).toEqual([2, 4]);
    expect(d.errors[1]!.error).toMatch(/70000/);
    expect(await stored('srcport:[30010 TO 30012]')).toBe(3);
  });

  it('takes NDJSON and JSON arrays: {"message": line}, {"log": line} or objects keyed by field names, gzipped too', async () => {
    const t = now() - 240;
    const fields = {
      version: '2',
      'account-id': '1300428518',
      'interface-id': 'nat-4fq8l2tw',
      srcaddr: '10.0.2.7',
      dstaddr: '198.51.100.4',
      srcport: 30100,
      dstport: 53,
      protocol: 17,
      packets: 2,
      bytes: 180,
      start: t,
      end: t + 30,
      action: 'ACCEPT',
      'log-status': 'OK',
    };
    const ndjson = [
      // As Vector's http sink sends a file source's event: the line and its metadata.
      JSON.stringify({
        message: natLine(101, t),
        timestamp: new Date().toISOString(),
        host: 'nat-probe',
        file: '/var/log/flows/nat.log',
      }),
      JSON.stringify(fields),
      // As Fluent Bit's http output (json_lines) sends a tail input's record.
      JSON.stringify({ date: t + 0.5, log: natLine(104, t) }),
      '{"message": 42}',
      '{broken',
    ].join('\n');
    const r1 = await push(ctx.url, ndjson, { 'content-type': 'application/x-ndjson' });
    expect(r1.body).toMatchObject({ ok: true, data: { lines: 5, accepted: 3, rejected: 2 } });

    const array = JSON.stringify([{ message: natLine(102, t) }, { ...fields, srcport: 30103 }, 7]);
    const r2 = await push(ctx.url, gzipSync(array), {
      'content-type': 'application/json; charset=utf-8',
      'content-encoding': 'gzip',
    });
    expect(r2.body).toMatchObject({ ok: true, data: { lines: 3, accepted: 2, rejected: 1 } });
    expect(await stored('srcport:[30100 TO 30104]')).toBe(5);

    const bad = await push(ctx.url, '[{"message": "x"', { 'content-type': 'application/json' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ ok: false, error: { code: 'bad_json' } });
  });

  it('takes a format for lines that carry no header (X-Flowdeck-Format)', async () => {
    const t = now() - 300;
    const r = await push(ctx.url, `10.0.2.9 203.0.113.8 30200 443 6 ${t} ${t + 20} ACCEPT`, {
      'x-flowdeck-format': 'srcaddr dstaddr srcport dstport protocol start end action',
    });
    expect(r.body).toMatchObject({ ok: true, data: { lines: 1, accepted: 1 } });
    const bad = await push(ctx.url, 'x', { 'x-flowdeck-format': 'srcadr dstaddr' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ ok: false, error: { code: 'bad_format' } });
  });

  it('answers 401 without a valid ingest token, 404 for an unknown topic, 415 for another type', async () => {
    const none = await push(ctx.url, natLine(1, now()), { authorization: '' });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/Bearer/);
    const wrong = await push(ctx.url, natLine(1, now()), {
      authorization: 'Bearer nope-nope-nope',
    });
    expect(wrong.status).toBe(401);
    // The admin token may push too; a reader may not.
    const admin = await push(ctx.url, natLine(400, now() - 60), bearer('admin'));
    expect(admin.status).toBe(200);
    expect((await push(ctx.url, 'x', {}, 'no-such-topic')).status).toBe(404);
    const xml = await push(ctx.url, '<x/>', { 'content-type': 'application/xml' });
    expect(xml.status).toBe(415);
    const br = await push(ctx.url, 'x', { 'content-encoding': 'br' });
    expect(br.status).toBe(415);
    expect(br.body).toMatchObject({ ok: false, error: { code: 'unsupported_encoding' } });
  });

  it('answers 413 for a body over the limit, and stops a gzip bomb at the limit', async () => {
    const t = now() - 60;
    const big = Array.from({ length: 12_000 }, (_, i) => natLine(i, t)).join('\n'); // ~1.2 MB
    const r = await push(ctx.url, big);
    expect(r.status).toBe(413);
    expect(r.body).toMatchObject({ ok: false, error: { code: 'too_large' } });
    // 1 GiB of zeros, 1 MiB compressed: read up to the 1 MiB limit, then refused.
    const bomb = gzipSync(Buffer.alloc(64 * 1048576), { level: 9 });
    const before = process.memoryUsage().rss;
    const b = await push(ctx.url, bomb, { 'content-encoding': 'gzip' });
    expect(b.status).toBe(413);
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1048576);
    expect(await stored('srcport:[30500 TO 42000]')).toBe(0);
  });

  it('slows down a client that keeps sending wrong tokens', async () => {
    let last = 0;
    for (let i = 0; i < 7; i++) {
      const r = await push(ctx.url, 'x', { authorization: `Bearer wrong-token-${i}` });
      last = r.status;
      if (r.status === 429) {
        expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
        break;
      }
    }
    expect(last).toBe(429);
    // Even the right token waits now (it is not checked until the wait is over).
    const right = await push(ctx.url, natLine(1, now()), {
      authorization: `Bearer ${TEST_TOKENS.ingest}`,
    });
    expect(right.status).toBe(429);
    ctx.app.auth.throttle.succeeded('127.0.0.1');
  });
});

describe('HTTP push against a full store', () => {
  it('answers 503 with Retry-After, before taking anything of the request', async () => {
    const ctx = await startApp(['--no-simulator'], {
      store: { maxQueuedRecords: 100, batchMaxRecords: 100, flushIntervalMs: 3000 },
    });
    try {
      const t = now() - 60;
      const lines = (from: number, n = 45) =>
        Array.from({ length: n }, (_, i) => natLine(from + i, t)).join('\n');
      // Another source holds 60 of the 100 places until its batch goes (3 s).
      const held = ctx.app.ingest.ingest({
        topicId: TOPIC,
        source: 'test',
        origin: 'holder',
        lines: lines(500, 60).split('\n'),
      });
      expect(ctx.app.store.backlog()).toBe(60);
      const refused = await push(ctx.url, lines(0));
      // 60 + 45 do not fit: 503, and nothing of the request was parsed or stored.
      expect(refused.status).toBe(503);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(refused.body).toMatchObject({ ok: false, error: { code: 'store_busy' } });
      await held;
      const again = await push(ctx.url, lines(0));
      expect(again.body).toMatchObject({ ok: true, data: { accepted: 45 } });
      await ctx.app.store.flush();
      expect(ctx.app.store.metrics().recordsAppended).toBe(105);
      // A request that can never fit in one batch is told so.
      const huge = await push(ctx.url, lines(300, 51));
      expect(huge.status).toBe(413);
      expect(huge.body).toMatchObject({ ok: false, error: { code: 'too_many_lines' } });
    } finally {
      await ctx.stop();
    }
  });
});

describe('HTTP push of a garbage file', () => {
  it('accounts for every line: accepted + filtered + rejected = lines, good lines all stored', async () => {
    const ctx = await startApp(['--no-simulator']);
    try {
      const f = garbageFile(100_000, now() - 600);
      const r = await push(ctx.url, gzipSync(f.bytes), { 'content-encoding': 'gzip' });
      expect(r.status).toBe(200);
      if (!r.body.ok) throw new Error(r.body.error.message);
      const d = r.body.data;
      expect(d).toMatchObject({
        lines: f.lines,
        accepted: f.good,
        filtered: f.headers,
        rejected: f.bad,
      });
      expect(d.accepted + d.filtered + d.rejected).toBe(d.lines);
      // The first 100 errors are listed, the counts are exact.
      expect(d.errors).toHaveLength(100);
      expect(d.errors.map((e) => e.line)).toEqual(f.badLines.slice(0, 100));
      await ctx.app.store.flush();
      const page = await ctx.app.store.rejectedLines({ topicId: TOPIC, limit: 1 });
      expect(page.total).toBe(f.bad);
      const stored = await ctx.app.store.queryRecords({
        topicId: TOPIC,
        fromMs: 0,
        toMs: Date.now() + 86_400_000,
        limit: 1,
      });
      expect(stored.total).toBe(f.good);
    } finally {
      await ctx.stop();
    }
  });
});
