// Test helpers: a real app on port 0 and typed socket.io clients connected to it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io as connect, type Socket } from 'socket.io-client';
import { decodeEncoded, type Encoded } from '../../shared/encoded.ts';
import type {
  ClientToServerEvents,
  Overview,
  ServerToClientEvents,
  TopicSnapshot,
} from '../../shared/events.ts';
import type { Reply } from '../../shared/reply.ts';
import { createApp, type AppDeps } from '../../server/app.ts';
import { scaledClock } from '../../server/clock.ts';
import { loadConfig, type Config } from '../../server/config.ts';

export type TestSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** The tokens every test app runs with (unless its args give others). */
export const TEST_TOKENS = {
  ingest: 'test-ingest-token-0001',
  admin: 'test-admin-token-00001',
} as const;

/** Authorization headers for the test tokens. */
export const bearer = (role: keyof typeof TEST_TOKENS) => ({
  authorization: `Bearer ${TEST_TOKENS[role]}`,
});

/** Config for tests: port 0, loopback, a fixed seed, the test tokens, and the given flags. */
export function testConfig(args: string[] = []): Readonly<Config> {
  const tokens = [
    ...(args.includes('--ingest-token') ? [] : ['--ingest-token', TEST_TOKENS.ingest]),
    ...(args.includes('--admin-token') ? [] : ['--admin-token', TEST_TOKENS.admin]),
  ];
  return loadConfig(['--port', '0', '--host', '127.0.0.1', '--seed', '7', ...tokens, ...args], {});
}

/**
 * A real app on port 0. Without `--data` in args it gets a fresh temporary data directory, which
 * stop() removes; with one, the directory is the caller's (a restart test reuses it).
 */
export async function startApp(args: string[] = [], deps: AppDeps = {}) {
  const ownDir = !args.includes('--data');
  const dataDir = ownDir
    ? await mkdtemp(join(tmpdir(), 'flowdeck-test-'))
    : args[args.indexOf('--data') + 1]!;
  const config = testConfig(ownDir ? [...args, '--data', dataDir] : args);
  const app = await createApp(config, {
    clock: deps.clock ?? scaledClock(config.simulator.speed),
    log: { info: () => {}, warn: () => {} },
    ...deps,
  });
  const { url } = await app.listen();
  return {
    app,
    url,
    dataDir,
    async stop() {
      await app.close();
      if (ownDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export function connectClient(url: string): Promise<TestSocket> {
  const socket: TestSocket = connect(url, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

const decoded = <T extends { serverTime: number }>(r: Reply<Encoded<T>>): Reply<T> =>
  r.ok ? { ok: true, data: decodeEncoded(r.data) } : r;

/** topic:subscribe's answer, with the shared snapshot decoded as the client does. */
export function subscribeTopic(
  socket: TestSocket,
  topicId: unknown,
): Promise<Reply<TopicSnapshot>> {
  return new Promise((resolve) =>
    socket.emit('topic:subscribe', { topicId } as { topicId: string }, (r) => resolve(decoded(r))),
  );
}

/** overview:subscribe's answer, decoded. */
export function subscribeOverview(socket: TestSocket): Promise<Reply<Overview>> {
  return new Promise((resolve) => socket.emit('overview:subscribe', (r) => resolve(decoded(r))));
}

/** Resolves with the first event value that satisfies `pred`, or rejects after `ms`. */
export function waitFor<T>(
  subscribe: (cb: (v: T) => void) => () => void,
  pred: (v: T) => boolean,
  ms: number,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out after ${ms} ms`));
    }, ms);
    const off = subscribe((v) => {
      if (!pred(v)) return;
      clearTimeout(timer);
      off();
      resolve(v);
    });
  });
}

/** Pushes text lines to a topic as a shipper does (the test ingest token); returns the HTTP status. */
export async function pushLines(url: string, topicId: string, lines: string[]): Promise<number> {
  const res = await fetch(new URL(`/api/topics/${encodeURIComponent(topicId)}/records`, url), {
    method: 'POST',
    headers: { 'content-type': 'text/plain', ...bearer('ingest') },
    body: lines.join('\n'),
  });
  await res.arrayBuffer();
  return res.status;
}
