// The query language against a real ClickHouse (Debian's 18.16, a child process): the same case
// table as DuckDB and the live tail's matcher, written as the ClickHouse store writes records and
// compiled to ClickHouse SQL with literals.
import { Readable } from 'node:stream';
import { createClient, ClickHouseLogLevel, type ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseQuery } from '../../shared/query/index.ts';
import { compileClickHouse, literal } from '../../server/store/clickhouse/sql.ts';
import { createRecordsTable } from '../../server/store/clickhouse/schema.ts';
import { recordsTsv } from '../../server/store/clickhouse/write.ts';
import { startClickHouse, type ClickHouseChild } from '../helpers/clickhouse.ts';
import {
  INJECTIONS,
  memoryRecord,
  QUERY_CASES,
  ROWS,
  T0,
  type Row,
} from '../helpers/query-cases.ts';

let server: ClickHouseChild;
let ch: ClickHouseClient;

/** A test row as the ClickHouse store writes it (its id as seq). */
function tsvRow(r: Row): string {
  const stream = { topicId: r.topic, streamId: r.stream, windowMs: 60_000 };
  return recordsTsv([{ ...stream, records: [memoryRecord(r)] }], r.id, T0 * 1000).body;
}

async function select<T>(query: string): Promise<T[]> {
  const r = await ch.query({ query, format: 'JSONEachRow' });
  return r.json<T>();
}

beforeAll(async () => {
  server = await startClickHouse();
  ch = createClient({ url: server.url, log: { level: ClickHouseLogLevel.OFF } });
  await ch.command({ query: createRecordsTable('default') });
  const body = ROWS.map(tsvRow).join('');
  await ch.insert({
    table: 'records',
    values: Readable.from([Buffer.from(body)], { objectMode: false }),
    format: 'TabSeparated',
  });
}, 120_000);

afterAll(async () => {
  await ch?.close();
  await server?.stop();
});

async function ids(query: string): Promise<number[]> {
  const parsed = parseQuery(query);
  if (!parsed.ok) throw new Error(`${query}: ${parsed.error.message} at ${parsed.error.position}`);
  const where = compileClickHouse(parsed.ast);
  const rows = await select<{ seq: string | number }>(
    `SELECT seq FROM records WHERE seq >= 0 AND (${where}) AND seq <= 1000 ORDER BY seq`,
  );
  return rows.map((r) => Number(r.seq));
}

describe('queries against ClickHouse 18.16', () => {
  it.each(QUERY_CASES)('%s', async (query, expected) => {
    const want = [...new Set(expected)].sort((a, b) => a - b);
    expect(await ids(query)).toEqual(want);
  });

  it('treats injection attempts as plain values', async () => {
    for (const query of INJECTIONS) expect(await ids(query), query).toEqual([]);
    const [count] = await select<{ n: string }>('SELECT count() AS n FROM records');
    expect(Number(count!.n)).toBe(ROWS.length);
  });

  it('reads back every hostile string literal() writes, byte for byte', async () => {
    const hostile = [
      "x' OR 1=1 --",
      "'; DROP TABLE records; --",
      'back\\slash\\',
      "\\'",
      'tab\tnew\nline\rcr',
      'nul\0byte',
      '漢字 и émoji 🚦',
      "it's",
      '\\\\\\',
      '%_like_%',
    ];
    const query = `SELECT ${hostile.map((s, i) => `${literal(s)} AS s${i}`).join(', ')}`;
    const [row] = await select<Record<string, string>>(query);
    expect(hostile.map((_, i) => row![`s${i}`])).toEqual(hostile);
    const [count] = await select<{ n: string }>('SELECT count() AS n FROM records');
    expect(Number(count!.n)).toBe(ROWS.length);
  });
});
