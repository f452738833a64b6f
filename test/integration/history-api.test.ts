// The history HTTP API as a client sees it: ranges in ISO or epoch ms, rollup steps, the query
// language with errors at their position, keyset pages that cover a result exactly once, exports.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordsPage, TopicWindows } from '../../shared/api.ts';
import { getData, getJson } from '../helpers/api.ts';
import { startApp } from '../helpers/app.ts';

describe('history API', () => {
  let ctx: Awaited<ReturnType<typeof startApp>>;
  let topicId: string;
  let natId: string;
  let now: number;

  beforeAll(async () => {
    ctx = await startApp(['--backfill', '90', '--jitter', '0']);
    topicId = ctx.app.catalog.topics().find((t) => t.range === 'ENI')!.id;
    // The NAT gateway topic: 1-minute capture windows, so every step applies.
    natId = ctx.app.catalog.topics().find((t) => t.range === 'NAT')!.id;
    // A backfill over an hour runs in slices after listen(): wait for it, then for the store.
    await ctx.app.simulator!.backfilled();
    await ctx.app.store.flush();
    // Ranges end at a window boundary two minutes back, where no more records arrive meanwhile.
    now = Math.floor((ctx.app.clock.now() - 2 * 60_000) / 60_000) * 60_000;
  });
  afterAll(async () => {
    await ctx?.stop();
  });

  it('rolls windows up by step and takes ISO or epoch times', async () => {
    const from = new Date(now - 90 * 60_000).toISOString();
    const to = new Date(now).toISOString();
    const byMinute = await getData<TopicWindows>(ctx.url, `/api/topics/${natId}/windows`, {
      from,
      to,
      step: '1m',
    });
    const by5 = await getData<TopicWindows>(ctx.url, `/api/topics/${natId}/windows`, {
      from: Date.parse(from),
      to: Date.parse(to),
      step: '5m',
    });
    const byHour = await getData<TopicWindows>(ctx.url, `/api/topics/${natId}/windows`, {
      from,
      to,
      step: '1h',
    });
    expect(byMinute.step).toBe(60_000);
    expect(by5.series.every((p) => p.t % 300_000 === 0)).toBe(true);
    expect(byMinute.series.length).toBeGreaterThanOrEqual(80);
    expect(by5.series.length).toBeLessThanOrEqual(20);
    expect(byHour.series.length).toBeLessThanOrEqual(3);
    const sum = (h: TopicWindows) =>
      h.series.reduce((s, p) => s + p.acceptBytes + p.rejectBytes, 0);
    expect(sum(by5)).toBe(sum(byMinute));
    expect(sum(byHour)).toBe(sum(byMinute));
    expect(sum(byMinute)).toBe(byMinute.accept.bytes + byMinute.reject.bytes);
    // auto: a 7-day range draws a few hundred points at most.
    const week = await getData<TopicWindows>(ctx.url, `/api/topics/${natId}/windows`, {
      from: now - 7 * 86_400_000,
      to: now,
    });
    expect(week.step).toBe(3_600_000);
  });

  it("never steps finer than a topic's capture window", async () => {
    const eni = ctx.app.catalog.topics().find((t) => t.range === 'ENI')!;
    expect(eni.windowSec).toBe(300);
    const auto = await getData<TopicWindows>(ctx.url, `/api/topics/${eni.id}/windows`, {
      from: now - 60 * 60_000,
      to: now,
    });
    expect(auto.step).toBe(300_000);
    expect(auto.series.every((p) => p.t % 300_000 === 0)).toBe(true);
    expect(auto.series.length).toBeGreaterThanOrEqual(10);
    const res = await getJson(ctx.url, `/api/topics/${eni.id}/windows`, { step: '1m' });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toMatch(/5-minute capture windows/);
  });

  it('answers bad input with a 4xx and a clear message', async () => {
    const cases: Array<[string, Record<string, string>, number, RegExp]> = [
      [
        `/api/topics/${topicId}/windows`,
        { from: 'yesterday' },
        400,
        /from must be an ISO 8601 time/,
      ],
      [
        `/api/topics/${topicId}/windows`,
        { from: String(now), to: String(now - 1) },
        400,
        /from must be before to/,
      ],
      [`/api/topics/${topicId}/windows`, { step: '7s' }, 400, /step must be/],
      ['/api/topics/no-such-topic/windows', {}, 404, /no topic/],
      ['/api/records', { limit: '0' }, 400, /limit must be/],
      ['/api/records', { sort: 'srcaddr:asc' }, 400, /sort must be/],
      ['/api/records', { cursor: 'garbage!' }, 400, /cursor/],
    ];
    for (const [path, params, status, message] of cases) {
      const r = await getJson(ctx.url, path, params);
      expect(r.status, `${path} ${JSON.stringify(params)}`).toBe(status);
      expect(r.body.ok).toBe(false);
      if (!r.body.ok) expect(r.body.error.message).toMatch(message);
    }
    const bad = await getJson(ctx.url, '/api/records', { q: 'dstport:443 AND (srcport:[1 TO' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ ok: false, error: { code: 'bad_query' } });
    if (!bad.body.ok) expect(bad.body.error.position).toBeGreaterThanOrEqual(20);
    const unknown = await getJson(ctx.url, '/api/records', { q: 'dstprot:443' });
    expect(unknown.body).toMatchObject({ ok: false, error: { code: 'bad_query', position: 0 } });
    if (!unknown.body.ok) expect(unknown.body.error.message).toMatch(/dstport/);
  });

  it('pages through a result exactly once, with totals over the whole match', async () => {
    const params = {
      topic: topicId,
      from: now - 10 * 60_000,
      to: now,
      q: 'dstport:3306 OR srcport:3306',
    };
    const first = await getData<RecordsPage>(ctx.url, '/api/records', { ...params, limit: 1000 });
    expect(first.total).toBeGreaterThan(1000);
    const seen = new Set<number>();
    let bytes = 0;
    let cursor: string | null = null;
    do {
      const page: RecordsPage = await getData<RecordsPage>(ctx.url, '/api/records', {
        ...params,
        limit: 1000,
        sort: 'bytes:desc',
        cursor: cursor ?? undefined,
      });
      for (const r of page.records) {
        expect(seen.has(r.seq)).toBe(false);
        seen.add(r.seq);
        bytes += (r.bytes as number | null) ?? 0;
        expect(r.dstport === 3306 || r.srcport === 3306).toBe(true);
      }
      for (let i = 1; i < page.records.length; i++)
        expect(page.records[i - 1]!.bytes as number).toBeGreaterThanOrEqual(
          page.records[i]!.bytes as number,
        );
      cursor = page.next;
    } while (cursor !== null);
    expect(seen.size).toBe(first.total);
    expect(bytes).toBe(first.sum.bytes);
  });

  it('searches across every topic and exports what it finds', async () => {
    const q = 'action:REJECT';
    const all = await getData<RecordsPage>(ctx.url, '/api/records', {
      from: now - 15 * 60_000,
      to: now,
      q,
    });
    expect(all.total).toBeGreaterThan(0);
    // The search covers every topic: its total is the sum of the per-topic totals.
    const perTopic = await Promise.all(
      ctx.app.catalog.topics().map(async (t) => {
        const page = await getData<RecordsPage>(ctx.url, '/api/records', {
          topic: t.id,
          from: now - 15 * 60_000,
          to: now,
          q,
          limit: 1,
        });
        return page.total;
      }),
    );
    expect(perTopic.reduce((a, b) => a + b, 0)).toBe(all.total);
    expect(perTopic.filter((n) => n > 0).length).toBeGreaterThan(1);

    const csv = await fetch(
      `${ctx.url}/api/records/export?format=csv&from=${now - 15 * 60_000}&to=${now}&q=${q}`,
    );
    expect(csv.headers.get('content-disposition')).toMatch(/attachment; filename=".+\.csv"/);
    const lines = (await csv.text()).trimEnd().split('\n');
    // One header across topics: every ENI field, the CCN-only ones, then storage; every row fits it.
    const header = lines[0]!.split(',');
    expect(lines[0]).toMatch(/^version,account-id,interface-id,srcaddr/);
    expect(header).toEqual(expect.arrayContaining(['ccnid', 'srcregionid', 'region-id', 'topic']));
    expect(lines.length - 1).toBe(all.total);
    const ccnRow = lines.slice(1).find((l) => l.includes('ccn-'));
    expect(ccnRow?.split(',')[header.indexOf('srcregionid')]).toMatch(/^[a-z]{2}-[a-z]+$/);
    for (const l of lines.slice(1, 50)) expect(l.split(',').length).toBe(header.length);

    const nd = await fetch(
      `${ctx.url}/api/records/export?format=ndjson&topic=${topicId}&from=${now - 15 * 60_000}&to=${now}&q=${q}`,
    );
    const rows = (await nd.text())
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.every((r) => r.action === 'REJECT' && r.topic === topicId)).toBe(true);
  });
});
