// A flowdeck cluster for tests: each process (collector, front ends) a real `flowdeck serve`
// child on a free loopback port, sharing one ClickHouse and one Redis; and a TCP proxy standing in
// for the load balancer in front of the front ends (its target can be switched, its connections
// cut).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './clickhouse.ts';
import { TEST_TOKENS } from './app.ts';

const BIN = resolve(import.meta.dirname, '../../bin/flowdeck.js');

export interface FlowdeckChild {
  url: string;
  port: number;
  child: ChildProcess;
  log(): string;
  /** SIGTERM (a clean stop) and wait for the exit. */
  stop(): Promise<void>;
  /** SIGKILL: no goodbye, nothing flushed. */
  kill(): Promise<void>;
}

/** Starts `flowdeck serve` with `args` on a free port and waits until /api/health answers. */
export async function startFlowdeck(
  args: string[],
  opts: { port?: number; dataDir?: string; timeoutMs?: number } = {},
): Promise<FlowdeckChild> {
  const port = opts.port ?? (await freePort());
  const ownDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'flowdeck-node-')));
  const child = spawn(
    process.execPath,
    [
      BIN,
      'serve',
      '--port',
      String(port),
      '--host',
      '127.0.0.1',
      '--data',
      dataDir,
      '--ingest-token',
      TEST_TOKENS.ingest,
      '--admin-token',
      TEST_TOKENS.admin,
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  child.stderr!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((done) =>
    child.once('exit', (code) => {
      exitCode = code;
      done();
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const cleanup = async () => {
    if (ownDir) await rm(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  for (;;) {
    if (exitCode !== undefined) {
      await cleanup();
      throw new Error(`flowdeck ${args.join(' ')} exited (${exitCode}): ${output.slice(-3000)}`);
    }
    const ok = await fetch(`${url}/api/health`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      await exited;
      await cleanup();
      throw new Error(`flowdeck ${args.join(' ')} did not answer in time: ${output.slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const end = async (signal: NodeJS.Signals) => {
    if (exitCode === undefined) {
      child.kill(signal);
      const killed = setTimeout(() => child.kill('SIGKILL'), 60_000);
      await exited;
      clearTimeout(killed);
    }
  };
  return {
    url,
    port,
    child,
    log: () => output,
    stop: async () => {
      await end('SIGTERM');
      await cleanup();
    },
    kill: async () => {
      await end('SIGKILL');
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
