// Memory with a ceiling: the real server (`flowdeck serve`, a child process) at --speed 240 on a
// fresh data directory for 10 minutes (FLOWDECK_BENCH_MEMORY_MIN overrides), sampled through
// /api/health every 10 s: RSS, the V8 heap and DuckDB's memory against the store's size. RSS
// should level off while the store grows; the peer in the same run is the records stored. DuckDB
// runs with a 512 MB limit, which the store outgrows within the run.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveChild } from '../test/helpers/child-server.ts';
import type { BenchRow } from './table.ts';

interface Sample {
  atSec: number;
  rss: number;
  heap: number;
  workerHeap: number;
  duckdb: number;
  duckdbLimit: number;
  records: number;
  fileBytes: number;
}

const MB = 1048576;

export async function benchMemory(): Promise<BenchRow[]> {
  const minutes = Number(process.env.FLOWDECK_BENCH_MEMORY_MIN ?? 10);
  const dir = await mkdtemp(join(tmpdir(), 'flowdeck-bench-memory-'));
  const server = serveChild(
    [
      '--data',
      join(dir, 'data'),
      '--speed',
      '240',
      '--backfill',
      '60',
      // DuckDB caches the store up to its limit (a quarter of RAM by default): a limit the store
      // outgrows within the run shows the ceiling holding.
      '--db-memory',
      '512MB',
    ],
    // As `npm start` runs it: the V8 heap has a ceiling too.
    ['--max-old-space-size=1536'],
  );
  const url = await server.listening;
  const samples: Sample[] = [];
  const t0 = performance.now();
  try {
    while (performance.now() - t0 < minutes * 60_000) {
      await new Promise((r) => setTimeout(r, 10_000));
      const h = (await (await fetch(`${url}/api/health`)).json()) as {
        data: {
          memory: {
            rssBytes: number;
            heapUsedBytes: number;
            storeWorkerHeapBytes: number;
            duckdb: { usedBytes: number; limitBytes: number };
          };
          metrics: Record<string, unknown>;
        };
      };
      const m = h.data.memory;
      samples.push({
        atSec: (performance.now() - t0) / 1000,
        rss: m.rssBytes,
        heap: m.heapUsedBytes,
        workerHeap: m.storeWorkerHeapBytes,
        duckdb: m.duckdb.usedBytes,
        duckdbLimit: m.duckdb.limitBytes,
        records: Number(h.data.metrics.flowdeck_records_stored_total ?? 0),
        fileBytes: Number(h.data.metrics.flowdeck_store_file_bytes ?? 0),
      });
    }
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
  if (samples.length < 4) return [];
  // Growth per minute over the first and the second half of the run (after the first sample).
  const mid = samples[Math.floor(samples.length / 2)]!;
  const first = samples[0]!;
  const last = samples.at(-1)!;
  const perMin = (a: Sample, b: Sample, f: (s: Sample) => number) =>
    (f(b) - f(a)) / MB / ((b.atSec - a.atSec) / 60);
  const rssLate = perMin(mid, last, (s) => s.rss);
  const recordsLate = (last.records - mid.records) / ((last.atSec - mid.atSec) / 60) / 1e6;
  for (const s of samples)
    console.log(
      `memory @${Math.round(s.atSec)}s: rss ${(s.rss / MB).toFixed(0)} MB, heap ${(s.heap / MB).toFixed(0)} MB, worker heap ${(s.workerHeap / MB).toFixed(0)} MB, duckdb ${(s.duckdb / MB).toFixed(0)}/${(s.duckdbLimit / MB).toFixed(0)} MB, ${s.records.toLocaleString('en-US')} records, store ${(s.fileBytes / MB).toFixed(0)} MB`,
    );
  return [
    {
      name: `memory (${minutes} min at 240x, DuckDB limit 512 MB): RSS at first sample`,
      value: first.rss / MB,
      unit: 'MB',
    },
    { name: 'memory: RSS at end', value: last.rss / MB, unit: 'MB' },
    {
      name: 'memory: RSS max',
      value: Math.max(...samples.map((s) => s.rss)) / MB,
      unit: 'MB',
    },
    { name: 'memory: V8 heap used at end', value: last.heap / MB, unit: 'MB' },
    {
      name: "memory: DuckDB's memory at end / its limit",
      value: (100 * last.duckdb) / last.duckdbLimit,
      unit: `% of ${(last.duckdbLimit / MB).toFixed(0)} MB`,
    },
    { name: 'memory: records stored at end', value: last.records, unit: 'records' },
    {
      name: 'memory: RSS growth, first half',
      value: perMin(first, mid, (s) => s.rss),
      unit: 'MB/min',
    },
    {
      name: 'memory: RSS growth, second half',
      value: rssLate,
      unit: 'MB/min',
      target: 'levels off (~0)',
    },
    {
      name: 'memory: records stored, second half (peer)',
      value: recordsLate,
      unit: 'M records/min',
    },
    {
      name: 'memory: RSS growth per million records stored, second half',
      value: recordsLate > 0 ? rssLate / recordsLate : NaN,
      unit: 'MB/M records',
      target: '~0',
    },
    { name: 'memory: store on disk at end', value: last.fileBytes / MB, unit: 'MB' },
  ];
}
