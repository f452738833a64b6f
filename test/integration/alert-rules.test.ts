// Alert rules through the API as an admin would keep them, on each store: created, listed,
// changed and deleted; refused with the problem of each field (and the query's position); kept
// across a restart; gone with their topic. Reading is open as dashboards are; writing needs the
// admin token.
import { createHmac } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reply } from '../../shared/reply.ts';
import type { Catalog } from '../../server/catalog/catalog.ts';
import { bearer, pushLines, startApp } from '../helpers/app.ts';
import { BACKENDS, backendFlags } from '../helpers/clickhouse.ts';

async function call<T>(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  auth: Record<string, string> = bearer('admin'),
): Promise<{ status: number; body: Reply<T> }> {
  const res = await fetch(new URL(path, base), {
    method,
    headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Reply<T> };
}

const SSH = {
  topicId: 'topic-eni-prod',
  name: 'ssh rejects',
  query: 'action:REJECT AND dstport:22',
  measure: 'records',
  op: '>',
  threshold: 100,
  windows: 2,
};

/**
 * NODATA lines of every other log stream of an ENI topic for the window starting at `start`
 * (seconds): with them the window is complete, and rules judge it at once.
 */
function othersReported(
  ctx: { app: { catalog: Catalog } },
  topicId: string,
  start: number,
): string[] {
  return ctx.app.catalog
    .topic(topicId)!
    .streams.slice(1)
    .map((s) => `2 1300428518 ${s.id} - - - - - - - ${start} ${start + 60} - NODATA`);
}

type RuleOut = typeof SSH & { id: string; enabled: boolean; createdAt: number; updatedAt: number };

describe.each(BACKENDS)('alert rules (%s store)', (backend) => {
  const store = backendFlags(backend, 'alertrules');
  let dir: string;
  const args = () => ['--data', dir, '--no-simulator', ...store.args()];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flowdeck-rules-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('are created, listed, changed, kept across a restart and deleted', async () => {
    let ctx = await startApp(args());
    let id: string;
    try {
      const made = await call<RuleOut>(ctx.url, 'POST', '/api/alerts/rules', SSH);
      expect(made.status).toBe(201);
      if (!made.body.ok) throw new Error(made.body.error.message);
      id = made.body.data.id;
      expect(made.body.data).toMatchObject({ ...SSH, enabled: true });

      // Open to read, as dashboards are; writing needs the admin token.
      const listed = await call<RuleOut[]>(ctx.url, 'GET', '/api/alerts/rules', undefined, {});
      expect(listed.body.ok && listed.body.data.map((r) => r.id)).toEqual([id]);
      expect((await call(ctx.url, 'POST', '/api/alerts/rules', SSH, bearer('ingest'))).status).toBe(
        403,
      );

      const changed = await call<RuleOut>(ctx.url, 'PATCH', `/api/alerts/rules/${id}`, {
        threshold: 250,
        enabled: false,
      });
      expect(changed.status).toBe(200);
      expect(changed.body.ok && changed.body.data).toMatchObject({
        threshold: 250,
        enabled: false,
        query: SSH.query,
      });
    } finally {
      await ctx.stop();
    }

    ctx = await startApp(args());
    try {
      const again = await call<RuleOut>(ctx.url, 'GET', `/api/alerts/rules/${id}`);
      expect(again.body.ok && again.body.data).toMatchObject({ threshold: 250, enabled: false });
      expect((await call(ctx.url, 'DELETE', `/api/alerts/rules/${id}`)).status).toBe(200);
      expect((await call(ctx.url, 'GET', `/api/alerts/rules/${id}`)).status).toBe(404);
    } finally {
      await ctx.stop();
    }
  }, 120_000);

  it('are refused with the problem of each field, the query with its position', async () => {
    const ctx = await startApp(args());
    try {
      const bad = await call(ctx.url, 'POST', '/api/alerts/rules', {
        ...SSH,
        name: '',
        windows: 0,
        measure: 'volume',
      });
      expect(bad.status).toBe(400);
      const fields = bad.body.ok ? [] : (bad.body.error.fields ?? []).map((f) => f.path);
      expect(fields).toEqual(expect.arrayContaining(['name', 'windows', 'measure']));

      const query = await call(ctx.url, 'POST', '/api/alerts/rules', {
        ...SSH,
        query: 'action:REJECT AND (dstport:22',
      });
      expect(query.status).toBe(400);
      expect(query.body).toMatchObject({
        ok: false,
        error: { fields: [{ path: 'query' }], details: { position: expect.any(Number) } },
      });

      const topic = await call(ctx.url, 'POST', '/api/alerts/rules', { ...SSH, topicId: 'nope' });
      expect(topic.status).toBe(400);
      expect(topic.body.ok ? '' : topic.body.error.message).toMatch(/no topic "nope"/);

      const made = await call<RuleOut>(ctx.url, 'POST', '/api/alerts/rules', SSH);
      const id = made.body.ok ? made.body.data.id : '';
      // A rule stays on its topic; a change that breaks it changes nothing.
      expect(
        (await call(ctx.url, 'PATCH', `/api/alerts/rules/${id}`, { topicId: 'topic-nat-prod' }))
          .status,
      ).toBe(400);
      expect(
        (await call(ctx.url, 'PATCH', `/api/alerts/rules/${id}`, { threshold: 'many' })).status,
      ).toBe(400);
      const held = await call<RuleOut>(ctx.url, 'GET', `/api/alerts/rules/${id}`);
      expect(held.body.ok && held.body.data.threshold).toBe(100);
      await call(ctx.url, 'DELETE', `/api/alerts/rules/${id}`);
    } finally {
      await ctx.stop();
    }
  }, 120_000);

  it('go with their topic', async () => {
    const ctx = await startApp(args());
    try {
      const made = await call<{ id: string }>(ctx.url, 'POST', '/api/alerts/rules', {
        ...SSH,
        topicId: 'topic-audit-reject',
      });
      expect(made.status).toBe(201);
      expect(
        (await call(ctx.url, 'DELETE', '/api/topics/topic-audit-reject?confirm=true')).status,
      ).toBe(200);
      const deadline = Date.now() + 30_000;
      let left: unknown[] = [];
      do {
        const r = await call<unknown[]>(ctx.url, 'GET', '/api/alerts/rules');
        left = r.body.ok ? r.body.data : [];
        if (left.length === 0) break;
        await new Promise((r) => setTimeout(r, 100));
      } while (Date.now() < deadline);
      expect(left).toEqual([]);
    } finally {
      await ctx.stop();
    }
  }, 120_000);

  it('fire when their window is published, with the measured value', async () => {
    const ctx = await startApp(args());
    try {
      const made = await call<{ id: string }>(ctx.url, 'POST', '/api/alerts/rules', {
        ...SSH,
        threshold: 3,
        windows: 1,
      });
      const id = made.body.ok ? made.body.data.id : '';
      const eni = ctx.app.catalog.topic('topic-eni-prod')!.streams[0]!.id;
      const now = Math.floor(Date.now() / 1000) - 5;
      const line = (dstport: number, action: string) =>
        `2 1300428518 ${eni} 198.51.100.7 10.0.1.12 40000 ${dstport} 6 2 120 ${now} ${now + 3} ${action} OK`;
      // Five SSH rejects and traffic the query leaves out.
      const lines = [
        ...Array.from({ length: 5 }, () => line(22, 'REJECT')),
        line(22, 'ACCEPT'),
        line(443, 'REJECT'),
        ...othersReported(ctx, 'topic-eni-prod', now),
      ];
      expect(await pushLines(ctx.url, 'topic-eni-prod', lines)).toBe(200);
      type Alerts = {
        firing: Array<{ ruleId: string; state: string; value: number; peak: number }>;
        notices: Array<{ ruleId: string; kind: string; value: number; episode: number }>;
      };
      let seen: Alerts = { firing: [], notices: [] };
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        const r = await call<Alerts>(ctx.url, 'GET', '/api/alerts', undefined, {});
        if (r.body.ok) seen = r.body.data;
        if (seen.firing.some((a) => a.ruleId === id)) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(seen.firing).toContainEqual(
        expect.objectContaining({ ruleId: id, state: 'firing', value: 5, peak: 5 }),
      );
      expect(seen.notices).toContainEqual(
        expect.objectContaining({ ruleId: id, kind: 'firing', value: 5, episode: 1 }),
      );
      // A later revision of the same window that does not change the outcome tells nothing new.
      expect(await pushLines(ctx.url, 'topic-eni-prod', [line(443, 'ACCEPT')])).toBe(200);
      await ctx.app.store.flush();
      ctx.app.aggregator.flush();
      const after = await call<Alerts>(ctx.url, 'GET', '/api/alerts', undefined, {});
      const firing = after.body.ok
        ? after.body.data.notices.filter((n) => n.ruleId === id && n.kind === 'firing')
        : [];
      expect(firing).toHaveLength(1);
    } finally {
      await ctx.stop();
    }
  }, 120_000);

  it('send signed notices to a webhook, retrying while it fails, and log each delivery', async () => {
    // A local receiver: the first call fails, the next ones are taken.
    const got: Array<{ body: string; signature: string | undefined }> = [];
    let calls = 0;
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        calls++;
        if (calls === 1) {
          res.writeHead(500).end();
          return;
        }
        got.push({ body, signature: req.headers['x-flowdeck-signature'] as string | undefined });
        res.writeHead(204).end();
      });
    });
    const port = await new Promise<number>((done) =>
      receiver.listen(0, '127.0.0.1', () => done((receiver.address() as { port: number }).port)),
    );
    const ctx = await startApp([...args(), '--public-url', 'https://noc.example']);
    try {
      const secret = 's3cret-for-tests';
      const made = await call<{ id: string; notify: Array<Record<string, unknown>> }>(
        ctx.url,
        'POST',
        '/api/alerts/rules',
        {
          ...SSH,
          // A topic no other test here writes to: the records behind the notice are its own.
          topicId: 'topic-nat-prod',
          threshold: 1,
          windows: 1,
          notify: [{ kind: 'webhook', url: `http://127.0.0.1:${port}/hook?key=x`, secret }],
        },
      );
      expect(made.status).toBe(201);
      // The secret is never sent back.
      expect(made.body.ok && made.body.data.notify).toEqual([
        {
          kind: 'webhook',
          url: `http://127.0.0.1:${port}/hook?key=x`,
          format: 'json',
          hasSecret: true,
        },
      ]);
      const id = made.body.ok ? made.body.data.id : '';
      const nat = ctx.app.catalog.topic('topic-nat-prod')!.streams[0]!.id;
      const s = Math.floor(Date.now() / 1000) - 5;
      const line = `2 1300428518 ${nat} 198.51.100.7 10.0.1.12 40000 22 6 2 120 ${s} ${s + 3} REJECT OK`;
      expect(await pushLines(ctx.url, 'topic-nat-prod', [line, line, line])).toBe(200);

      const deadline = Date.now() + 30_000;
      while (got.length === 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      expect(got).toHaveLength(1);
      const { body, signature } = got[0]!;
      // Signed with the rule's secret: HMAC-SHA256 of the exact body.
      expect(signature).toBe(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
      const notice = JSON.parse(body) as {
        rule: { id: string };
        state: string;
        value: number;
        threshold: number;
        link: string;
      };
      expect(notice).toMatchObject({ rule: { id }, state: 'firing', value: 3, threshold: 1 });
      // The link opens the records behind it: the rule's query over the episode's windows.
      const link = new URL(notice.link);
      expect(link.origin).toBe('https://noc.example');
      expect(link.pathname).toBe('/topics/topic-nat-prod');
      expect(link.searchParams.get('dq')).toBe(SSH.query);
      const [from, to] = link.searchParams.get('drill')!.split(',').map(Number);
      const records = await call<{ total: number }>(
        ctx.url,
        'GET',
        `/api/records?topic=topic-nat-prod&from=${from}&to=${to}&q=${encodeURIComponent(SSH.query)}&limit=10`,
        undefined,
        {},
      );
      expect(records.body.ok && records.body.data.total).toBe(notice.value);

      // The failed first attempt and the retry are in the delivery log, without the URL's key.
      const log = await call<Array<{ outcome: string; attempt: number; target: string }>>(
        ctx.url,
        'GET',
        '/api/alerts/deliveries',
        undefined,
        {},
      );
      const outcomes = log.body.ok ? log.body.data.map((d) => `${d.outcome}#${d.attempt}`) : [];
      expect(outcomes).toEqual(['delivered#2', 'retrying#1']);
      expect(log.body.ok && log.body.data.every((d) => !d.target.includes('key'))).toBe(true);
    } finally {
      await ctx.stop();
      receiver.close();
    }
  }, 120_000);

  it('hold notices under a silence, are acknowledged, resolve once, and keep their history across a restart', async () => {
    const got: Array<{ state: string }> = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        got.push(JSON.parse(body) as { state: string });
        res.writeHead(204).end();
      });
    });
    const port = await new Promise<number>((done) =>
      receiver.listen(0, '127.0.0.1', () => done((receiver.address() as { port: number }).port)),
    );
    const own = await mkdtemp(join(tmpdir(), 'flowdeck-episodes-'));
    const ownArgs = () => ['--data', own, '--no-simulator', ...store.args('alerthistory')];
    type Episode = {
      id: string;
      ruleId: string;
      state: string;
      since: number;
      end: number | null;
      peak: number;
      silenced: boolean;
      ackedBy: string | null;
    };
    const episodes = async (url: string) => {
      const r = await call<Episode[]>(url, 'GET', '/api/alerts/episodes', undefined, {});
      return r.body.ok ? r.body.data : [];
    };
    const until = async <T>(what: () => Promise<T>, ok: (v: T) => boolean): Promise<T> => {
      const deadline = Date.now() + 30_000;
      let v = await what();
      while (!ok(v) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        v = await what();
      }
      return v;
    };
    let ctx = await startApp(ownArgs());
    try {
      const made = await call<{ id: string }>(ctx.url, 'POST', '/api/alerts/rules', {
        ...SSH,
        threshold: 2,
        windows: 1,
        notify: [{ kind: 'webhook', url: `http://127.0.0.1:${port}/hook` }],
      });
      const id = made.body.ok ? made.body.data.id : '';
      // A silence needs a reason and says who set it.
      const refused = await call(ctx.url, 'POST', '/api/alerts/silences', {
        ruleId: id,
        minutes: 60,
        by: 'ops',
      });
      expect(refused.status).toBe(400);
      const silence = await call<{ id: string; until: number }>(
        ctx.url,
        'POST',
        '/api/alerts/silences',
        { ruleId: id, minutes: 60, reason: 'maintenance', by: 'ops' },
      );
      expect(silence.status).toBe(201);
      const silenceId = silence.body.ok ? silence.body.data.id : '';

      const eni = ctx.app.catalog.topic('topic-eni-prod')!.streams[0]!.id;
      const windowS = ctx.app.catalog.windowMs('topic-eni-prod') / 1000;
      const line = (start: number) =>
        `2 1300428518 ${eni} 198.51.100.7 10.0.1.12 40000 22 6 2 120 ${start} ${start + 3} REJECT OK`;
      // Three SSH rejects two capture windows ago: it fires, under the silence.
      const w1 = (Math.floor(Date.now() / 1000 / windowS) - 2) * windowS;
      expect(
        await pushLines(ctx.url, 'topic-eni-prod', [
          line(w1),
          line(w1),
          line(w1),
          ...othersReported(ctx, 'topic-eni-prod', w1),
        ]),
      ).toBe(200);
      const firing = await until(
        () => episodes(ctx.url),
        (es) => es.some((e) => e.ruleId === id),
      );
      expect(firing).toEqual([
        expect.objectContaining({ ruleId: id, state: 'firing', since: w1 * 1000, silenced: true }),
      ]);
      const episodeId = firing[0]!.id;
      const log = await call<Array<{ outcome: string; kind: string }>>(
        ctx.url,
        'GET',
        '/api/alerts/deliveries',
        undefined,
        {},
      );
      expect(log.body.ok && log.body.data.map((d) => `${d.kind}:${d.outcome}`)).toEqual([
        'firing:silenced',
      ]);
      expect(got).toEqual([]);

      // Acknowledged, by whom; reading the alerts needs no token, acknowledging the admin one.
      expect(
        (await call(ctx.url, 'POST', `/api/alerts/episodes/${episodeId}/ack`, { by: 'alice' }, {}))
          .status,
      ).toBe(401);
      const acked = await call<Episode>(ctx.url, 'POST', `/api/alerts/episodes/${episodeId}/ack`, {
        by: 'alice',
      });
      expect(acked.body.ok && acked.body.data.ackedBy).toBe('alice');

      // The silence lifted, the next window has one reject: resolved, said once, to the webhook.
      expect((await call(ctx.url, 'DELETE', `/api/alerts/silences/${silenceId}`)).status).toBe(200);
      const w2 = w1 + windowS;
      expect(
        await pushLines(ctx.url, 'topic-eni-prod', [
          line(w2),
          ...othersReported(ctx, 'topic-eni-prod', w2),
        ]),
      ).toBe(200);
      await until(
        async () => got.length,
        (n) => n > 0,
      );
      expect(got.map((b) => b.state)).toEqual(['resolved']);
      const resolved = await episodes(ctx.url);
      expect(resolved).toEqual([
        expect.objectContaining({
          id: episodeId,
          state: 'resolved',
          since: w1 * 1000,
          end: w2 * 1000,
          peak: 3,
          ackedBy: 'alice',
        }),
      ]);

      // The delivery log has the held notice and the delivered resolution, newest first.
      const deliveries = async (url: string) => {
        const r = await call<Array<{ id: string; outcome: string; kind: string }>>(
          url,
          'GET',
          '/api/alerts/deliveries',
          undefined,
          {},
        );
        return r.body.ok ? r.body.data : [];
      };
      const delivered = await until(
        () => deliveries(ctx.url),
        (ds) => ds.length >= 2,
      );
      expect(delivered.map((d) => `${d.kind}:${d.outcome}`)).toEqual([
        'resolved:delivered',
        'firing:silenced',
      ]);
      await ctx.app.store.flush();

      // After a restart the history and the delivery log are there, and nothing fires again.
      await ctx.stop();
      ctx = await startApp(ownArgs());
      expect(await episodes(ctx.url)).toEqual(resolved);
      expect(await deliveries(ctx.url)).toEqual(delivered);
      const now = await call<{ firing: unknown[]; silences: unknown[] }>(
        ctx.url,
        'GET',
        '/api/alerts',
        undefined,
        {},
      );
      expect(now.body.ok && now.body.data).toMatchObject({ firing: [], silences: [] });
    } finally {
      await ctx.stop();
      receiver.close();
      await rm(own, { recursive: true, force: true });
    }
  }, 180_000);

  it('keep their measures across a restart, and judge a change against the day before from the store', async () => {
    const own = await mkdtemp(join(tmpdir(), 'flowdeck-measures-'));
    const ownArgs = () => ['--data', own, '--no-simulator', ...store.args('alertmeasures')];
    const topicId = 'topic-nat-prod';
    type Alerts = { firing: Array<{ ruleId: string; value: number }> };
    const firing = async (url: string) => {
      const r = await call<Alerts>(url, 'GET', '/api/alerts', undefined, {});
      return r.body.ok ? r.body.data.firing : [];
    };
    let ctx = await startApp(ownArgs());
    try {
      const stream = ctx.app.catalog.topic(topicId)!.streams[0]!.id;
      // In the window before the current one: its day before is more than 24 hours back.
      const windowS = ctx.app.catalog.windowMs(topicId) / 1000;
      const s = (Math.floor(Date.now() / 1000 / windowS) - 1) * windowS + 5;
      const line = (start: number, bytes: number, dstport = 22) =>
        `2 1300428518 ${stream} 198.51.100.7 10.0.1.12 40000 ${dstport} 6 2 ${bytes} ${start} ${start + 3} REJECT OK`;
      // The same window a day before: 1,000 bytes (stored, long closed).
      expect(await pushLines(ctx.url, topicId, [line(s - 86_400, 1000, 443)])).toBe(200);
      await ctx.app.store.flush();
      const rule = async (body: Record<string, unknown>) => {
        const r = await call<{ id: string }>(ctx.url, 'POST', '/api/alerts/rules', {
          topicId,
          windows: 1,
          op: '>',
          ...body,
        });
        expect(r.status).toBe(201);
        return r.body.ok ? r.body.data.id : '';
      };
      const spike = await rule({
        name: 'bytes against the day before',
        measure: 'bytes',
        threshold: 100,
        change: { against: 'day', direction: 'spike' },
      });
      const rejects = await rule({
        name: 'reject count',
        query: 'action:REJECT',
        measure: 'records',
        threshold: 4,
      });
      const scan = await rule({
        name: 'port scan',
        query: 'action:REJECT',
        measure: 'distinct_dstports_per_src',
        op: '>=',
        threshold: 4,
      });
      // Three records to ports 22-24 now (360 bytes): none holds.
      expect(
        await pushLines(ctx.url, topicId, [line(s, 120, 22), line(s, 120, 23), line(s, 120, 24)]),
      ).toBe(200);
      await ctx.app.store.flush();
      ctx.app.aggregator.flush();
      expect(await firing(ctx.url)).toEqual([]);

      // A restart; then two more records of the same window (ports 25 and 22): five in all,
      // 4,360 bytes, four ports.
      await ctx.stop();
      ctx = await startApp(ownArgs());
      expect(await pushLines(ctx.url, topicId, [line(s, 2000, 25), line(s, 2000, 22)])).toBe(200);
      const deadline = Date.now() + 60_000;
      let now = await firing(ctx.url);
      while (now.length < 3 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        now = await firing(ctx.url);
      }
      // The window's first three records are still in the measures (their ports too: four, not
      // the two pushed since), and the day before came from the store: 4,360 against 1,000
      // bytes is a 336% spike.
      expect(now).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ ruleId: rejects, value: 5 }),
          expect.objectContaining({ ruleId: scan, value: 4 }),
          expect.objectContaining({ ruleId: spike, value: 336 }),
        ]),
      );
      // The editor's preview of a scan rule finds a scan stored 10 minutes ago (another topic,
      // a closed window): one source to five ports, in two windows running.
      const eni = ctx.app.catalog.topic('topic-eni-prod')!;
      const eniWindow = ctx.app.catalog.windowMs('topic-eni-prod') / 1000;
      const old = (Math.floor(Date.now() / 1000 / eniWindow) - 3) * eniWindow;
      const scanLines = [0, eniWindow].flatMap((at) =>
        [22, 23, 3389, 5900, 445].map(
          (port) =>
            `2 1300428518 ${eni.streams[0]!.id} 203.0.113.9 10.0.2.20 51000 ${port} 6 1 60 ${old + at} ${old + at + 1} REJECT OK`,
        ),
      );
      expect(await pushLines(ctx.url, 'topic-eni-prod', scanLines)).toBe(200);
      await ctx.app.store.flush();
      const preview = await call<{ episodes: Array<{ group: string; peak: number }> }>(
        ctx.url,
        'POST',
        '/api/alerts/preview',
        {
          topicId: 'topic-eni-prod',
          name: 'port scan',
          query: 'action:REJECT',
          measure: 'distinct_dstports_per_src',
          op: '>=',
          threshold: 5,
          windows: 2,
        },
      );
      expect(preview.status).toBe(200);
      expect(preview.body.ok && preview.body.data.episodes).toEqual([
        { group: '203.0.113.9', since: old * 1000, end: (old + 2 * eniWindow) * 1000, peak: 5 },
      ]);
    } finally {
      await ctx.stop();
      await rm(own, { recursive: true, force: true });
    }
  }, 180_000);
});
