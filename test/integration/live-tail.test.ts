// The live tail over the socket: records pushed by a shipper reach a tailing client filtered by its
// query, in batches; a wrong query is refused with its position; and when more match than a batch
// holds, the rest is counted (matched = sent + skipped), never dropped silently.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TailBatch, TailSubscribed } from '../../shared/events.ts';
import type { Reply } from '../../shared/reply.ts';
import { connectClient, pushLines, startApp, type TestSocket } from '../helpers/app.ts';

const TOPIC = 'topic-nat-prod';
const now = () => Math.floor(Date.now() / 1000);
const natLine = (i: number, t: number, action = 'ACCEPT') =>
  `2 1300428518 nat-4fq8l2tw 10.0.2.${i % 250} 203.0.113.9 ${30000 + i} 443 6 3 ${1000 + i} ${t} ${t + 50} ${action} OK`;

const push = async (base: string, lines: string[]) =>
  expect(await pushLines(base, TOPIC, lines)).toBe(200);

function tail(socket: TestSocket, q: string, topicId = TOPIC): Promise<Reply<TailSubscribed>> {
  return new Promise((resolve) => socket.emit('tail:subscribe', { topicId, q }, resolve));
}

/** Collects batches until `done` says enough (or the time runs out). */
function collect(
  socket: TestSocket,
  done: (batches: TailBatch[]) => boolean,
  ms = 30_000,
): Promise<TailBatch[]> {
  const batches: TailBatch[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off('tail:records', on);
      reject(new Error(`timed out with ${batches.length} batches`));
    }, ms);
    const on = (b: TailBatch) => {
      batches.push(b);
      if (done(batches)) {
        clearTimeout(timer);
        socket.off('tail:records', on);
        resolve(batches);
      }
    };
    socket.on('tail:records', on);
  });
}

const matchedOf = (bs: TailBatch[]) => bs.reduce((n, b) => n + b.matched, 0);

describe('live tail', () => {
  let ctx: Awaited<ReturnType<typeof startApp>>;
  const sockets: TestSocket[] = [];
  beforeAll(async () => {
    ctx = await startApp(['--no-simulator'], { tail: { maxPerFlush: 50 } });
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await ctx?.stop();
  });

  it("sends committed records that match the client's query, and only those", async () => {
    const rejects = await connectClient(ctx.url);
    const all = await connectClient(ctx.url);
    sockets.push(rejects, all);
    const sub = await tail(rejects, 'action:REJECT');
    expect(sub).toMatchObject({ ok: true, data: { topicId: TOPIC, q: 'action:REJECT' } });
    expect((await tail(all, '')).ok).toBe(true);

    const t = now() - 120;
    const lines = Array.from({ length: 20 }, (_, i) =>
      natLine(i, t, i % 4 === 0 ? 'REJECT' : 'ACCEPT'),
    );
    const gotRejects = collect(rejects, (bs) => matchedOf(bs) >= 5);
    const gotAll = collect(all, (bs) => matchedOf(bs) >= 20);
    await push(ctx.url, lines);

    const r = (await gotRejects).flatMap((b) => b.records);
    expect(r.map((x) => x.srcport).sort()).toEqual([30000, 30004, 30008, 30012, 30016]);
    expect(r.every((x) => x.action === 'REJECT' && x.topicId === TOPIC)).toBe(true);
    expect(r[0]).toMatchObject({
      streamId: 'nat-4fq8l2tw',
      dstaddr: '203.0.113.9',
      windowStart: Math.floor(t / 60) * 60_000,
    });
    const a = await gotAll;
    expect(a.flatMap((b) => b.records)).toHaveLength(20);
    // Batches of one (topic, query) are numbered without gaps.
    expect(a.map((b) => b.seq)).toEqual(a.map((_, i) => a[0]!.seq + i));
  });

  it('refuses a wrong query with its reason and position, and an unknown topic', async () => {
    const s = await connectClient(ctx.url);
    sockets.push(s);
    const bad = await tail(s, 'action:REJECT AND (port:22');
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.error.code).toBe('bad_query');
      expect(bad.error.message).toMatch(/\)/);
      expect(bad.error.details).toMatchObject({ position: expect.any(Number) });
    }
    const none = await tail(s, '', 'topic-nope');
    expect(none).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('counts what a batch cannot hold: matched = sent + skipped', async () => {
    const s = await connectClient(ctx.url);
    sockets.push(s);
    expect((await tail(s, 'srcaddr:10.0.2.0/24')).ok).toBe(true);
    const t = now() - 60;
    const lines = Array.from({ length: 400 }, (_, i) => natLine(i, t));
    const got = collect(s, (bs) => matchedOf(bs) >= 400);
    await push(ctx.url, lines);
    const batches = await got;
    const sent = batches.reduce((n, b) => n + b.records.length, 0);
    const skipped = batches.reduce((n, b) => n + b.skipped, 0);
    expect(matchedOf(batches)).toBe(400);
    expect(sent + skipped).toBe(400);
    expect(skipped).toBeGreaterThan(0);
    expect(batches.every((b) => b.records.length <= 50)).toBe(true);
    // The newest are the ones sent.
    expect(batches.at(-1)!.records.at(-1)!.srcport).toBe(30399);

    // After unsubscribing nothing more comes.
    s.emit('tail:unsubscribe', { topicId: TOPIC });
    const after: TailBatch[] = [];
    s.on('tail:records', (b) => after.push(b));
    const other = await connectClient(ctx.url);
    sockets.push(other);
    await tail(other, 'srcaddr:10.0.2.0/24');
    const seen = collect(other, (bs) => matchedOf(bs) >= 10);
    await push(
      ctx.url,
      Array.from({ length: 10 }, (_, i) => natLine(i, t)),
    );
    await seen;
    expect(after).toEqual([]);
  });
});
