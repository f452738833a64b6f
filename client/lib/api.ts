// A small typed fetch helper for the HTTP API: every outcome is a Reply<T> (shared/reply.ts), never
// a throw. Network failures, aborts, non-JSON answers and answers that are not a Reply all become a
// Reply error with a message written here (never a raw exception text). Pure apart from `fetch`,
// which tests pass in.
import type { ErrorBody, Reply } from '../../shared/reply.ts';

/** The part of `fetch` the helper uses; tests pass a fake. */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** Query parameters; undefined, null and '' are left out of the URL. */
export type QueryParams = Record<string, string | number | boolean | null | undefined>;

export interface GetJsonOptions<T> {
  fetch?: FetchLike;
  /** Edge check of `data` on an ok reply; a failure becomes a `bad_response` error. */
  check?: (data: unknown) => data is T;
}

/** Error codes this helper produces itself (the server's own codes pass through unchanged). */
export const CLIENT_ERRORS = {
  aborted: 'aborted',
  network: 'network',
  badResponse: 'bad_response',
  http: 'http_error',
} as const;

/** `path` with the query string of `params` (order kept, empty values dropped). */
export function apiUrl(path: string, params: QueryParams = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    search.append(key, String(value));
  }
  const qs = search.toString();
  if (!qs) return path;
  return path + (path.includes('?') ? '&' : '?') + qs;
}

/** GET `path?params` as JSON. Resolves to the server's Reply, or to a Reply error made here. */
export async function getJson<T>(
  path: string,
  params: QueryParams = {},
  signal?: AbortSignal,
  options: GetJsonOptions<T> = {},
): Promise<Reply<T>> {
  const init: RequestInit = { headers: { accept: 'application/json' } };
  if (signal) init.signal = signal;
  return requestJson(apiUrl(path, params), init, signal, options);
}

/**
 * POST, PATCH or DELETE `path` with a JSON body (none for undefined). Resolves to the server's
 * Reply (its error with the problem of each field), or to a Reply error made here.
 */
export async function sendJson<T>(
  method: 'POST' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
  options: GetJsonOptions<T> = {},
): Promise<Reply<T>> {
  const init: RequestInit = {
    method,
    headers:
      body === undefined
        ? { accept: 'application/json' }
        : { accept: 'application/json', 'content-type': 'application/json' },
  };
  if (body !== undefined) init.body = JSON.stringify(body);
  return requestJson(path, init, undefined, options);
}

async function requestJson<T>(
  url: string,
  init: RequestInit,
  signal: AbortSignal | undefined,
  options: GetJsonOptions<T>,
): Promise<Reply<T>> {
  const fetchFn: FetchLike = options.fetch ?? ((input, i) => globalThis.fetch(input, i));
  let response: Response;
  try {
    response = await fetchFn(url, init);
  } catch (err) {
    if (signal?.aborted || isAbortError(err)) {
      return failure(CLIENT_ERRORS.aborted, 'The request was cancelled.');
    }
    return failure(CLIENT_ERRORS.network, 'Could not reach the server. Check the connection.');
  }

  let body: unknown;
  try {
    body = await response.json();
  } catch (err) {
    if (signal?.aborted || isAbortError(err)) {
      return failure(CLIENT_ERRORS.aborted, 'The request was cancelled.');
    }
    return httpFailure(response, 'with no readable data');
  }

  if (!isObj(body) || typeof body.ok !== 'boolean') {
    return httpFailure(response, 'with an unexpected answer');
  }
  if (body.ok === false) {
    const error = toErrorBody(body.error);
    return error ? { ok: false, error } : httpFailure(response, 'with an unreadable error');
  }
  if (!response.ok || !('data' in body)) return httpFailure(response, 'with an unexpected answer');
  if (options.check && !options.check(body.data)) {
    return failure(
      CLIENT_ERRORS.badResponse,
      'The server answered with data in an unexpected shape.',
    );
  }
  return { ok: true, data: body.data as T };
}

/** True for the error an aborted fetch rejects with (DOMException or a plain Error named so). */
/**
 * A refused request's errors by field path (`name`, `tags.env`), as a form shows them beside its
 * fields; `''` holds the message when no field is named. `strip` drops a path prefix
 * (`thresholds.`) for a form whose fields are one object's.
 */
export function fieldErrors(
  e: { message: string; fields?: ReadonlyArray<{ path: string; message: string }> },
  strip = '',
): Record<string, string> {
  return e.fields && e.fields.length > 0
    ? Object.fromEntries(
        e.fields.map((f) => [
          f.path.startsWith(strip) ? f.path.slice(strip.length) : f.path,
          f.message,
        ]),
      )
    : { '': e.message };
}

export function isAbortError(err: unknown): boolean {
  return isObj(err) && err.name === 'AbortError';
}

function failure(code: string, message: string): Reply<never> {
  return { ok: false, error: { code, message } };
}

function httpFailure(response: Response, what: string): Reply<never> {
  if (response.ok) {
    return failure(CLIENT_ERRORS.badResponse, `The server answered ${what}.`);
  }
  const status = `${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
  return failure(CLIENT_ERRORS.http, `The server answered ${status} ${what}.`);
}

/** The server's error body, if it has the documented shape; extra keys are dropped. */
function toErrorBody(v: unknown): ErrorBody | null {
  if (!isObj(v) || typeof v.code !== 'string' || typeof v.message !== 'string') return null;
  const error: ErrorBody = { code: v.code, message: v.message };
  if (isNum(v.position)) error.position = v.position;
  if (isNum(v.length)) error.length = v.length;
  if (Array.isArray(v.fields))
    error.fields = v.fields.flatMap((f: unknown) =>
      isObj(f) && typeof f.path === 'string' && typeof f.message === 'string'
        ? [{ path: f.path, message: f.message }]
        : [],
    );
  if (isObj(v.details)) error.details = v.details;
  return error;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
