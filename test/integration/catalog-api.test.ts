// Flow-log management over HTTP, as the console has it: the catalog lives in the store (it
// survives a restart), a change takes effect live (the overview and open dashboards hear of it,
// ingest filters by it), only a flow log's name and tags change after creation, and a topic that
// holds data is deleted only when confirmed.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordsPage } from '../../shared/api.ts';
import type { FlowLogInfo, LogsetInfo, TopicInfo } from '../../shared/catalog.ts';
import type { CatalogUpdate } from '../../shared/events.ts';
import type { Reply } from '../../shared/reply.ts';
import { getJson } from '../helpers/api.ts';
import { bearer, connectClient, startApp, waitFor, type TestSocket } from '../helpers/app.ts';

const args = (dir: string) => ['--data', dir, '--no-simulator'];

async function send<T>(
  base: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Reply<T> }> {
  const res = await fetch(new URL(path, base), {
    method,
    headers: {
      ...bearer('admin'),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Reply<T> };
}

const eniFlowLog = {
  name: 'payments web-03',
  range: 'ENI',
  resourceId: 'eni-pay00003',
  resourceName: 'web-03',
  vpcId: 'vpc-pay00001',
  subnetId: 'subnet-pay00001',
  collectionType: 'REJECT',
  tags: { env: 'prod', owner: '' },
};

function catalogUpdates(socket: TestSocket, pred: (u: CatalogUpdate) => boolean) {
  return waitFor<CatalogUpdate>(
    (cb) => {
      socket.on('catalog:updated', cb);
      return () => socket.off('catalog:updated', cb);
    },
    pred,
    10_000,
  );
}

describe('flow-log management API', () => {
  let dir: string;
  let ctx: Awaited<ReturnType<typeof startApp>>;
  let socket: TestSocket;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flowdeck-catalog-'));
    ctx = await startApp(args(dir));
    socket = await connectClient(ctx.url);
  });
  afterAll(async () => {
    socket?.close();
    await ctx?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('starts an empty data directory with the default catalog', async () => {
    const r = await getJson<LogsetInfo[]>(ctx.url, '/api/topics');
    expect(r.body.ok && r.body.data.map((l) => l.id)).toEqual(['flowlog_logset']);
    const fls = await getJson<FlowLogInfo[]>(ctx.url, '/api/flowlogs');
    expect(fls.body.ok && fls.body.data.length).toBe(9);
  });

  it('creates a flow log with a topic created by the system, and every socket hears of it', async () => {
    const heard = catalogUpdates(socket, (u) =>
      u.logsets.some((l) =>
        l.topics.some((t) => t.flowLogs.some((f) => f.name === eniFlowLog.name)),
      ),
    );
    const r = await send<FlowLogInfo>(ctx.url, 'POST', '/api/flowlogs', eniFlowLog);
    expect(r.status).toBe(201);
    if (!r.body.ok) throw new Error(r.body.error.message);
    const fl = r.body.data;
    expect(fl).toMatchObject({
      ...eniFlowLog,
      captureWindowSec: 300, // the ENI default
      logsetId: 'flowlog_logset', // "created by system": the system logset
      enabled: true,
      simulated: false,
    });
    expect(fl.id).toMatch(/^fl-[a-z0-9]{8}$/);
    const topic = ctx.app.catalog.topic(fl.topicId)!;
    expect(topic).toMatchObject({ name: eniFlowLog.name, range: 'ENI', windowSec: 300 });
    expect(topic.streams).toEqual([
      { id: 'eni-pay00003', name: 'web-03', flowLogId: fl.id, enabled: true },
    ]);
    const update = await heard;
    expect(update.version).toBeGreaterThan(1);
  });

  it('shows form errors on their field', async () => {
    const r = await send(ctx.url, 'POST', '/api/flowlogs', {
      name: '',
      range: 'ENI',
      resourceId: 'nat-12345678',
      collectionType: 'SOME',
      captureWindowSec: 120,
      tags: { '': 'x' },
      colour: 'red',
    });
    expect(r.status).toBe(400);
    expect(r.body.ok).toBe(false);
    if (r.body.ok) return;
    expect(r.body.error.code).toBe('invalid');
    const byPath = Object.fromEntries((r.body.error.fields ?? []).map((f) => [f.path, f.message]));
    expect(byPath).toMatchObject({
      name: 'the name is required',
      collectionType: 'the collection type is ALL, ACCEPT or REJECT',
      captureWindowSec: 'the capture window is 60, 300, 600 seconds',
      '': 'unknown field: colour',
    });
    // Range rules need the other fields to be valid first; a fixed body shows them.
    const r2 = await send(ctx.url, 'POST', '/api/flowlogs', {
      name: 'x',
      range: 'ENI',
      resourceId: 'nat-12345678',
    });
    const fields2 = r2.body.ok ? [] : (r2.body.error.fields ?? []);
    expect(fields2).toEqual([
      { path: 'resourceId', message: 'an ENI resource id looks like eni-7m2k9q4d' },
      { path: 'vpcId', message: 'the VPC is required' },
      { path: 'subnetId', message: 'the subnet is required' },
    ]);
  });

  it('changes only the name, the tags and collection; anything else is 409 immutable', async () => {
    const fl = ctx.app.catalog.flowLogs().find((f) => f.name === eniFlowLog.name)!;
    const renamed = await send<FlowLogInfo>(ctx.url, 'PATCH', `/api/flowlogs/${fl.id}`, {
      name: 'payments web-03 (edge)',
      tags: { env: 'prod', owner: 'payments' },
      collectionType: 'REJECT', // unchanged: fine
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body.ok && renamed.body.data).toMatchObject({
      name: 'payments web-03 (edge)',
      tags: { env: 'prod', owner: 'payments' },
    });
    for (const change of [
      { collectionType: 'ALL' },
      { resourceId: 'eni-pay00009' },
      { captureWindowSec: 60 },
      { topicId: 'topic-eni-prod' },
    ]) {
      const r = await send(ctx.url, 'PATCH', `/api/flowlogs/${fl.id}`, change);
      expect(r.status, JSON.stringify(change)).toBe(409);
      expect(r.body).toMatchObject({ ok: false, error: { code: 'immutable' } });
      if (!r.body.ok) expect(r.body.error.message).toMatch(/delete it and create a new one/);
    }
    const off = await send<FlowLogInfo>(ctx.url, 'PATCH', `/api/flowlogs/${fl.id}`, {
      enabled: false,
    });
    expect(off.body.ok && off.body.data.enabled).toBe(false);
    expect(ctx.app.catalog.topic(fl.topicId)!.streams[0]!.enabled).toBe(false);
    await send(ctx.url, 'PATCH', `/api/flowlogs/${fl.id}`, { enabled: true });
  });

  it('filters records at ingest by the collection type and the enabled switch, live', async () => {
    const fl = ctx.app.catalog.flowLogs().find((f) => f.resourceId === 'eni-pay00003')!;
    const t = Math.floor(Date.now() / 1000) - 400;
    const line = (action: string) =>
      `2 1300428518 eni-pay00003 10.8.0.3 10.8.1.9 40000 443 6 3 900 ${t} ${t + 60} ${action} OK`;
    const batch = { topicId: fl.topicId, source: 'test', origin: 'catalog-api test', lines: [] };
    expect(
      await ctx.app.ingest.ingest({ ...batch, lines: [line('ACCEPT'), line('REJECT')] }),
    ).toMatchObject({
      lines: 2,
      accepted: 1,
      filtered: 1,
      rejected: 0,
      filteredBy: { 'collection-type': 1 },
    });
    await send(ctx.url, 'PATCH', `/api/flowlogs/${fl.id}`, { enabled: false });
    expect(await ctx.app.ingest.ingest({ ...batch, lines: [line('REJECT')] })).toMatchObject({
      accepted: 0,
      filtered: 1,
      filteredBy: { disabled: 1 },
    });
    await send(ctx.url, 'PATCH', `/api/flowlogs/${fl.id}`, { enabled: true });
  });

  it('refuses a capture window longer than its topic aggregates in', async () => {
    const r = await send(ctx.url, 'POST', '/api/flowlogs', {
      ...eniFlowLog,
      name: 'slow eni',
      resourceId: 'eni-slow0001',
      topicId: 'topic-eni-prod',
      captureWindowSec: 600,
    });
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ ok: false, error: { code: 'window_mismatch' } });
    // A shorter window fits: its records fold into the topic's 5-minute windows.
    const ok = await send<FlowLogInfo>(ctx.url, 'POST', '/api/flowlogs', {
      ...eniFlowLog,
      name: 'fast eni',
      resourceId: 'eni-fast0001',
      topicId: 'topic-eni-prod',
      captureWindowSec: 60,
    });
    expect(ok.status).toBe(201);
    // One flow log per resource in a topic.
    const twice = await send(ctx.url, 'POST', '/api/flowlogs', {
      ...eniFlowLog,
      name: 'again',
      resourceId: 'eni-fast0001',
      topicId: 'topic-eni-prod',
    });
    expect(twice.status).toBe(409);
    expect(twice.body).toMatchObject({ ok: false, error: { code: 'conflict' } });
  });

  it('creates, renames and deletes logsets and topics', async () => {
    const ls = await send<LogsetInfo>(ctx.url, 'POST', '/api/logsets', { name: 'payments' });
    expect(ls.status).toBe(201);
    if (!ls.body.ok) throw new Error(ls.body.error.message);
    const logsetId = ls.body.data.id;
    const topic = await send<TopicInfo>(ctx.url, 'POST', '/api/topics', {
      name: 'payments NAT',
      logsetId,
      range: 'NAT',
    });
    expect(topic.status).toBe(201);
    if (!topic.body.ok) throw new Error(topic.body.error.message);
    expect(topic.body.data).toMatchObject({ windowSec: 60, format: 'eni', flowLogs: [] });
    const id = topic.body.data.id;
    const renamed = await send<TopicInfo>(ctx.url, 'PATCH', `/api/topics/${id}`, {
      name: 'payments NAT egress',
      retention: { rawDays: 14 },
    });
    expect(renamed.body.ok && renamed.body.data.name).toBe('payments NAT egress');
    // Thresholds: set, refused with the field's reason, reset to the defaults.
    const th = await send<TopicInfo>(ctx.url, 'PATCH', `/api/topics/${id}`, {
      thresholds: { rejectWarn: 0.01, spikeAbove: 2 },
    });
    expect(th.body.ok && th.body.data.thresholds).toEqual({ rejectWarn: 0.01, spikeAbove: 2 });
    expect(ctx.app.catalog.topic(id)?.thresholds).toEqual({ rejectWarn: 0.01, spikeAbove: 2 });
    const badTh = await send(ctx.url, 'PATCH', `/api/topics/${id}`, {
      thresholds: { rejectWarn: 0.5, rejectAlert: 0.2 },
    });
    expect(badTh.status).toBe(400);
    expect(badTh.body).toMatchObject({
      ok: false,
      error: {
        fields: [
          {
            path: 'thresholds.rejectWarn',
            message: 'the REJECT warning share is at most the alert share',
          },
        ],
      },
    });
    const reset = await send<TopicInfo>(ctx.url, 'PATCH', `/api/topics/${id}`, {
      thresholds: null,
    });
    expect(reset.body.ok && reset.body.data.thresholds).toBeUndefined();
    const fixed = await send(ctx.url, 'PATCH', `/api/topics/${id}`, { windowSec: 300 });
    expect(fixed.status).toBe(409);
    expect(fixed.body).toMatchObject({ ok: false, error: { code: 'immutable' } });

    const busy = await send(ctx.url, 'DELETE', `/api/logsets/${logsetId}`);
    expect(busy.status).toBe(409);
    expect(busy.body).toMatchObject({ ok: false, error: { code: 'not_empty' } });
    // An empty topic goes without confirmation, then its empty logset.
    expect((await send(ctx.url, 'DELETE', `/api/topics/${id}`)).status).toBe(200);
    expect((await send(ctx.url, 'DELETE', `/api/logsets/${logsetId}`)).status).toBe(200);
    expect(ctx.app.catalog.logset(logsetId)).toBeUndefined();
  });

  it('deletes a topic that holds data only when confirmed, says what goes, and tells its dashboard', async () => {
    const fl = ctx.app.catalog.flowLogs().find((f) => f.resourceId === 'eni-pay00003')!;
    const topicId = fl.topicId;
    await ctx.app.store.flush();
    const usage = await getJson<{ records: number; flowLogs: number }>(
      ctx.url,
      `/api/topics/${topicId}/usage`,
    );
    expect(usage.body.ok && usage.body.data).toMatchObject({ records: 1, flowLogs: 1 });

    const refused = await send(ctx.url, 'DELETE', `/api/topics/${topicId}`);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      ok: false,
      error: { code: 'has_data', details: { records: 1, flowLogs: 1 } },
    });
    expect(ctx.app.catalog.topic(topicId)).toBeDefined();

    const gone = catalogUpdates(socket, (u) =>
      u.logsets.every((l) => l.topics.every((t) => t.id !== topicId)),
    );
    const done = await send(ctx.url, 'DELETE', `/api/topics/${topicId}?confirm=true`);
    expect(done.status).toBe(200);
    await gone;
    expect(ctx.app.catalog.topic(topicId)).toBeUndefined();
    expect(ctx.app.catalog.flowLog(fl.id)).toBeUndefined();
    expect((await getJson(ctx.url, '/api/records', { topic: topicId })).status).toBe(404);
    const all = await getJson<RecordsPage>(ctx.url, '/api/records', {
      q: 'interface-id:eni-pay00003',
      from: Date.now() - 86_400_000,
    });
    expect(all.body.ok && all.body.data.total).toBe(0);
  });

  it('keeps every change across a restart', async () => {
    const before = ctx.app.catalog.logsets;
    socket.close();
    await ctx.stop();
    ctx = await startApp(args(dir));
    socket = await connectClient(ctx.url);
    expect(ctx.app.catalog.logsets).toEqual(before);
    expect(ctx.app.catalog.flowLogs().some((f) => f.name === 'fast eni')).toBe(true);
  });
});
