// Tokens as users meet them: generated once into the data directory (readable only by its owner)
// and printed once; management needs the admin token, pushing the ingest token; with a viewer
// token, reading needs one too, the page stays open so the UI can ask, and a login cookie carries
// it for the browser (downloads and the socket included).
import { mkdtemp, rm, stat, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io as connect } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { bearer, startApp, TEST_TOKENS } from '../helpers/app.ts';

const VIEWER = 'test-viewer-token-0001';

function tryConnect(url: string, auth?: { token: string }, cookie?: string) {
  const socket = connect(url, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    ...(auth ? { auth } : {}),
    ...(cookie ? { extraHeaders: { cookie } } : {}),
  });
  return new Promise<string>((resolve) => {
    socket.once('connect', () => {
      socket.close();
      resolve('connected');
    });
    socket.once('connect_error', (err) => {
      socket.close();
      resolve(err.message);
    });
  });
}

describe('tokens generated at the first start', () => {
  it('are kept in the data directory, readable only by its owner, and printed once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'flowdeck-tokens-'));
    const start = async () => {
      const said: string[] = [];
      const config = loadConfig(
        ['--port', '0', '--host', '127.0.0.1', '--no-simulator', '--data', dir],
        {},
      );
      const app = await createApp(config, { log: { info: (m) => said.push(m), warn: () => {} } });
      await app.listen();
      return { app, said };
    };
    try {
      const first = await start();
      const file = join(dir, 'tokens.json');
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      const kept = JSON.parse(await readFile(file, 'utf8')) as { ingest: string; admin: string };
      expect(kept.ingest).toMatch(/^fdi_[\w-]{32}$/);
      expect(kept.admin).toMatch(/^fda_[\w-]{32}$/);
      expect(first.said.join('\n')).toContain(kept.admin);
      expect(first.said.join('\n')).toContain('flowdeck tokens');
      expect(first.app.auth.tokens).toMatchObject(kept);
      await first.app.close();
      const second = await start();
      expect(second.said.join('\n')).not.toContain(kept.admin);
      expect(second.app.auth.tokens).toMatchObject(kept);
      await second.app.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('who may do what', () => {
  let ctx: Awaited<ReturnType<typeof startApp>>;
  beforeAll(async () => {
    ctx = await startApp(['--no-simulator']);
  });
  afterAll(async () => {
    await ctx?.stop();
  });

  it('reads are open without a viewer token; changes need the admin token', async () => {
    expect((await fetch(`${ctx.url}/api/topics`)).status).toBe(200);
    const create = (headers: Record<string, string>) =>
      fetch(`${ctx.url}/api/logsets`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ name: `ls-${Math.random()}` }),
      });
    expect((await create({})).status).toBe(401);
    const ingest = await create(bearer('ingest'));
    expect(ingest.status).toBe(403);
    expect(await ingest.json()).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect((await create(bearer('admin'))).status).toBe(201);
    const session = await fetch(`${ctx.url}/api/session`, { headers: bearer('admin') });
    expect(await session.json()).toMatchObject({
      ok: true,
      data: { role: 'admin', viewerTokenRequired: false },
    });
  });

  it('never answers /metrics-like or unknown API paths with the app page', async () => {
    for (const path of [
      '/api/nope',
      '/metrics/x',
      '/healthz',
      '/favicon-nope.ico',
      '/prometheus',
    ]) {
      const r = await fetch(`${ctx.url}${path}`);
      expect(r.status, path).toBe(404);
      expect(r.headers.get('content-type'), path).not.toMatch(/html/);
    }
    const page = await fetch(`${ctx.url}/topics/topic-eni-prod`);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
  });
});

describe('with a viewer token', () => {
  let ctx: Awaited<ReturnType<typeof startApp>>;
  beforeAll(async () => {
    ctx = await startApp(['--no-simulator', '--viewer-token', VIEWER]);
  });
  afterAll(async () => {
    await ctx?.stop();
  });

  it('needs a token for API reads, exports and sockets, but serves the page', async () => {
    expect((await fetch(`${ctx.url}/api/topics`)).status).toBe(401);
    expect((await fetch(`${ctx.url}/api/records/export?format=csv`)).status).toBe(401);
    const auth = { authorization: `Bearer ${VIEWER}` };
    expect((await fetch(`${ctx.url}/api/topics`, { headers: auth })).status).toBe(200);
    expect((await fetch(`${ctx.url}/api/topics`, { headers: bearer('admin') })).status).toBe(200);
    expect((await fetch(`${ctx.url}/`)).status).toBe(200);
    const session = await fetch(`${ctx.url}/api/session`);
    expect(await session.json()).toMatchObject({
      ok: true,
      data: { role: null, viewerTokenRequired: true },
    });
    expect(await tryConnect(ctx.url)).toBe('unauthorized');
    expect(await tryConnect(ctx.url, { token: 'wrong-token-000000' })).toBe('unauthorized');
    expect(await tryConnect(ctx.url, { token: VIEWER })).toBe('connected');
    // A viewer may read, not manage.
    const manage = await fetch(`${ctx.url}/api/logsets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: '{"name":"x"}',
    });
    expect(manage.status).toBe(403);
  });

  it('remembers a login in an HttpOnly cookie that reads, downloads and sockets carry', async () => {
    const bad = await fetch(`${ctx.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: 'not-the-token-00000' }),
    });
    expect(bad.status).toBe(401);
    const login = await fetch(`${ctx.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: VIEWER }),
    });
    expect(await login.json()).toMatchObject({ ok: true, data: { role: 'viewer' } });
    const setCookie = login.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    const cookie = setCookie.split(';')[0]!;
    const headers = { cookie };
    expect((await fetch(`${ctx.url}/api/topics`, { headers })).status).toBe(200);
    expect((await fetch(`${ctx.url}/api/records/export?format=ndjson`, { headers })).status).toBe(
      200,
    );
    expect(await tryConnect(ctx.url, undefined, cookie)).toBe('connected');
    const out = await fetch(`${ctx.url}/api/session`, { method: 'DELETE', headers });
    expect(out.headers.get('set-cookie')).toMatch(/Max-Age=0/);
    // The ingest token pushes without the viewer token.
    const t = Math.floor(Date.now() / 1000) - 60;
    const pushed = await fetch(`${ctx.url}/api/topics/topic-nat-prod/records`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', authorization: `Bearer ${TEST_TOKENS.ingest}` },
      body: `2 1300428518 nat-4fq8l2tw 10.0.2.1 203.0.113.9 30000 443 6 3 100 ${t} ${t + 50} ACCEPT OK`,
    });
    expect(await pushed.json()).toMatchObject({ ok: true, data: { accepted: 1 } });
  });
});
