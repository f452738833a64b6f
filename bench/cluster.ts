// Publish → receipt across a cluster: 2,000 socket.io clients spread over two front ends, windows
// built by a collector (ClickHouse, Redis; every process a `flowdeck serve` child), against the
// same 2,000 clients on one all-in-one process in the same run. A revision counts from the
// collector's publishedAt to each client's receipt (one machine, one clock).
import { io as connect, type Socket } from 'socket.io-client';
import { decodeEncoded } from '../shared/encoded.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '../shared/events.ts';
import { pushLines } from '../test/helpers/app.ts';
import { startClickHouse } from '../test/helpers/clickhouse.ts';
import { startNode, type FlowdeckNode } from '../test/helpers/cluster.ts';
import { startRedis } from '../test/helpers/redis.ts';
import type { BenchRow } from './table.ts';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
const TOPIC = 'topic-nat-prod';

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;

/** Connects `n` clients spread over `urls`, 50 at a time, each subscribed to TOPIC. */
async function clients(urls: string[], n: number, onWindow: (key: string, t: number) => void) {
  const sockets: Client[] = [];
  for (let i = 0; i < n; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, n - i) }, async (_, j) => {
        const s: Client = connect(urls[(i + j) % urls.length]!, {
          transports: ['websocket'],
          forceNew: true,
          reconnection: false,
        });
        s.on('window:published', (w) => {
          if (w.topicId === TOPIC) onWindow(`${w.windowStart}#${w.revision}`, Date.now());
        });
        await new Promise<void>((ok, fail) => {
          s.once('connect', () => ok());
          s.once('connect_error', fail);
        });
        await new Promise((ok) => s.emit('topic:subscribe', { topicId: TOPIC }, ok));
        sockets.push(s);
      }),
    );
  }
  return sockets;
}

/** Pushes `rounds` revisions into `collector`; the receipt latencies of every client, ms. */
async function measure(collector: string, frontEnds: string[], n: number, rounds: number) {
  const topics = (await (await fetch(`${collector}/api/topics`)).json()) as {
    data: Array<{ topics: Array<{ id: string; flowLogs: Array<{ resourceId: string }> }> }>;
  };
  const nat = topics.data.flatMap((l) => l.topics).find((t) => t.id === TOPIC)!;
  const stream = nat.flowLogs[0]!.resourceId;
  const got = new Map<string, number[]>();
  const sockets = await clients(frontEnds, n, (key, t) => {
    let list = got.get(key);
    if (!list) got.set(key, (list = []));
    list.push(t);
  });
  const latencies: number[] = [];
  let missing = 0;
  for (let i = 0; i < rounds; i++) {
    const before = new Set(got.keys());
    const now = Date.now();
    const s = Math.floor((now - 5_000) / 1000);
    const line = `2 1300428518 ${stream} 10.0.1.12 10.0.2.8 51000 3306 6 10 ${1_000 + i} ${s} ${s + 3} ACCEPT OK`;
    if ((await pushLines(collector, TOPIC, [line])) !== 200) throw new Error('push refused');
    // The revision this push made: the first key none had before, heard by every client.
    const deadline = Date.now() + 15_000;
    let key: string | undefined;
    while (Date.now() < deadline) {
      key = [...got.keys()].find((k) => !before.has(k));
      if (key && got.get(key)!.length >= n) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    if (!key) throw new Error('no revision was published');
    const publishedAt = await publishedAtOf(frontEnds[0]!, key);
    for (const t of got.get(key)!) latencies.push(t - publishedAt);
    missing += n - got.get(key)!.length;
    await new Promise((r) => setTimeout(r, 1_200));
  }
  for (const s of sockets) s.close();
  return { latencies: latencies.sort((a, b) => a - b), missing };
}

/** The publishedAt of window revision `key` (start#revision), from a fresh subscribe. */
async function publishedAtOf(url: string, key: string): Promise<number> {
  const [start] = key.split('#').map(Number);
  const s: Client = connect(url, { transports: ['websocket'], forceNew: true });
  try {
    const snap = await new Promise<{
      windows: Array<{ windowStart: number; publishedAt: number }>;
    }>((ok, fail) =>
      s.emit('topic:subscribe', { topicId: TOPIC }, (r) =>
        r.ok ? ok(decodeEncoded(r.data)) : fail(new Error(r.error.message)),
      ),
    );
    return snap.windows.find((w) => w.windowStart === start)!.publishedAt;
  } finally {
    s.close();
  }
}

export async function benchCluster(n = 2000, rounds = 15): Promise<BenchRow[]> {
  const [clickhouse, redis] = await Promise.all([startClickHouse(), startRedis()]);
  const shared = [
    '--store',
    `clickhouse://127.0.0.1:${clickhouse.httpPort}/bench`,
    '--redis',
    redis.url,
    '--no-simulator',
  ];
  const nodes: FlowdeckNode[] = [];
  try {
    const collector = await startNode([...shared, '--role', 'collector']);
    nodes.push(collector);
    const fronts = await Promise.all([
      startNode([...shared, '--role', 'frontend']),
      startNode([...shared, '--role', 'frontend']),
    ]);
    nodes.push(...fronts);
    const cluster = await measure(
      collector.url,
      fronts.map((f) => f.url),
      n,
      rounds,
    );
    for (const node of nodes.splice(0)) await node.stop();

    // The peer: the same clients on one process that collects and serves (DuckDB, no Redis).
    const single = await startNode(['--no-simulator']);
    nodes.push(single);
    const one = await measure(single.url, [single.url], n, rounds);

    const p = (l: number[], q: number) => percentile(l, q);
    return [
      {
        name: `cluster publish → receipt, ${n} clients on 2 front ends, p50`,
        value: p(cluster.latencies, 0.5),
        unit: 'ms',
      },
      {
        name: `cluster publish → receipt, ${n} clients on 2 front ends, p99`,
        value: p(cluster.latencies, 0.99),
        unit: 'ms',
      },
      {
        name: `one process publish → receipt, ${n} clients, p50 (peer)`,
        value: p(one.latencies, 0.5),
        unit: 'ms',
      },
      {
        name: `one process publish → receipt, ${n} clients, p99 (peer)`,
        value: p(one.latencies, 0.99),
        unit: 'ms',
      },
      {
        name: 'cluster / one process, p50',
        value: p(cluster.latencies, 0.5) / p(one.latencies, 0.5),
        unit: '×',
      },
      {
        name: 'deliveries missing (cluster + one process)',
        value: cluster.missing + one.missing,
        unit: 'clients',
        target: '0',
      },
    ];
  } finally {
    for (const node of nodes) await node.stop().catch(() => {});
    await Promise.all([redis.stop(), clickhouse.stop()]);
  }
}
