// Logset names for page headers: taken from the overview when it loaded, else fetched once from
// GET /api/topics (Reply<LogsetInfo[]>). A failure only means the header shows the logset id.
import type { LogsetInfo } from '../../shared/catalog.ts';
import type { Reply } from '../../shared/reply.ts';

let known: LogsetInfo[] | null = null;
let pending: Promise<LogsetInfo[] | null> | null = null;

export function rememberLogsets(logsets: LogsetInfo[]): void {
  known = logsets;
}

export function loadLogsets(): Promise<LogsetInfo[] | null> {
  if (known) return Promise.resolve(known);
  pending ??= fetch('/api/topics', { headers: { accept: 'application/json' } })
    .then((r) => (r.ok ? (r.json() as Promise<Reply<LogsetInfo[]>>) : null))
    .then((reply) => {
      if (reply?.ok && Array.isArray(reply.data)) known = reply.data;
      return known;
    })
    .catch(() => null)
    .finally(() => {
      pending = null;
    });
  return pending;
}
