// A real Redis (Debian's redis-server) as a child process for tests: a free loopback port, a
// temporary directory, no persistence. Started and waited for (PING), stopped and removed after.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './clickhouse.ts';
import { spawnDaemon } from './daemon.ts';

export const REDIS_SERVER = '/usr/bin/redis-server';

export interface RedisChild {
  /** redis://127.0.0.1:PORT */
  url: string;
  port: number;
  child: ChildProcess;
  log(): string;
  stop(): Promise<void>;
}

/** One PING over a fresh connection: true when the server answers PONG. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = createConnection({ port, host: '127.0.0.1' });
    const done = (v: boolean) => {
      c.destroy();
      resolve(v);
    };
    c.setTimeout(1_000, () => done(false));
    c.once('error', () => done(false));
    c.once('connect', () => c.write('PING\r\n'));
    c.once('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}

export async function startRedis(timeoutMs = 30_000): Promise<RedisChild> {
  const dir = await mkdtemp(join(tmpdir(), 'flowdeck-redis-'));
  const port = await freePort();
  const daemon = spawnDaemon(
    REDIS_SERVER,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'no',
      '--daemonize',
      'no',
      '--loglevel',
      'warning',
    ],
    { dir, graceMs: 10_000 },
  );
  const { child, stop } = daemon;
  const deadline = Date.now() + timeoutMs;
  while (!(await ping(port))) {
    if (daemon.exitCode() !== undefined) {
      await rm(dir, { recursive: true, force: true });
      throw new Error(
        `redis-server exited (${daemon.exitCode()}) before answering: ${daemon.output().slice(-2000)}`,
      );
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `redis-server did not answer PING in ${timeoutMs} ms: ${daemon.output().slice(-2000)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    child,
    log: () => daemon.output().slice(-4000),
    stop,
  };
}
