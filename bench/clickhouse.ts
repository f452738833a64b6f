// Records into ClickHouse (Debian's 18.16, started here as a child process): TabSeparated inserts
// as the ClickHouse store writes them (server/store/clickhouse/write.ts), 100,000 records per
// insert, two in flight. Peer in the same run: the same records as JSONEachRow, the format the
// client makes easiest. Target: at least 150,000 records/s with TSV.
// Then the reads a dashboard makes, on the same 10 M records (FLOWDECK_BENCH_CH_QUERY_RECORDS)
// in both stores through the Store interface: ClickHouse beside DuckDB (with its hourly rollups).
import { Readable } from 'node:stream';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { createCatalog } from '../server/catalog/catalog.ts';
import { defaultLogsets } from '../server/catalog/default-catalog.ts';
import { createRecordsTable, RECORD_COLUMNS } from '../server/store/clickhouse/schema.ts';
import { recordsTsv } from '../server/store/clickhouse/write.ts';
import { openClickHouseStore } from '../server/store/clickhouse/store.ts';
import { openDuckDbStore } from '../server/store/duckdb/store.ts';
import { defaultStoreConfig, type Store } from '../server/store/store.ts';
import { systemClock } from '../server/clock.ts';
import { buildFilter, parseQuery } from '../shared/query/index.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StreamRecords } from '../server/store/types.ts';
import { startClickHouse } from '../test/helpers/clickhouse.ts';
import { p50, simulate, sleep } from './store.ts';
import type { BenchRow } from './table.ts';

const TSV_RECORDS = Number(process.env.FLOWDECK_BENCH_CH_RECORDS ?? 3_000_000);
const QUERY_RECORDS = Number(process.env.FLOWDECK_BENCH_CH_QUERY_RECORDS ?? 10_000_000);
const JSON_RECORDS = Math.min(TSV_RECORDS, 600_000);
const BATCH = 100_000;
const IN_FLIGHT = 2;

const log = (msg: string) => process.stderr.write(`[bench clickhouse] ${msg}\n`);

/** Units of about BATCH records from the simulated pool, replayed until `total`. */
function* batches(pool: StreamRecords[], total: number): Generator<StreamRecords[]> {
  let sent = 0;
  let unit: StreamRecords[] = [];
  let size = 0;
  while (sent < total) {
    for (const s of pool) {
      const n = Math.min(s.records.length, total - sent);
      if (n <= 0) break;
      unit.push(n === s.records.length ? s : { ...s, records: s.records.slice(0, n) });
      size += n;
      sent += n;
      if (size >= BATCH) {
        yield unit;
        unit = [];
        size = 0;
      }
    }
  }
  if (unit.length > 0) yield unit;
}

/** Runs `insert` over the batches with IN_FLIGHT at a time; records/s and the CPU ms spent here. */
async function run(
  pool: StreamRecords[],
  total: number,
  insert: (unit: StreamRecords[], seq: number) => Promise<unknown>,
): Promise<{ perSecond: number; clientCpuMs: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const flying = new Set<Promise<unknown>>();
  let seq = 1;
  for (const unit of batches(pool, total)) {
    const rows = unit.reduce((n, s) => n + s.records.length, 0);
    const p = insert(unit, seq).finally(() => flying.delete(p));
    seq += rows;
    flying.add(p);
    if (flying.size >= IN_FLIGHT) await Promise.race(flying);
  }
  await Promise.all(flying);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { perSecond: total / seconds, clientCpuMs: (cpu.user + cpu.system) / 1000 };
}

async function count(ch: ClickHouseClient, table: string): Promise<number> {
  const r = await ch.query({ query: `SELECT count() AS n FROM ${table}`, format: 'JSONEachRow' });
  const [row] = await r.json<{ n: string }>();
  return Number(row?.n ?? 0);
}

export async function benchClickHouse(): Promise<BenchRow[]> {
  const from = Date.UTC(2025, 0, 15, 6, 0, 0);
  const pool: StreamRecords[] = simulate(createCatalog(defaultLogsets()), from, 30).map((b) => ({
    ...b,
    windowMs: 60_000,
  }));
  const server = await startClickHouse();
  const ch = createClient({ url: server.url, log: { level: ClickHouseLogLevel.OFF } });
  try {
    await ch.command({ query: 'CREATE DATABASE IF NOT EXISTS tsv' });
    await ch.command({ query: 'CREATE DATABASE IF NOT EXISTS json' });
    await ch.command({ query: createRecordsTable('tsv') });
    await ch.command({ query: createRecordsTable('json') });

    log(`TSV: ${TSV_RECORDS.toLocaleString('en-US')} records, ${BATCH} per insert`);
    const tsv = await run(pool, TSV_RECORDS, async (unit, seq) => {
      const { body } = recordsTsv(unit, seq, from);
      await ch.insert({
        table: 'tsv.records',
        values: Readable.from([Buffer.from(body)], { objectMode: false }),
        format: 'TabSeparated',
      });
    });
    const tsvStored = await count(ch, 'tsv.records');

    log(`JSONEachRow: ${JSON_RECORDS.toLocaleString('en-US')} records`);
    const json = await run(pool, JSON_RECORDS, async (unit, seq) => {
      // The same values, as objects under the column names.
      const { body } = recordsTsv(unit, seq, from);
      const names = RECORD_COLUMNS.map(([c]) => c);
      const values = body
        .trimEnd()
        .split('\n')
        .map((l) =>
          Object.fromEntries(l.split('\t').map((v, i) => [names[i]!, v === '\\N' ? null : v])),
        );
      await ch.insert({ table: 'json.records', values, format: 'JSONEachRow' });
    });
    const jsonStored = await count(ch, 'json.records');

    const queries = await benchQueries(pool, server.httpPort);
    return [
      ...queries,
      {
        name: `clickhouse 18.16: insert records/s, TSV, ${BATCH / 1000}k per insert, ${IN_FLIGHT} in flight (${tsvStored.toLocaleString('en-US')} stored)`,
        value: tsv.perSecond,
        unit: 'rec/s',
        target: '>= 150,000',
      },
      {
        name: 'clickhouse 18.16: flowdeck CPU per 1,000 records, TSV (encoding and sending)',
        value: (tsv.clientCpuMs / TSV_RECORDS) * 1000,
        unit: 'ms',
      },
      {
        name: `clickhouse 18.16: insert records/s, JSONEachRow, the same records (${jsonStored.toLocaleString('en-US')} stored)`,
        value: json.perSecond,
        unit: `rec/s (TSV ${(tsv.perSecond / json.perSecond).toFixed(1)}x faster)`,
      },
    ];
  } finally {
    await ch.close();
    await server.stop();
  }
}

/** Writes `total` records of the pool, replayed half an hour later each time, through store.write. */
async function fill(store: Store, pool: StreamRecords[], total: number): Promise<number> {
  const t0 = performance.now();
  let sent = 0;
  let shift = 0;
  const acks: Array<Promise<unknown>> = [];
  while (sent < total) {
    for (const s of pool) {
      if (sent >= total) break;
      const n = Math.min(s.records.length, total - sent);
      const records = s.records.slice(0, n).map((r) => ({
        ...r,
        start: r.start === null ? null : r.start + shift,
        end: r.end === null ? null : r.end + shift,
      }));
      while (!store.hasRoom(n)) await sleep(5);
      const ack = store.write({ streams: [{ ...s, records }] });
      if (ack) acks.push(ack);
      sent += n;
    }
    shift += 30 * 60;
  }
  await store.flush();
  await Promise.all(acks);
  return total / ((performance.now() - t0) / 1000);
}

async function benchQueries(pool: StreamRecords[], httpPort: number): Promise<BenchRow[]> {
  const dir = await mkdtemp(join(tmpdir(), 'flowdeck-bench-ch-'));
  const config = { ...defaultStoreConfig(dir), retentionEveryMs: 0 };
  const deps = { clock: systemClock, warn: log };
  const duck = await openDuckDbStore(config, deps);
  const house = await openClickHouseStore(
    `clickhouse://127.0.0.1:${httpPort}/queries`,
    config,
    deps,
  );
  try {
    const rows: BenchRow[] = [];
    const n = QUERY_RECORDS.toLocaleString('en-US');
    log(`queries: ${n} records into DuckDB and ClickHouse`);
    const duckRate = await fill(duck, pool, QUERY_RECORDS);
    const houseRate = await fill(house, pool, QUERY_RECORDS);
    await duck.maintain(); // DuckDB's hourly rollups, as a running server keeps them
    rows.push({
      name: `clickhouse store: ${n} records written through the Store interface`,
      value: houseRate,
      unit: `rec/s (DuckDB store ${Math.round(duckRate).toLocaleString('en-US')} rec/s)`,
    });
    const topic = 'topic-eni-prod';
    const from = Date.UTC(2025, 0, 15, 0, 0, 0);
    const to = from + 24 * 3_600_000;
    const sample = pool.find((s) => s.topicId === topic)!.records.find((r) => r.srcport !== null)!;
    const drill = parseQuery(
      buildFilter({
        srcaddr: sample.srcaddr!,
        srcport: sample.srcport!,
        dstaddr: sample.dstaddr!,
        dstport: sample.dstport!,
        protocol: sample.protocol!,
      }),
    );
    const search = parseQuery('dstport:22 AND action:REJECT');
    if (!drill.ok || !search.ok) throw new Error('bench queries do not parse');
    const ws = Math.floor((sample.start! * 1000) / 60_000) * 60_000;
    const reads: Array<[string, (s: Store) => Promise<unknown>]> = [
      [
        'dashboard, 24 h in 5-min steps',
        (s) => s.aggregate({ topicId: topic, fromMs: from, toMs: to, stepMs: 300_000 }),
      ],
      ['top 20 quintuples, 24 h', (s) => s.topQuintuples(topic, from, to, 20)],
      [
        'drill-down to one quintuple in one window',
        (s) =>
          s.queryRecords({
            topicId: topic,
            fromMs: ws,
            toMs: ws + 60_000,
            where: drill.ast,
            limit: 100,
          }),
      ],
      [
        'search all topics, 24 h, dstport:22 AND action:REJECT, first page',
        (s) => s.queryRecords({ fromMs: from, toMs: to, where: search.ast, limit: 100 }),
      ],
    ];
    for (const [what, read] of reads) {
      const ch = await p50(7, () => read(house));
      const dd = await p50(7, () => read(duck));
      rows.push({
        name: `clickhouse store, ${n} records: ${what} (p50 of 7)`,
        value: ch,
        unit: `ms (DuckDB ${dd.toFixed(0)} ms, ${(ch / dd).toFixed(1)}x)`,
      });
    }
    return rows;
  } finally {
    await duck.close();
    await house.close();
    await rm(dir, { recursive: true, force: true });
  }
}
