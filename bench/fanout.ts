// Time from a window's publication on the server to its receipt by each of N socket.io clients.
// The server runs in a child process so the clients' work does not slow its event loop.
import { fork } from 'node:child_process';
import { io as connect, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../shared/events.ts';
import type { BenchRow } from './table.ts';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;

export async function benchFanout(clients = 1000, windows = 20): Promise<BenchRow[]> {
  const child = fork(new URL('./fanout-server.ts', import.meta.url), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const messages: Array<(m: unknown) => void> = [];
  child.on('message', (m) => messages.shift()?.(m));
  const nextMessage = <T>() => new Promise<T>((r) => messages.push(r as (m: unknown) => void));

  const ready = await nextMessage<{ port: number; topicId: string }>();
  const url = `http://127.0.0.1:${ready.port}`;
  const received = new Map<number, number[]>();
  const sockets: Client[] = [];
  let payloadBytes = 0;

  for (let i = 0; i < clients; i += 50) {
    const batch = Array.from({ length: Math.min(50, clients - i) }, async () => {
      const s: Client = connect(url, {
        transports: ['websocket'],
        forceNew: true,
        reconnection: false,
      });
      s.on('window:published', (w) => {
        const t = performance.timeOrigin + performance.now();
        let list = received.get(w.windowStart);
        if (!list) received.set(w.windowStart, (list = []));
        list.push(t);
        if (payloadBytes === 0) payloadBytes = JSON.stringify(w).length;
      });
      await new Promise<void>((resolve, reject) => {
        s.once('connect', () => resolve());
        s.once('connect_error', reject);
      });
      await new Promise((resolve) =>
        s.emit('topic:subscribe', { topicId: ready.topicId }, resolve),
      );
      sockets.push(s);
    });
    await Promise.all(batch);
  }

  const latencies: number[] = [];
  for (let i = 0; i < windows; i++) {
    child.send({ type: 'publish' });
    const pub = await nextMessage<{ windowStart: number; publishedAt: number }>();
    const deadline = Date.now() + 5000;
    while ((received.get(pub.windowStart)?.length ?? 0) < clients && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 5));
    for (const t of received.get(pub.windowStart) ?? []) latencies.push(t - pub.publishedAt);
    await new Promise((r) => setTimeout(r, 200));
  }

  for (const s of sockets) s.close();
  child.send({ type: 'stop' });
  await new Promise((r) => child.once('exit', r));

  latencies.sort((a, b) => a - b);
  const expected = clients * windows;
  return [
    {
      name: `publish → receipt, ${clients} clients, p50`,
      value: percentile(latencies, 0.5),
      unit: 'ms',
    },
    {
      name: `publish → receipt, ${clients} clients, p99`,
      value: percentile(latencies, 0.99),
      unit: 'ms',
      target: '< 250 ms',
    },
    {
      name: `windows delivered (of ${expected}, ${(payloadBytes / 1024).toFixed(1)} KiB each)`,
      value: latencies.length,
      unit: 'msgs',
    },
  ];
}
