// Hostile and heavy queries against a real server and a real DuckDB file (loopback only, bounded
// counts): queries over the term or wildcard limit are refused with the position; heavy queries
// whose clients went away are interrupted, so the next reader is answered at once; a deadline
// answers 503; a client with too many waiting gets 429; clients take turns.
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reply } from '../../shared/reply.ts';
import { MAX_QUERY_TERMS } from '../../shared/query/index.ts';
import { startApp } from '../helpers/app.ts';

const TOPIC = 'topic-eni-prod';
/** 16 wildcards and 48 keywords matching nothing: every row of the range is compared 64 times. */
const HEAVY = [
  ...Array.from({ length: 16 }, (_, i) => `z${i}*`),
  ...Array.from({ length: 48 }, (_, i) => `zz${i}q`),
].join(' OR ');

/**
 * A GET on a connection of its own that the client can walk away from, as a browser tab closed or
 * a `curl -m 2` does: abandon() closes the connection before the answer.
 */
function abandonable(u: URL, headers: Record<string, string>) {
  const req = request(u, { agent: false, headers });
  /** The answer's status, or 0 when the client walked away first. */
  const done = new Promise<number>((resolve) => {
    req.on('response', (res) => res.resume().on('end', () => resolve(res.statusCode ?? 0)));
    req.on('error', () => resolve(0));
    req.on('close', () => resolve(0));
  });
  req.end();
  return { abandon: () => req.destroy(), done };
}

async function until(cond: () => boolean | Promise<boolean>, ms: number, what: string) {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('bounded query cost', () => {
  let ctx: Awaited<ReturnType<typeof startApp>>;
  let dir: string;
  let from: number;
  const url = (path: string, params: Record<string, string | number>) => {
    const u = new URL(path, ctx.url);
    for (const [k, v] of Object.entries(params)) u.searchParams.set(k, String(v));
    return u;
  };
  async function get(path: string, params: Record<string, string | number>, headers = {}) {
    const t = performance.now();
    const res = await fetch(url(path, params), { headers });
    const body = (await res.json()) as Reply<unknown>;
    return { status: res.status, body, ms: performance.now() - t, headers: res.headers };
  }

  beforeAll(async () => {
    // Two and a half hours of the simulator's traffic (about a million records), clients told
    // apart by X-Forwarded-For.
    dir = await mkdtemp(join(tmpdir(), 'flowdeck-query-cost-'));
    ctx = await startApp([
      ...['--data', dir, '--backfill', '150', '--publish-delay', '5', '--jitter', '0'],
      ...['--trust-proxy', '--query-timeout', '20'],
    ]);
    // The backfill runs in slices after listen: wait until it is all stored.
    await until(() => !ctx.app.simulator!.metrics().backfilling, 150_000, 'the backfill');
    await ctx.app.ingest.idle();
    await ctx.app.store.flush();
    // The hourly rollups of the new history are built now, not while the tests measure.
    await ctx.app.store.maintain();
    from = ctx.app.clock.now() - 3 * 3_600_000;
  }, 180_000);
  afterAll(async () => {
    await ctx?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a query over the term limit with the position of the first term over it', async () => {
    const q = Array.from({ length: MAX_QUERY_TERMS + 1 }, (_, i) => `k${i}`).join(' OR ');
    const r = await get('/api/records', { q, limit: 1 });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({
      ok: false,
      error: {
        code: 'bad_query',
        message: expect.stringContaining('too many terms'),
        position: q.lastIndexOf(`k${MAX_QUERY_TERMS}`),
      },
    });
  });

  it('interrupts heavy queries whose clients went away: the next readers are answered at once', async () => {
    // Both readers answer (and their caches are warm) before the attack.
    expect((await get('/api/records', { limit: 1, from })).status).toBe(200);
    expect((await get(`/api/topics/${TOPIC}/windows`, { from })).status).toBe(200);
    const cancelledBefore = ctx.app.store.metrics().readsCancelled;
    const heavy = ['10.9.9.1', '10.9.9.2'].map((client) =>
      abandonable(url(`/api/topics/${TOPIC}/windows`, { q: HEAVY, from }), {
        'x-forwarded-for': client,
      }),
    );
    // Both run (the two history slots are taken), then their clients go away.
    await until(() => ctx.app.reads.metrics().running === 2, 10_000, 'two heavy queries running');
    for (const h of heavy) h.abandon();
    // Neither was answered: their clients left first.
    expect(await Promise.all(heavy.map((h) => h.done))).toEqual([0, 0]);
    await until(
      () => ctx.app.store.metrics().readsCancelled >= cancelledBefore + 2,
      5_000,
      'both interrupted',
    );
    await until(() => ctx.app.reads.metrics().running === 0, 5_000, 'both slots free');

    const records = await get('/api/records', { limit: 1, from });
    expect(records.status).toBe(200);
    expect(records.ms).toBeLessThan(2_000);
    const windows = await get(`/api/topics/${TOPIC}/windows`, { from });
    expect(windows.status).toBe(200);
    expect(windows.ms).toBeLessThan(2_000);
    expect(ctx.app.reads.metrics().abandoned).toBeGreaterThanOrEqual(2);
  }, 60_000);

  it('refuses a client with too many queries waiting (429), and lets other clients take turns', async () => {
    const greedy = Array.from({ length: 12 }, () =>
      abandonable(url('/api/records', { q: HEAVY, from, limit: 1 }), {
        'x-forwarded-for': '10.7.7.7',
      }),
    );
    // One runs (a client has one slot), eight wait, the other three are refused at once.
    const refusedBefore = ctx.app.reads.metrics().refused;
    await until(
      () => ctx.app.reads.metrics().refused === refusedBefore + 3,
      10_000,
      'three refused',
    );
    // Clients take turns: the other client is answered before the greedy one's queue (no
    // time limit here: on a busy machine the turn itself may take a while).
    let greedyAnswered = 0;
    for (const g of greedy) void g.done.then((st) => st === 200 && greedyAnswered++);
    const other = await get('/api/records', { limit: 1, from }, { 'x-forwarded-for': '10.8.8.8' });
    expect(other.status).toBe(200);
    expect(greedyAnswered).toBeLessThanOrEqual(1);
    expect(ctx.app.reads.metrics().waiting).toBeGreaterThan(0);
    for (const g of greedy) g.abandon();
    const statuses = await Promise.all(greedy.map((g) => g.done));
    expect(statuses.filter((st) => st === 429)).toHaveLength(3);
    await until(() => ctx.app.reads.metrics().running === 0, 10_000, 'all stopped');
    expect(ctx.app.reads.metrics().waiting).toBe(0);
  }, 60_000);
  it('answers 503 past the deadline, and the query is stopped', async () => {
    // The same data, served again with a deadline of a tenth of a second.
    await ctx.stop();
    const short = await startApp(['--no-simulator', '--query-timeout', '0.1', '--data', dir]);
    try {
      const cancelledBefore = short.app.store.metrics().readsCancelled;
      const u = new URL(`/api/topics/${TOPIC}/windows`, short.url);
      u.searchParams.set('q', HEAVY);
      u.searchParams.set('from', String(from));
      const res = await fetch(u);
      const body = (await res.json()) as Reply<unknown>;
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(body).toMatchObject({
        ok: false,
        error: { code: 'query_timeout', message: expect.stringContaining('0.1 s deadline') },
      });
      expect(short.app.store.metrics().readsCancelled).toBe(cancelledBefore + 1);
    } finally {
      await short.stop();
    }
  }, 60_000);
});
