// Typed GETs against the app's HTTP API for tests.
import type { Reply } from '../../shared/reply.ts';

export async function getJson<T>(
  base: string,
  path: string,
  params: Record<string, string | number | undefined> = {},
): Promise<{ status: number; body: Reply<T> }> {
  const url = new URL(path, base);
  for (const [k, v] of Object.entries(params))
    if (v !== undefined) url.searchParams.set(k, String(v));
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Reply<T> };
}

/** The data of an ok reply; fails the test with the error otherwise. */
export async function getData<T>(
  base: string,
  path: string,
  params: Record<string, string | number | undefined> = {},
) {
  const { status, body } = await getJson<T>(base, path, params);
  if (!body.ok)
    throw new Error(`GET ${path} -> ${status} ${body.error.code}: ${body.error.message}`);
  return body.data;
}
