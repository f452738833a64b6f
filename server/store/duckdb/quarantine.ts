// Worker side: rejected lines (quarantine) and source offsets, read back and kept in bounds.
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { RejectedLineEntry, RejectedLinesPage } from '../../../shared/api.ts';
import type { QuarantineQuery } from '../types.ts';

export type { QuarantineQuery };

const n = (v: DuckDBValue) => (typeof v === 'bigint' ? Number(v) : Number(v ?? 0));

/** Newest first; the counts by reason and source cover the topic, whatever the filters. */
export async function queryQuarantine(
  con: DuckDBConnection,
  q: QuarantineQuery,
): Promise<RejectedLinesPage> {
  const scope: string[] = [];
  const scopeParams: DuckDBValue[] = [];
  if (q.topicId !== undefined) {
    scope.push('topic = ?');
    scopeParams.push(q.topicId);
  }
  const where = [...scope];
  const params = [...scopeParams];
  for (const [col, v] of [
    ['reason', q.reason],
    ['source', q.source],
    ['origin', q.origin],
  ] as const) {
    if (v === undefined) continue;
    where.push(`${col} = ?`);
    params.push(v);
  }
  const filter = where.length > 0 ? where.join(' AND ') : 'TRUE';
  let page = filter;
  const pageParams = [...params];
  if (q.before) {
    const [at, rowid] = decode(q.before);
    page += ' AND (at_ms < ? OR (at_ms = ? AND rowid < ?))';
    pageParams.push(at, at, rowid);
  }
  const rows = (
    await con.runAndReadAll(
      `SELECT topic, source, origin, line, reason, message, raw, raw_length, at_ms, rowid
       FROM quarantine WHERE ${page} ORDER BY at_ms DESC, rowid DESC LIMIT ?`,
      [...pageParams, q.limit + 1],
    )
  ).getRows();
  const total = n(
    (
      await con.runAndReadAll(`SELECT count(*) FROM quarantine WHERE ${filter}`, params)
    ).getRows()[0]![0]!,
  );
  const scoped = scope.length > 0 ? scope.join(' AND ') : 'TRUE';
  const byReason = (
    await con.runAndReadAll(
      `SELECT reason, count(*) AS c FROM quarantine WHERE ${scoped} GROUP BY reason ORDER BY c DESC, reason`,
      scopeParams,
    )
  ).getRows();
  const bySource = (
    await con.runAndReadAll(
      `SELECT source, origin, count(*) AS c FROM quarantine WHERE ${scoped}
       GROUP BY source, origin ORDER BY c DESC, source, origin LIMIT 100`,
      scopeParams,
    )
  ).getRows();
  const lines: RejectedLineEntry[] = rows.slice(0, q.limit).map((r) => ({
    topicId: String(r[0]),
    source: String(r[1]),
    origin: String(r[2]),
    line: n(r[3]!),
    reason: String(r[4]),
    message: String(r[5]),
    raw: String(r[6]),
    rawLength: n(r[7]!),
    at: n(r[8]!),
  }));
  const last = rows[q.limit - 1];
  return {
    lines,
    total,
    byReason: byReason.map((r) => ({ reason: String(r[0]), count: n(r[1]!) })),
    bySource: bySource.map((r) => ({
      source: String(r[0]),
      origin: String(r[1]),
      count: n(r[2]!),
    })),
    next: rows.length > q.limit && last ? encode(n(last[8]!), n(last[9]!)) : null,
  };
}

const encode = (at: number, rowid: number) =>
  Buffer.from(JSON.stringify([at, rowid])).toString('base64url');

function decode(cursor: string): [number, number] {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && v.every((x) => Number.isSafeInteger(x)))
      return v as [number, number];
  } catch {
    // below
  }
  throw new QuarantineCursorError('bad cursor');
}

export class QuarantineCursorError extends Error {}

/** Rejected lines kept per topic, by count: Of a topic, how many. */
export async function quarantineCount(con: DuckDBConnection, topicId: string): Promise<number> {
  return n(
    (
      await con.runAndReadAll('SELECT count(*) FROM quarantine WHERE topic = ?', [topicId])
    ).getRows()[0]![0]!,
  );
}

/**
 * Retention of rejected lines: older than `before` (epoch ms) goes, and of each topic at most
 * `maxPerTopic` newest lines stay. Returns the lines deleted.
 */
export async function pruneQuarantine(
  con: DuckDBConnection,
  before: number,
  maxPerTopic: number,
): Promise<number> {
  let deleted = (await con.run('DELETE FROM quarantine WHERE at_ms < ?', [before])).rowsChanged;
  deleted += (
    await con.run(
      `DELETE FROM quarantine WHERE rowid IN (
         SELECT rowid FROM (
           SELECT rowid, row_number() OVER (PARTITION BY topic ORDER BY at_ms DESC, rowid DESC) AS k
           FROM quarantine) WHERE k > ?)`,
      [maxPerTopic],
    )
  ).rowsChanged;
  return deleted;
}

/** The newest state of each source whose name starts with `prefix`. */
export async function loadOffsets(
  con: DuckDBConnection,
  prefix: string,
): Promise<Array<{ source: string; state: string }>> {
  const rows = (
    await con.runAndReadAll(
      `SELECT source, arg_max(state, seq) FROM source_offsets WHERE starts_with(source, ?) GROUP BY source`,
      [prefix],
    )
  ).getRows();
  return rows.map((r) => ({ source: String(r[0]), state: String(r[1]) }));
}

/** Keeps only the newest state of each source. */
export async function pruneOffsets(con: DuckDBConnection): Promise<number> {
  return (
    await con.run(
      `DELETE FROM source_offsets o WHERE seq < (SELECT max(seq) FROM source_offsets p WHERE p.source = o.source)`,
    )
  ).rowsChanged;
}
