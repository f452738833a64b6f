// A flowdeck cluster for tests and benches: each process (collector, front ends) a real
// `flowdeck serve` child, sharing one ClickHouse and one Redis; and a TCP proxy standing in for
// the load balancer in front of the front ends (its target can be switched, its connections cut).
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveChild, type ChildServer } from './child-server.ts';

export interface FlowdeckNode {
  url: string;
  port: number;
  server: ChildServer;
  /** SIGTERM (a clean stop) and wait for the exit. */
  stop(): Promise<void>;
  /** SIGKILL: no goodbye, nothing flushed. */
  kill(): Promise<void>;
}

/**
 * `flowdeck serve ARGS` in a child (serveChild), in `dataDir` (default: a temporary directory,
 * removed after), once it listens.
 */
export async function startNode(args: string[], dataDir?: string): Promise<FlowdeckNode> {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'flowdeck-node-')));
  const cleanup = () => (dataDir ? Promise.resolve() : rm(dir, { recursive: true, force: true }));
  const server = serveChild([...args, '--data', dir]);
  const url = await server.listening.catch(async (err: Error) => {
    await cleanup();
    throw err;
  });
  return {
    url,
    port: Number(new URL(url).port),
    server,
    stop: async () => {
      await server.stop();
      await cleanup();
    },
    kill: async () => {
      await server.kill9();
      await cleanup();
    },
  };
}

export interface Proxy {
  url: string;
  /** Where new connections go. */
  target(port: number): void;
  /** Cuts every open connection (the clients see their transport close). */
  cut(): void;
  close(): Promise<void>;
}

/** A TCP proxy on a free loopback port: the load balancer in front of the front ends. */
export async function startProxy(targetPort: number): Promise<Proxy> {
  let target = targetPort;
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect({ port: target, host: '127.0.0.1' });
    open.add(client);
    open.add(upstream);
    const close = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  const port = await new Promise<number>((done) =>
    server.listen(0, '127.0.0.1', () => done((server.address() as { port: number }).port)),
  );
  return {
    url: `http://127.0.0.1:${port}`,
    target: (p) => (target = p),
    cut: () => {
      for (const s of open) s.destroy();
      open.clear();
    },
    close: () =>
      new Promise<void>((done) => {
        for (const s of open) s.destroy();
        server.close(() => done());
      }),
  };
}
