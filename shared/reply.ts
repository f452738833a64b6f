// One reply shape for socket acknowledgements and HTTP API answers.

export interface ErrorBody {
  /** Stable machine-readable code: `bad_request`, `not_found`, `internal`... */
  code: string;
  /** A message written for people; never a raw exception text. */
  message: string;
  /** For errors in a query text: 0-based offset and length of the offending part. */
  position?: number;
  length?: number;
}

export type Reply<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };

export const ok = <T>(data: T): Reply<T> => ({ ok: true, data });
export const fail = (code: string, message: string): Reply<never> => ({
  ok: false,
  error: { code, message },
});
