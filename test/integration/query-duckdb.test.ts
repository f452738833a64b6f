// The query language against a real DuckDB file: parse -> compile -> parameterized SELECT.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BIGINT,
  type DuckDBConnection,
  DuckDBInstance,
  type DuckDBType,
  INTEGER,
  UHUGEINT,
  VARCHAR,
} from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ipToBigInt } from '../../shared/ip.ts';
import { parseQuery } from '../../shared/query/index.ts';
import { compileQuery } from '../../server/store/duckdb/compile.ts';
import { matchQuery } from '../../shared/query/match.ts';
import {
  INJECTIONS,
  memoryRecord,
  QUERY_CASES,
  ROWS,
  T0,
  type Row,
} from '../helpers/query-cases.ts';

// The store's schema (server/store owns the real one; the query compiler depends on these names).
const CREATE = `CREATE TABLE records (
  topic VARCHAR, stream VARCHAR, window_start BIGINT, seq BIGINT,
  version VARCHAR, account_id VARCHAR, interface_id VARCHAR,
  srcaddr VARCHAR, dstaddr VARCHAR, src_ip UHUGEINT, dst_ip UHUGEINT,
  srcport INTEGER, dstport INTEGER, protocol INTEGER, packets BIGINT, bytes BIGINT,
  start_s BIGINT, end_s BIGINT, action VARCHAR, log_status VARCHAR,
  ccn_id VARCHAR, src_region VARCHAR, dst_region VARCHAR, region_id VARCHAR, extra VARCHAR)`;

const INSERT_TYPES: DuckDBType[] = [
  VARCHAR,
  VARCHAR,
  BIGINT,
  BIGINT,
  VARCHAR,
  VARCHAR,
  VARCHAR,
  VARCHAR,
  VARCHAR,
  UHUGEINT,
  UHUGEINT,
  INTEGER,
  INTEGER,
  INTEGER,
  BIGINT,
  BIGINT,
  BIGINT,
  BIGINT,
  VARCHAR,
  VARCHAR,
  VARCHAR,
  VARCHAR,
  VARCHAR,
  VARCHAR,
  VARCHAR,
];

function insertValues(r: Row): Array<string | number | bigint | null> {
  const ip = (a: string | undefined): bigint | null => {
    if (a === undefined) return null;
    const n = ipToBigInt(a);
    if (n === null) throw new Error(`bad test address ${a}`);
    return n;
  };
  const timed = r.status === 'OK' || r.status === 'NODATA';
  return [
    r.topic,
    r.stream,
    (T0 - (T0 % 60)) * 1000,
    r.id,
    r.version ?? null,
    r.account ?? null,
    r.eni ?? null,
    r.src ?? null,
    r.dst ?? null,
    ip(r.src),
    ip(r.dst),
    r.sp ?? null,
    r.dp ?? null,
    r.proto ?? null,
    r.packets ?? null,
    r.bytes ?? null,
    timed ? T0 + r.id : null,
    timed ? T0 + r.id + 30 : null,
    r.action ?? null,
    r.status,
    r.ccn ?? null,
    r.srcRegion ?? null,
    r.dstRegion ?? null,
    r.region ?? null,
    null,
  ];
}

let dir: string;
let instance: DuckDBInstance;
let db: DuckDBConnection;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flowdeck-query-'));
  instance = await DuckDBInstance.create(join(dir, 'records.duckdb'));
  db = await instance.connect();
  await db.run(CREATE);
  const insert = await db.prepare(`INSERT INTO records VALUES (${Array(25).fill('?').join(', ')})`);
  for (const r of ROWS) {
    insert.bind(insertValues(r), INSERT_TYPES);
    await insert.run();
  }
});

afterAll(async () => {
  db?.closeSync();
  instance?.closeSync();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function ids(query: string): Promise<number[]> {
  const parsed = parseQuery(query);
  if (!parsed.ok) throw new Error(`${query}: ${parsed.error.message} at ${parsed.error.position}`);
  const { sql, params } = compileQuery(parsed.ast);
  // The filter is spliced between parameters of the surrounding statement, as the store does.
  const reader = await db.runAndReadAll(
    `SELECT seq FROM records WHERE seq >= ? AND (${sql}) AND seq <= ? ORDER BY seq`,
    [0, ...params, 1000],
  );
  return reader.getRowsJS().map((row) => Number(row[0]));
}

/** The ids the in-memory matcher (shared/query/match.ts) picks. */
function memoryIds(query: string): number[] {
  const parsed = parseQuery(query);
  if (!parsed.ok) throw new Error(`${query}: ${parsed.error.message}`);
  const match = matchQuery(parsed.ast);
  return ROWS.filter((r) => match(memoryRecord(r))).map((r) => r.id);
}

describe('queries against DuckDB', () => {
  it.each(QUERY_CASES)('%s', async (query, expected) => {
    const want = [...new Set(expected)].sort((a, b) => a - b);
    expect(await ids(query)).toEqual(want);
    // The live tail filters records in memory before they are stored: the same answer.
    expect(memoryIds(query), 'in memory').toEqual(want);
  });

  it('treats injection attempts as plain values', async () => {
    for (const query of INJECTIONS) {
      expect(await ids(query), query).toEqual([]);
    }
    const count = await db.runAndReadAll('SELECT count(*) FROM records');
    expect(Number(count.getRowsJS()[0]![0])).toBe(ROWS.length);
  });
});
