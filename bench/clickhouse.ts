// Records into ClickHouse (Debian's 18.16, started here as a child process): TabSeparated inserts
// as the ClickHouse store writes them (server/store/clickhouse/write.ts), 100,000 records per
// insert, two in flight. Peer in the same run: the same records as JSONEachRow, the format the
// client makes easiest. Target: at least 150,000 records/s with TSV.
import { Readable } from 'node:stream';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { createCatalog } from '../server/catalog/catalog.ts';
import { defaultLogsets } from '../server/catalog/default-catalog.ts';
import { createRecordsTable } from '../server/store/clickhouse/schema.ts';
import { recordsTsv } from '../server/store/clickhouse/write.ts';
import type { StreamRecords } from '../server/store/types.ts';
import { startClickHouse } from '../test/helpers/clickhouse.ts';
import { simulate } from './store.ts';
import type { BenchRow } from './table.ts';

const TSV_RECORDS = Number(process.env.FLOWDECK_BENCH_CH_RECORDS ?? 3_000_000);
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
      const names = [
        ...'topic stream window_start seq version account_id interface_id srcaddr dstaddr'.split(
          ' ',
        ),
        ...'src_ip_hi src_ip_lo dst_ip_hi dst_ip_lo srcport dstport protocol packets bytes'.split(
          ' ',
        ),
        ...'start_s end_s action log_status ccn_id src_region dst_region region_id extra'.split(
          ' ',
        ),
      ];
      const values = body
        .trimEnd()
        .split('\n')
        .map((l) =>
          Object.fromEntries(l.split('\t').map((v, i) => [names[i]!, v === '\\N' ? null : v])),
        );
      await ch.insert({ table: 'json.records', values, format: 'JSONEachRow' });
    });
    const jsonStored = await count(ch, 'json.records');

    return [
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
