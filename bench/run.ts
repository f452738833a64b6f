// `npm run bench [parse|aggregate|alerts|ingest|fanout|store|clickhouse|cluster|memory|browser|soak...]`: throughput and latency figures, printed as a
// table. Targets are stated, never asserted: the figures go in the closing note of the work that
// changes them. The store part generates 100 M records (FLOWDECK_BENCH_RECORDS overrides); the
// memory part runs the server for 10 minutes at 240x (FLOWDECK_BENCH_MEMORY_MIN overrides).
import os from 'node:os';
import { benchAggregate } from './aggregate.ts';
import { benchAlerts } from './alerts.ts';
import { benchBrowser } from './browser.ts';
import { benchClickHouse } from './clickhouse.ts';
import { benchCluster } from './cluster.ts';
import { benchFanout } from './fanout.ts';
import { benchIngest } from './ingest.ts';
import { benchMemory } from './memory.ts';
import { benchParse } from './parse.ts';
import { benchSoak } from './soak.ts';
import { benchStore } from './store.ts';
import { printTable, type BenchRow } from './table.ts';

const only = process.argv.slice(2);
const want = (name: string) => only.length === 0 || only.includes(name);

const rows: BenchRow[] = [];
if (want('parse')) rows.push(...(await benchParse()));
if (want('aggregate')) rows.push(...(await benchAggregate()));
if (want('ingest')) rows.push(...(await benchIngest()));
if (want('alerts')) rows.push(...(await benchAlerts()));
if (want('fanout')) rows.push(...(await benchFanout()));
if (want('store')) rows.push(...(await benchStore()));
if (want('clickhouse')) rows.push(...(await benchClickHouse()));
if (want('cluster')) rows.push(...(await benchCluster()));
if (want('memory')) rows.push(...(await benchMemory()));
if (want('browser')) rows.push(...(await benchBrowser()));
if (want('soak')) rows.push(...(await benchSoak()));

console.log(
  `\nflowdeck bench — node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'})\n`,
);
printTable(rows);
