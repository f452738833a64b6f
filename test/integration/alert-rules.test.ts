// Alert rules through the API as an admin would keep them, on each store: created, listed,
// changed and deleted; refused with the problem of each field (and the query's position); kept
// across a restart; gone with their topic. Reading is open as dashboards are; writing needs the
// admin token.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reply } from '../../shared/reply.ts';
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
      ];
      expect(await pushLines(ctx.url, 'topic-eni-prod', lines)).toBe(200);
      type Alerts = {
        active: Array<{ ruleId: string; state: string; value: number }>;
        notices: Array<{ ruleId: string; kind: string; value: number; episode: number }>;
      };
      let seen: Alerts = { active: [], notices: [] };
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        const r = await call<Alerts>(ctx.url, 'GET', '/api/alerts', undefined, {});
        if (r.body.ok) seen = r.body.data;
        if (seen.active.some((a) => a.ruleId === id && a.state === 'firing')) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(seen.active).toContainEqual(
        expect.objectContaining({ ruleId: id, state: 'firing', value: 5 }),
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
});
