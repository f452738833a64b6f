// One reply shape for socket acknowledgements and HTTP API answers.

export interface ErrorBody {
  /** Stable machine-readable code: `bad_request`, `not_found`, `internal`... */
  code: string;
  /** A message written for people; never a raw exception text. */
  message: string;
  /** For errors in a query text: 0-based offset and length of the offending part. */
  position?: number;
  length?: number;
  /** For a refused request body: the problem of each field, by path (`resourceId`, `tags.env`). */
  fields?: Array<{ path: string; message: string }>;
  /** Facts about the refusal (what a deletion would remove...). */
  details?: Record<string, unknown>;
}

export type Reply<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };

export const ok = <T>(data: T): Reply<T> => ({ ok: true, data });
export const fail = (code: string, message: string): Reply<never> => ({
  ok: false,
  error: { code, message },
});
