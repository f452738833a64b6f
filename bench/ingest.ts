// Records in, end to end, as shippers and exporters send them: HTTP push (text, gzip, NDJSON) in
// 10,000-line requests with four in flight, each answered after its records are durably stored;
// the time from a push until its window reaches a subscribed client; and the file source reading a
// file dropped into a watched directory. The server runs in a child process (the real app on a
// loopback port), the senders here, both on the same cores. Peer in the same run: the parser alone
// over the same lines, so the table shows what the rest of the path costs.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { io as connect, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../shared/events.ts';
import { createLineParser } from '../shared/parse/index.ts';
import { createCatalog } from '../server/catalog/catalog.ts';
import { defaultLogsets } from '../server/catalog/default-catalog.ts';
import { buildTrafficModel } from '../server/ingest/traffic-model.ts';
import type { BenchRow } from './table.ts';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

const TOKEN = 'bench-ingest-token-0001';
const TOPIC = 'topic-eni-prod';
const BATCH = 10_000;
const IN_FLIGHT = 4;
const WINDOW_PROBES = 5;

const now = () => performance.timeOrigin + performance.now();
export const median = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
};

interface Counters {
  counters: Record<string, { lines: number; accepted: number }>;
  /** The server's CPU time so far, all threads (DuckDB's included), ms. */
  cpuMs: number;
}

export interface Child {
  url: string;
  counters(): Promise<Counters>;
  stop(): Promise<void>;
}

/** The app in a child process (`watch`: a file source for the ENI topic). */
export async function startServer(watch?: string): Promise<Child> {
  const child: ChildProcess = fork(
    new URL('./ingest-server.ts', import.meta.url),
    ['--token', TOKEN, ...(watch ? ['--watch', watch] : [])],
    { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  const waiting: Array<(m: unknown) => void> = [];
  child.on('message', (m) => waiting.shift()?.(m));
  const next = <T>() => new Promise<T>((r) => waiting.push(r as (m: unknown) => void));
  const ready = await next<{ port: number }>();
  return {
    url: `http://127.0.0.1:${ready.port}`,
    async counters() {
      child.send({ type: 'counters' });
      return next<Counters>();
    },
    async stop() {
      child.send({ type: 'stop' });
      await new Promise((r) => child.once('exit', r));
    },
  };
}

export interface Body {
  data: string | Uint8Array<ArrayBuffer>;
  lines: number;
}

/** One request, repeated after Retry-After while the store is full; its latency and its 503s. */
async function pushOne(
  url: string,
  body: Body,
  headers: Record<string, string>,
): Promise<{ ms: number; refusals: number; accepted: number }> {
  let refusals = 0;
  for (;;) {
    const t = now();
    const res = await fetch(`${url}/api/topics/${TOPIC}/records`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, ...headers },
      body: body.data,
    });
    const reply = (await res.json()) as { ok: boolean; data?: { accepted: number } };
    if (res.status === 503) {
      refusals++;
      const after = Number(res.headers.get('retry-after') ?? '1');
      await new Promise((r) => setTimeout(r, after * 1000));
      continue;
    }
    if (!reply.ok || !reply.data) throw new Error(`push answered ${res.status}`);
    return { ms: now() - t, refusals, accepted: reply.data.accepted };
  }
}

/** Bodies pushed four at a time; the server's CPU time per line meanwhile. */
export async function pushAll(server: Child, bodies: Body[], headers: Record<string, string>) {
  const url = server.url;
  const cpu0 = (await server.counters()).cpuMs;
  const latencies: number[] = [];
  let refusals = 0;
  let accepted = 0;
  let next = 0;
  const t0 = now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < bodies.length) {
        const r = await pushOne(url, bodies[next++]!, headers);
        latencies.push(r.ms);
        refusals += r.refusals;
        accepted += r.accepted;
      }
    }),
  );
  const seconds = (now() - t0) / 1000;
  const cpuMs = (await server.counters()).cpuMs - cpu0;
  const lines = bodies.reduce((n, b) => n + b.lines, 0);
  return {
    perSecond: lines / seconds,
    latencies,
    refusals,
    accepted,
    lines,
    cpuUsPerRecord: (cpuMs * 1000) / lines,
  };
}

export function batches(
  lines: string[],
  encode: (chunk: string[]) => string | Uint8Array<ArrayBuffer>,
): Body[] {
  const out: Body[] = [];
  for (let i = 0; i < lines.length; i += BATCH) {
    const chunk = lines.slice(i, i + BATCH);
    out.push({ data: encode(chunk), lines: chunk.length });
  }
  return out;
}

/**
 * `count` lines of the ENI topic as the simulator's traffic model writes them (its VPC's hosts and
 * services, one record per quintuple and window), window after window back from `endMs`: real
 * flow logs repeat addresses and ports the way these do.
 */
export function simulatedLines(count: number, endMs: number, seed = 7): string[] {
  const catalog = createCatalog(defaultLogsets());
  const models = buildTrafficModel(catalog, { seed, accountId: '1300428518' }).filter(
    (m) => m.topicId === TOPIC,
  );
  const windowMs = catalog.windowMs(TOPIC);
  const lines: string[] = [];
  for (let w = Math.floor(endMs / windowMs) * windowMs; lines.length < count; w -= windowMs)
    for (const m of models) lines.push(...m.lines(w));
  return lines.slice(0, count);
}

/** Lines parsed per second by the parser alone (best of two passes): the peer of every row. */
function parseAlone(lines: readonly string[]): number {
  let best = Infinity;
  for (let pass = 0; pass < 2; pass++) {
    const parser = createLineParser('auto');
    const t = now();
    for (let i = 0; i < lines.length; i++) parser.parse(lines[i]!, i + 1);
    best = Math.min(best, now() - t);
  }
  return (lines.length / best) * 1000;
}

export async function benchIngest(
  records = Number(process.env.FLOWDECK_BENCH_PUSH_RECORDS ?? 1_000_000),
): Promise<BenchRow[]> {
  const dir = await mkdtemp(join(tmpdir(), 'flowdeck-bench-files-'));
  const watched = join(dir, 'watched');
  await mkdir(watched);
  const server = await startServer(`${watched}/*.log:${TOPIC}`);
  try {
    // The ENI topic's traffic, newest window first: each variant sends records of its own hours
    // (new windows, new quintuples, as live traffic brings), after a warm-up of the server's code.
    const hours = (h: number) => Date.now() - h * 3_600_000;
    const lines = simulatedLines(records, hours(1));
    const gzipLines = simulatedLines(records, hours(7.5));
    const ndjsonLines = simulatedLines(records, hours(14));
    const parsePerSecond = parseAlone(lines);
    await pushAll(
      server,
      batches(simulatedLines(100_000, hours(20.5)), (c) => `${c.join('\n')}\n`),
      { 'content-type': 'text/plain' },
    );

    const text = await pushAll(
      server,
      batches(lines, (c) => `${c.join('\n')}\n`),
      { 'content-type': 'text/plain' },
    );
    const gzip = await pushAll(
      server,
      batches(gzipLines, (c) => new Uint8Array(gzipSync(`${c.join('\n')}\n`))),
      { 'content-type': 'text/plain', 'content-encoding': 'gzip' },
    );
    const ndjson = await pushAll(
      server,
      batches(ndjsonLines, (c) => `${c.map((l) => JSON.stringify({ message: l })).join('\n')}\n`),
      { 'content-type': 'application/x-ndjson' },
    );

    // Push → window on a subscribed client: windows two hours back, one fresh window each.
    const socket: Client = connect(server.url, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    await new Promise((r) => socket.emit('topic:subscribe', { topicId: TOPIC }, r));
    const toWindow: number[] = [];
    const toDurable: number[] = [];
    for (let k = 0; k < WINDOW_PROBES; k++) {
      const windowStart =
        Math.floor((Date.now() - 2 * 3_600_000 - k * 600_000) / 300_000) * 300_000;
      const probe = simulatedLines(2_000, windowStart);
      const seen = new Promise<number>((resolve) => {
        const on = (w: { windowStart: number; topicId: string }) => {
          if (w.topicId !== TOPIC || w.windowStart !== windowStart) return;
          socket.off('window:published', on);
          resolve(now());
        };
        socket.on('window:published', on);
      });
      const t = now();
      const r = await pushOne(
        server.url,
        { data: `${probe.join('\n')}\n`, lines: probe.length },
        { 'content-type': 'text/plain' },
      );
      toDurable.push(r.ms);
      toWindow.push((await seen) - t);
    }
    socket.close();

    // File source: a file dropped (renamed) into the watched directory, of the text push's hours
    // but other traffic (another seed: new quintuples).
    const staged = join(dir, 'staged.log');
    await writeFile(staged, `${simulatedLines(records, hours(1), 8).join('\n')}\n`);
    const before = await server.counters();
    const linesBefore = before.counters.file?.lines ?? 0;
    const tf = now();
    await rename(staged, join(watched, 'flows-1.log'));
    let fileLines = 0;
    while (fileLines < records) {
      await new Promise((r) => setTimeout(r, 20));
      fileLines = ((await server.counters()).counters.file?.lines ?? 0) - linesBefore;
    }
    const filePerSecond = (records / (now() - tf)) * 1000;
    const fileCpuUs = (((await server.counters()).cpuMs - before.cpuMs) * 1000) / records;

    const M = (n: number) => `${(n / 1e6).toFixed(n % 1e6 === 0 ? 0 : 1)}M`;
    return [
      {
        name: `parse alone, same ${M(records)} lines (peer)`,
        value: parsePerSecond,
        unit: 'lines/s',
      },
      {
        name: `push text, ${BATCH / 1000}k-line requests ×${IN_FLIGHT}`,
        value: text.perSecond,
        unit: 'records/s',
        target: '>= 300,000',
      },
      { name: '  push text / parse alone', value: text.perSecond / parsePerSecond, unit: '×' },
      {
        name: '  server CPU per record (all threads)',
        value: text.cpuUsPerRecord,
        unit: 'µs',
      },
      { name: '  request → durable, p50', value: median(text.latencies), unit: 'ms' },
      { name: '  request → durable, p99', value: percentile(text.latencies, 0.99), unit: 'ms' },
      { name: '  503 + Retry-After answers', value: text.refusals, unit: 'requests' },
      { name: '  accepted of lines', value: text.accepted / text.lines, unit: '×' },
      { name: 'push gzip text', value: gzip.perSecond, unit: 'records/s' },
      { name: 'push NDJSON {"message"}', value: ndjson.perSecond, unit: 'records/s' },
      { name: '  NDJSON / text', value: ndjson.perSecond / text.perSecond, unit: '×' },
      { name: 'push 2k lines → durable, median', value: median(toDurable), unit: 'ms' },
      {
        name: 'push 2k lines → window on a client, median',
        value: median(toWindow),
        unit: 'ms',
      },
      {
        name: `file source, ${M(records)}-line file dropped in`,
        value: filePerSecond,
        unit: 'lines/s',
        target: '>= 300,000',
      },
      { name: '  server CPU per line (all threads)', value: fileCpuUs, unit: 'µs' },
      { name: '  file / push text', value: filePerSecond / text.perSecond, unit: '×' },
    ];
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
