import { describe, expect, it } from 'vitest';
import { apiUrl, getJson, type FetchLike } from '../../client/lib/api.ts';

/** A fake fetch that records the URL and answers with `body` (a string is sent as it is). */
function answering(body: unknown, init: ResponseInit = { status: 200 }) {
  const calls: Array<{ url: string; init: RequestInit | undefined }> = [];
  const fetch: FetchLike = (url, reqInit) => {
    calls.push({ url, init: reqInit });
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    return Promise.resolve(new Response(text, init));
  };
  return { fetch, calls };
}

const isCount = (v: unknown): v is { n: number } =>
  typeof v === 'object' && v !== null && typeof (v as { n?: unknown }).n === 'number';

describe('apiUrl', () => {
  it('adds parameters in order and leaves empty ones out', () => {
    expect(apiUrl('/api/records')).toBe('/api/records');
    expect(
      apiUrl('/api/records', { topic: undefined, from: 10, to: 20, q: '', cursor: null, x: true }),
    ).toBe('/api/records?from=10&to=20&x=true');
    expect(apiUrl('/api/records?a=1', { q: 'action:REJECT && port:443' })).toBe(
      '/api/records?a=1&q=action%3AREJECT+%26%26+port%3A443',
    );
  });
});

describe('getJson', () => {
  it('passes an ok reply through and sends the signal and accept header', async () => {
    const { fetch, calls } = answering({ ok: true, data: { n: 3 } });
    const signal = new AbortController().signal;
    const reply = await getJson('/api/x', { a: 1 }, signal, { fetch, check: isCount });
    expect(reply).toEqual({ ok: true, data: { n: 3 } });
    expect(calls[0]?.url).toBe('/api/x?a=1');
    expect(calls[0]?.init?.signal).toBe(signal);
    expect(new Headers(calls[0]?.init?.headers).get('accept')).toBe('application/json');
  });

  it("passes the server's error through, position and length included, extra keys dropped", async () => {
    const { fetch } = answering(
      {
        ok: false,
        error: { code: 'bad_query', message: 'Unknown field', position: 4, length: 3, stack: 'x' },
      },
      { status: 400, statusText: 'Bad Request' },
    );
    expect(await getJson('/api/records', {}, undefined, { fetch })).toEqual({
      ok: false,
      error: { code: 'bad_query', message: 'Unknown field', position: 4, length: 3 },
    });
  });

  it('turns a network failure into a network error with its own message', async () => {
    const fetch: FetchLike = () => Promise.reject(new TypeError('Failed to fetch: ECONNREFUSED'));
    const reply = await getJson('/api/x', {}, undefined, { fetch });
    expect(reply.ok).toBe(false);
    if (reply.ok) return;
    expect(reply.error.code).toBe('network');
    expect(reply.error.message).not.toContain('ECONNREFUSED');
  });

  it('turns an abort into an aborted error', async () => {
    const controller = new AbortController();
    const fetch: FetchLike = (_url, init) =>
      new Promise((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () =>
          reject(new DOMException('The operation was aborted.', 'AbortError')),
        );
      });
    const pending = getJson('/api/x', {}, controller.signal, { fetch });
    controller.abort();
    const reply = await pending;
    expect(!reply.ok && reply.error.code).toBe('aborted');
  });

  it('turns a non-JSON answer into an http or bad_response error', async () => {
    const proxy = answering('<html>Bad Gateway</html>', { status: 502, statusText: 'Bad Gateway' });
    const reply = await getJson('/api/x', {}, undefined, { fetch: proxy.fetch });
    expect(reply).toEqual({
      ok: false,
      error: {
        code: 'http_error',
        message: 'The server answered 502 Bad Gateway with no readable data.',
      },
    });
    const html = answering('<!doctype html><p>app</p>');
    const r2 = await getJson('/api/x', {}, undefined, { fetch: html.fetch });
    expect(!r2.ok && r2.error.code).toBe('bad_response');
  });

  it('refuses JSON that is not a reply, a malformed error, or data failing the check', async () => {
    for (const body of [[1, 2], { data: 1 }, { ok: 'yes' }, null, 42]) {
      const { fetch } = answering(body);
      const reply = await getJson('/api/x', {}, undefined, { fetch });
      expect(!reply.ok && reply.error.code).toBe('bad_response');
    }
    const badError = answering({ ok: false, error: 'nope' }, { status: 500 });
    const r1 = await getJson('/api/x', {}, undefined, { fetch: badError.fetch });
    expect(!r1.ok && r1.error.code).toBe('http_error');
    const wrongShape = answering({ ok: true, data: { n: 'three' } });
    const r2 = await getJson('/api/x', {}, undefined, { fetch: wrongShape.fetch, check: isCount });
    expect(!r2.ok && r2.error.code).toBe('bad_response');
  });

  it('does not trust an ok body on an HTTP error status', async () => {
    const { fetch } = answering({ ok: true, data: { n: 1 } }, { status: 500 });
    const reply = await getJson('/api/x', {}, undefined, { fetch });
    expect(!reply.ok && reply.error.code).toBe('http_error');
  });
});
