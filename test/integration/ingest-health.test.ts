// A topic's ingest-health panel and its rejected-lines view, as an operator reads them: lines per
// minute by result, each log stream's last record and publish lag, when a new flow log's first
// records are expected, a stream that fell silent, and the bad lines filtered by reason and source.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RejectedLinesPage, TopicIngestHealth } from '../../shared/api.ts';
import type { FlowLogInfo } from '../../shared/catalog.ts';
import type { Reply } from '../../shared/reply.ts';
import { manualClock } from '../../server/clock.ts';
import { bearer, startApp } from '../helpers/app.ts';

const MIN = 60_000;

async function call<T>(base: string, method: string, path: string, body?: unknown, role = 'admin') {
  const headers: Record<string, string> = {
    ...bearer(role as 'admin' | 'ingest'),
    ...(body === undefined
      ? {}
      : { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json' }),
  };
  const res = await fetch(new URL(path, base), {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Reply<T> };
}

function data<T>(r: { status: number; body: Reply<T> }): T {
  if (!r.body.ok) throw new Error(`${r.status} ${r.body.error.code}: ${r.body.error.message}`);
  return r.body.data;
}

const natLine = (nat: string, i: number, startSec: number, extra = '') =>
  `2 1300428518 ${nat} 10.0.2.${i % 250} 203.0.113.9 ${30000 + i} 443 6 3 ${1000 + i} ${startSec} ${startSec + 50} ACCEPT OK${extra}`;

describe('ingest health', () => {
  // A clock that only moves when told, on a minute boundary plus 10 s.
  const clock = manualClock(Math.floor(Date.now() / MIN) * MIN + 10_000);
  let ctx: Awaited<ReturnType<typeof startApp>>;
  let fl: FlowLogInfo;

  beforeAll(async () => {
    ctx = await startApp(['--no-simulator'], { clock });
    fl = data(
      await call<FlowLogInfo>(ctx.url, 'POST', '/api/flowlogs', {
        name: 'edge nat',
        range: 'NAT',
        resourceId: 'nat-health01',
        vpcId: 'vpc-health01',
      }),
    );
  });
  afterAll(async () => {
    await ctx?.stop();
  });

  const health = async () =>
    data(await call<TopicIngestHealth>(ctx.url, 'GET', `/api/topics/${fl.topicId}/ingest`));

  it('says when a new flow log’s first records are expected, before any arrive', async () => {
    const h = await health();
    expect(h.minutes).toHaveLength(60);
    // The server started just now: its counts cover less than the hour, and it says so.
    expect(h.countedSince).toBeGreaterThan(h.minutes[0]!.t);
    expect(h.countedSince).toBeLessThanOrEqual(clock.now());
    expect(h.totals).toEqual({ accepted: 0, filtered: 0, rejected: 0 });
    expect(h.streams).toHaveLength(1);
    const s = h.streams[0]!;
    expect(s).toMatchObject({
      streamId: 'nat-health01',
      flowLogId: fl.id,
      flowLogName: 'edge nat',
      enabled: true,
      lastArrival: null,
      silent: false,
    });
    // One 1-minute capture window plus the five-minute publication delay: about six minutes.
    expect(s.expectedBy).toBe(fl.createdAt + 6 * MIN);
  });

  it('counts pushed lines by result, and shows each stream’s last record and publish lag', async () => {
    // Records of the window that started two minutes ago, arriving now: lag = now - window end.
    const windowStart = clock.now() - 10_000 - 2 * MIN;
    const t = windowStart / 1000;
    const lines = [
      ...Array.from({ length: 20 }, (_, i) => natLine('nat-health01', i, t)),
      natLine('nat-health01', 99, t).replace(' 443 ', ' 99999 '), // a bad port
      natLine('nat-other999', 1, t), // a resource no flow log of the topic collects
      'not a flow log line',
    ];
    const pushed = data(
      await call<{ accepted: number; rejected: number }>(
        ctx.url,
        'POST',
        `/api/topics/${fl.topicId}/records`,
        `${lines.join('\n')}\n`,
        'ingest',
      ),
    );
    expect(pushed).toMatchObject({ accepted: 21, rejected: 2 });

    const h = await health();
    expect(h.totals).toEqual({ accepted: 21, filtered: 0, rejected: 2 });
    expect(h.minutes.at(-1)).toMatchObject({ t: clock.now() - 10_000, accepted: 21, rejected: 2 });
    // The configured stream first, then the unclaimed one.
    expect(h.streams.map((s) => [s.streamId, s.flowLogId])).toEqual([
      ['nat-health01', fl.id],
      ['nat-other999', null],
    ]);
    const s = h.streams[0]!;
    expect(s.lastArrival).toBe(clock.now());
    expect(s.lastWindowStart).toBe(windowStart);
    expect(s.publishLagMs).toBe(clock.now() - (windowStart + MIN));
    expect(s.expectedBy).toBeNull();
    expect(s.silent).toBe(false);
    // The newest bad lines, each with its line number and reason.
    expect(h.lastErrors.map((e) => [e.line, e.reason])).toEqual([
      [23, expect.any(String)],
      [21, 'bad-port'],
    ]);
  });

  it('filters the rejected lines by reason and by source', async () => {
    const all = data(
      await call<RejectedLinesPage>(ctx.url, 'GET', `/api/ingest/rejected?topic=${fl.topicId}`),
    );
    expect(all.total).toBe(2);
    expect(all.byReason.map((r) => r.count).sort()).toEqual([1, 1]);
    expect(all.bySource).toEqual([expect.objectContaining({ source: 'push', count: 2 })]);
    const port = data(
      await call<RejectedLinesPage>(
        ctx.url,
        'GET',
        `/api/ingest/rejected?topic=${fl.topicId}&reason=bad-port`,
      ),
    );
    expect(port.total).toBe(1);
    expect(port.lines[0]).toMatchObject({
      line: 21,
      source: 'push',
      rawLength: port.lines[0]!.raw.length,
    });
    expect(port.lines[0]!.raw).toContain(' 99999 ');
    const none = data(
      await call<RejectedLinesPage>(
        ctx.url,
        'GET',
        `/api/ingest/rejected?topic=${fl.topicId}&source=file`,
      ),
    );
    expect(none.total).toBe(0);
    expect((await call(ctx.url, 'GET', '/api/ingest/rejected?topic=no-such-topic')).status).toBe(
      404,
    );
  });

  it('marks a stream silent after two windows plus the publish delay without a record', async () => {
    clock.advance(2 * MIN + 5 * MIN - 5_000);
    expect((await health()).streams[0]!.silent).toBe(false);
    clock.advance(10_000);
    const h = await health();
    expect(h.streams[0]!.silent).toBe(true);
    // A disabled flow log is not expected to send, so it is not silent.
    data(await call(ctx.url, 'PATCH', `/api/flowlogs/${fl.id}`, { enabled: false }));
    expect((await health()).streams[0]).toMatchObject({ enabled: false, silent: false });
  });
});
