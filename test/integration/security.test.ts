// Pages of other sites and DNS-rebinding pages get nothing (loopback only): a request or websocket
// upgrade from another origin is refused unless --allowed-origins lists it, a Host that is not this
// server's is refused unless --allowed-hosts lists it, and every answer says how to be handled
// (nosniff, referrer policy; pages: a Content-Security-Policy with only the app's own scripts).
import { type IncomingMessage, request } from 'node:http';
import { io as connect } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOriginCheck, hostNameOf } from '../../server/api/security.ts';
import { startApp } from '../helpers/app.ts';

/** A GET with exactly these headers (fetch will not send another Host). */
function get(
  base: string,
  path: string,
  headers: Record<string, string>,
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, base), { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Connects a socket.io client with these headers on the upgrade; resolves with how it ended. */
function socketWith(url: string, headers: Record<string, string>): Promise<'connected' | string> {
  return new Promise((resolve) => {
    const s = connect(url, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      extraHeaders: headers,
    });
    s.once('connect', () => {
      s.close();
      resolve('connected');
    });
    s.once('connect_error', (e) => {
      s.close();
      resolve(e.message);
    });
  });
}

describe('same origin and host', () => {
  let ctx: Awaited<ReturnType<typeof startApp>>;
  let port: string;
  beforeAll(async () => {
    ctx = await startApp([
      '--no-simulator',
      '--allowed-origins',
      'https://noc.example:8443',
      '--allowed-hosts',
      'flowdeck.example,.corp.example',
    ]);
    port = new URL(ctx.url).port;
  });
  afterAll(async () => {
    await ctx?.stop();
  });

  it('answers only for hosts that are this server', async () => {
    for (const host of [
      `localhost:${port}`,
      `127.0.0.1:${port}`,
      `[::1]:${port}`,
      'flowdeck.example',
      'wall.corp.example:8080',
    ]) {
      const r = await get(ctx.url, '/api/topics', { host });
      expect(r.status, host).toBe(200);
    }
    // A rebinding page's own name pointed at 127.0.0.1, and names that only look alike.
    for (const host of ['evil.example', 'flowdeck.example.evil.example', 'corp.example.evil']) {
      const r = await get(ctx.url, '/api/topics', { host });
      expect(r.status, host).toBe(403);
      expect(JSON.parse(r.body).error.code).toBe('forbidden_host');
    }
    // Pages too, not only the API.
    expect((await get(ctx.url, '/', { host: 'evil.example' })).status).toBe(403);
  });

  it('refuses requests from pages of other origins, allows the listed one with CORS', async () => {
    const host = `127.0.0.1:${port}`;
    const own = await get(ctx.url, '/api/topics', { host, origin: `http://${host}` });
    expect(own.status).toBe(200);
    const evil = await get(ctx.url, '/api/records?limit=1', {
      host,
      origin: 'http://evil.example',
    });
    expect(evil.status).toBe(403);
    expect(JSON.parse(evil.body)).toMatchObject({
      ok: false,
      error: { code: 'forbidden_origin', message: expect.stringContaining('--allowed-origins') },
    });
    expect(evil.body).not.toContain('srcaddr');
    const listed = await get(ctx.url, '/api/topics', { host, origin: 'https://noc.example:8443' });
    expect(listed.status).toBe(200);
    expect(listed.headers['access-control-allow-origin']).toBe('https://noc.example:8443');
    expect(listed.headers['access-control-allow-credentials']).toBe('true');
  });

  it('refuses a websocket from another origin or host, takes the listed ones', async () => {
    const host = `127.0.0.1:${port}`;
    expect(await socketWith(ctx.url, {})).toBe('connected');
    expect(await socketWith(ctx.url, { origin: `http://${host}` })).toBe('connected');
    expect(await socketWith(ctx.url, { origin: 'https://noc.example:8443' })).toBe('connected');
    expect(await socketWith(ctx.url, { origin: 'http://evil.example' })).not.toBe('connected');
    expect(await socketWith(ctx.url, { host: 'evil.example' })).not.toBe('connected');
  });

  it('says nosniff and a referrer policy on every answer, and guards its pages with a CSP', async () => {
    const host = `127.0.0.1:${port}`;
    for (const path of ['/api/topics', '/api/nope', '/metrics', '/', '/topics/topic-eni-prod']) {
      const r = await get(ctx.url, path, { host });
      expect(r.headers['x-content-type-options'], path).toBe('nosniff');
      expect(r.headers['referrer-policy'], path).toBe('no-referrer');
    }
    const page = await get(ctx.url, '/topics/topic-eni-prod', { host });
    expect(page.status).toBe(200);
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.headers['x-frame-options']).toBe('DENY');
    // The page has no inline script the policy would block.
    expect(page.body).not.toMatch(/<script>(?!<\/script>)/);
    const exported = await get(ctx.url, '/api/records/export?format=ndjson', { host });
    expect(exported.headers['x-content-type-options']).toBe('nosniff');
  });

  it('reads host names as the checks do', () => {
    expect(hostNameOf('LocalHost:8080')).toBe('localhost');
    expect(hostNameOf('[::1]:8080')).toBe('::1');
    expect(hostNameOf('10.0.0.5')).toBe('10.0.0.5');
    expect(hostNameOf('evil.example/..')).toBeNull();
    expect(hostNameOf(undefined)).toBeNull();
  });

  it('behind a TLS proxy takes the page of the forwarded host and scheme as its own', () => {
    const behind = createOriginCheck({
      allowedOrigins: [],
      allowedHosts: ['noc.example.com'],
      trustProxy: true,
      machineNames: ['box'],
    });
    const req = (headers: Record<string, string>) =>
      ({
        headers: { host: '127.0.0.1:8080', ...headers },
        socket: {},
      }) as unknown as IncomingMessage;
    const proxied = {
      'x-forwarded-host': 'noc.example.com',
      'x-forwarded-proto': 'https',
      origin: 'https://noc.example.com',
    };
    expect(behind.checkRaw(req(proxied))).toBeNull();
    expect(behind.checkRaw(req({ ...proxied, origin: 'http://noc.example.com' }))?.code).toBe(
      'forbidden_origin',
    );
    expect(behind.checkRaw(req({ ...proxied, 'x-forwarded-host': 'evil.example' }))?.code).toBe(
      'forbidden_host',
    );
    // Without --trust-proxy the forwarded headers are not believed.
    const direct = createOriginCheck({
      allowedOrigins: [],
      allowedHosts: ['noc.example.com'],
      trustProxy: false,
      machineNames: ['box'],
    });
    expect(direct.checkRaw(req(proxied))?.code).toBe('forbidden_origin');
  });
});
