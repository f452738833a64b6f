// Every number on a dashboard leads to the raw records behind it: for each chart kind, the
// drill-down a click builds (shared/drilldown.ts) returns records whose sums equal the value shown,
// both for live windows (socket aggregates) and for history (the windows API, with and without a query).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordsPage, TopicWindows } from '../../shared/api.ts';
import {
  drillAction,
  drillBucket,
  drillQuintuple,
  drillRegionPair,
  type DrillDown,
} from '../../shared/drilldown.ts';
import type { WindowAggregate } from '../../shared/events.ts';
import { getData } from '../helpers/api.ts';
import { connectClient, startApp, subscribeTopic, type TestSocket } from '../helpers/app.ts';
import { BACKENDS, backendFlags } from '../helpers/clickhouse.ts';

describe.each(BACKENDS)('drill-down reconciliation (%s store)', (backend) => {
  let ctx: Awaited<ReturnType<typeof startApp>>;
  let socket: TestSocket;
  const store = backendFlags(backend, 'reconciliation');

  beforeAll(async () => {
    ctx = await startApp([
      ...store.args(),
      '--speed',
      '60',
      '--publish-delay',
      '5',
      '--jitter',
      '0',
      '--backfill',
      '30',
    ]);
    socket = await connectClient(ctx.url);
    await ctx.app.store.flush();
  });
  afterAll(async () => {
    socket?.close();
    await ctx?.stop();
  });

  // Ranges end 10 (simulated) minutes back, at a 5-minute window boundary: later windows still get records
  // while a test compares two queries, and the simulator runs at 60x.
  const settledNow = () => Math.floor((ctx.app.clock.now() - 10 * 60_000) / 300_000) * 300_000;

  const topicOf = (format: 'eni' | 'ccn') =>
    ctx.app.catalog.topics().find((t) => t.format === format)!;

  async function recordsOf(topicId: string, d: DrillDown) {
    return getData<RecordsPage>(ctx.url, '/api/records', {
      topic: topicId,
      from: d.from,
      to: d.to,
      q: d.q,
      limit: 1,
    });
  }

  async function expectSum(topicId: string, d: DrillDown, bytes: number, packets?: number) {
    const page = await recordsOf(topicId, d);
    expect(page.sum.bytes, `${d.label} [${d.q}]`).toBe(bytes);
    if (packets !== undefined) expect(page.sum.packets, `${d.label} packets`).toBe(packets);
    return page;
  }

  async function liveWindows(topicId: string): Promise<WindowAggregate[]> {
    const reply = await subscribeTopic(socket, topicId);
    if (!reply.ok) throw new Error(reply.error.message);
    await ctx.app.store.flush();
    // Windows republished since the snapshot are compared at their stored revision below.
    return reply.data.windows.slice(-5, -1);
  }

  it('volume buckets and their ACCEPT / REJECT parts, live and rolled up', async () => {
    const topic = topicOf('eni');
    for (const w of await liveWindows(topic.id)) {
      const stored = ctx.app.aggregator.windows(
        topic.id,
        w.windowStart,
        w.windowStart + w.windowMs,
      )[0]!;
      await expectSum(
        topic.id,
        drillBucket(w.windowStart, w.windowMs, '', 'ACCEPT'),
        stored.accept.bytes,
        stored.accept.packets,
      );
      await expectSum(
        topic.id,
        drillBucket(w.windowStart, w.windowMs, '', 'REJECT'),
        stored.reject.bytes,
        stored.reject.packets,
      );
      const all = await expectSum(
        topic.id,
        drillBucket(w.windowStart, w.windowMs, ''),
        stored.accept.bytes + stored.reject.bytes,
      );
      expect(all.total).toBeGreaterThanOrEqual(stored.accept.records + stored.reject.records);
    }
    // The ENI topic aggregates in 5-minute windows: its finest step is 5 min.
    for (const step of ['5m', '10m']) {
      const h = await getData<TopicWindows>(ctx.url, `/api/topics/${topic.id}/windows`, {
        step,
        from: Date.now() - 86_400_000,
        to: Date.now() + 86_400_000 * 2,
      });
      expect(h.series.length).toBeGreaterThan(2);
      for (const p of h.series.slice(0, 3)) {
        await expectSum(
          topic.id,
          drillBucket(p.t, h.step, '', 'ACCEPT'),
          p.acceptBytes,
          p.acceptPackets,
        );
        await expectSum(
          topic.id,
          drillBucket(p.t, h.step, '', 'REJECT'),
          p.rejectBytes,
          p.rejectPackets,
        );
      }
    }
  });

  it('action ratio slices over a range, with and without a dashboard query', async () => {
    const topic = topicOf('eni');
    const now = settledNow();
    for (const q of ['', 'dstport:443', 'NOT srcaddr:10.0.0.0/16 OR protocol:udp']) {
      const h = await getData<TopicWindows>(ctx.url, `/api/topics/${topic.id}/windows`, {
        from: now - 3_600_000,
        to: now,
        q,
      });
      expect(h.accept.bytes + h.reject.bytes, `traffic under "${q}"`).toBeGreaterThan(0);
      await expectSum(
        topic.id,
        drillAction(h.from, h.to, q, 'ACCEPT'),
        h.accept.bytes,
        h.accept.packets,
      );
      await expectSum(
        topic.id,
        drillAction(h.from, h.to, q, 'REJECT'),
        h.reject.bytes,
        h.reject.packets,
      );
      for (const p of h.series.slice(-3))
        await expectSum(topic.id, drillBucket(p.t, h.step, q, 'REJECT'), p.rejectBytes);
    }
  });

  it('top quintuples of a live window and of a range', async () => {
    const topic = topicOf('eni');
    const [w] = await liveWindows(topic.id);
    const stored = ctx.app.aggregator.windows(
      topic.id,
      w!.windowStart,
      w!.windowStart + w!.windowMs,
    )[0]!;
    expect(stored.top.length).toBeGreaterThan(5);
    for (const row of stored.top.slice(0, 5)) {
      const page = await expectSum(
        topic.id,
        drillQuintuple(w!.windowStart, w!.windowStart + w!.windowMs, '', row),
        row.bytes,
        row.packets,
      );
      expect(page.total).toBe(row.records);
      await expectSum(
        topic.id,
        drillQuintuple(w!.windowStart, w!.windowStart + w!.windowMs, '', row, 'REJECT'),
        row.rejectBytes,
      );
    }
    const now = settledNow();
    const h = await getData<TopicWindows>(ctx.url, `/api/topics/${topic.id}/windows`, {
      from: now - 1_800_000,
      to: now,
      q: 'protocol:tcp',
    });
    for (const row of h.top.slice(0, 5))
      await expectSum(
        topic.id,
        drillQuintuple(h.from, h.to, 'protocol:tcp', row),
        row.bytes,
        row.packets,
      );
  });

  it('CCN flow-map lines and matrix cells', async () => {
    const topic = topicOf('ccn');
    const [w] = await liveWindows(topic.id);
    const stored = ctx.app.aggregator.windows(
      topic.id,
      w!.windowStart,
      w!.windowStart + w!.windowMs,
    )[0]!;
    expect(stored.regionPairs.length).toBeGreaterThan(5);
    for (const p of stored.regionPairs.slice(0, 4)) {
      const from = w!.windowStart;
      await expectSum(
        topic.id,
        drillRegionPair(from, from + w!.windowMs, '', p.src, p.dst, 'ACCEPT'),
        p.acceptBytes,
        p.acceptPackets,
      );
      await expectSum(
        topic.id,
        drillRegionPair(from, from + w!.windowMs, '', p.src, p.dst),
        p.acceptBytes + p.rejectBytes,
      );
    }
    const now = settledNow();
    const h = await getData<TopicWindows>(ctx.url, `/api/topics/${topic.id}/windows`, {
      from: now - 3_600_000,
      to: now,
    });
    const rejected = h.regionPairs.filter((p) => p.rejectBytes > 0);
    expect(rejected.length).toBeGreaterThan(0);
    for (const p of rejected.slice(0, 3))
      await expectSum(
        topic.id,
        drillRegionPair(h.from, h.to, '', p.src, p.dst, 'REJECT'),
        p.rejectBytes,
        p.rejectPackets,
      );
  });
});
