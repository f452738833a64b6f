// A real ClickHouse (Debian's clickhouse-server) as a child process for tests: a temporary data
// directory, free loopback ports, the default user without a password, UTC. Started and waited for
// (GET /ping), stopped and removed after.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll } from 'vitest';
import { join } from 'node:path';
import { spawnDaemon } from './daemon.ts';

export const CLICKHOUSE_SERVER = '/usr/sbin/clickhouse-server';

export interface ClickHouseChild {
  /** http://127.0.0.1:PORT */
  url: string;
  httpPort: number;
  tcpPort: number;
  dir: string;
  child: ChildProcess;
  /** What the server wrote to its logs and stderr, for a failing test's message. */
  log(): string;
  stop(): Promise<void>;
}

/** A port the kernel had free a moment ago (the server binds it right after). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** A `remote_servers` cluster named flowdeck: one shard per TCP port, one replica each. */
function remoteServers(tcpPorts: readonly number[]): string {
  const shards = tcpPorts
    .map((p) => `      <shard><replica><host>127.0.0.1</host><port>${p}</port></replica></shard>`)
    .join('\n');
  return `  <remote_servers>\n    <flowdeck>\n${shards}\n    </flowdeck>\n  </remote_servers>\n`;
}

function config(
  dir: string,
  httpPort: number,
  tcpPort: number,
  interserver: number,
  cluster = '',
): string {
  return `<?xml version="1.0"?>
<yandex>
  <logger>
    <level>warning</level>
    <log>${dir}/server.log</log>
    <errorlog>${dir}/server.err.log</errorlog>
    <size>10M</size>
    <count>1</count>
  </logger>
  <http_port>${httpPort}</http_port>
  <tcp_port>${tcpPort}</tcp_port>
  <interserver_http_port>${interserver}</interserver_http_port>
  <listen_host>127.0.0.1</listen_host>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/tmp/</tmp_path>
  <user_files_path>${dir}/user_files/</user_files_path>
  <format_schema_path>${dir}/format_schemas/</format_schema_path>
  <users_config>${dir}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>268435456</mark_cache_size>
  <uncompressed_cache_size>268435456</uncompressed_cache_size>
  <max_concurrent_queries>100</max_concurrent_queries>
  <timezone>UTC</timezone>
${cluster}</yandex>
`;
}

const USERS = `<?xml version="1.0"?>
<yandex>
  <profiles>
    <default>
      <max_memory_usage>4000000000</max_memory_usage>
      <load_balancing>random</load_balancing>
    </default>
  </profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas>
    <default>
      <interval>
        <duration>3600</duration>
        <queries>0</queries>
        <errors>0</errors>
        <result_rows>0</result_rows>
        <read_rows>0</read_rows>
        <execution_time>0</execution_time>
      </interval>
    </default>
  </quotas>
</yandex>
`;

/**
 * Starts a server; resolves once it answers /ping (a slow machine may take a while). `cluster`:
 * the TCP ports of the shards its `remote_servers` names `flowdeck` (this one among them).
 */
export async function startClickHouse(
  timeoutMs = 60_000,
  ports?: { tcpPort: number; cluster: readonly number[] },
): Promise<ClickHouseChild> {
  const dir = await mkdtemp(join(tmpdir(), 'flowdeck-clickhouse-'));
  const [httpPort, tcpPort, interserver] = [
    await freePort(),
    ports?.tcpPort ?? (await freePort()),
    await freePort(),
  ];
  await writeFile(
    join(dir, 'config.xml'),
    config(dir, httpPort, tcpPort, interserver, ports ? remoteServers(ports.cluster) : ''),
  );
  await writeFile(join(dir, 'users.xml'), USERS);
  const daemon = spawnDaemon(CLICKHOUSE_SERVER, [`--config-file=${join(dir, 'config.xml')}`], {
    dir,
    cwd: dir,
    graceMs: 15_000,
  });
  const { child, stop } = daemon;
  const url = `http://127.0.0.1:${httpPort}`;
  const readLog = async () => {
    const err = await readFile(join(dir, 'server.err.log'), 'utf8').catch(() => '');
    return `${daemon.output()}\n${err}`.slice(-4000);
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (daemon.exitCode() !== undefined) {
      const log = await readLog();
      await rm(dir, { recursive: true, force: true });
      throw new Error(`clickhouse-server exited (${daemon.exitCode()}) before answering: ${log}`);
    }
    const ok = await fetch(`${url}/ping`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) break;
    if (Date.now() > deadline) {
      const log = await readLog();
      await stop();
      throw new Error(`clickhouse-server did not answer /ping in ${timeoutMs} ms: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  let log = '';
  return {
    url,
    httpPort,
    tcpPort,
    dir,
    child,
    log: () => log || daemon.output(),
    stop: async () => {
      log = await readLog();
      await stop();
    },
  };
}

/**
 * `n` servers, each a shard of the cluster `flowdeck` their `remote_servers` name. The flowdeck
 * URL lists their HTTP ports: `clickhouse://127.0.0.1:A,127.0.0.1:B/DB`.
 */
export async function startClickHouseShards(n: number): Promise<ClickHouseChild[]> {
  const tcpPorts: number[] = [];
  for (let i = 0; i < n; i++) tcpPorts.push(await freePort());
  const started = await Promise.allSettled(
    tcpPorts.map((tcpPort) => startClickHouse(90_000, { tcpPort, cluster: tcpPorts })),
  );
  const up = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = started.find((r) => r.status === 'rejected');
  if (failed) {
    await Promise.all(up.map((s) => s.stop()));
    throw (failed as PromiseRejectedResult).reason;
  }
  return up;
}

/** The URL flowdeck takes for a set of shards (or one server). */
export const clickHouseUrl = (servers: readonly ClickHouseChild[], database: string) =>
  `clickhouse://${servers.map((s) => `127.0.0.1:${s.httpPort}`).join(',')}/${database}`;

/** The backends the app-level suites (reconciliation, restart) run on. */
export const BACKENDS = ['duckdb', 'clickhouse'] as const;
/** The store suite runs on these, two ClickHouse shards among them. */
export const STORE_BACKENDS = [...BACKENDS, 'clickhouse-2-shards'] as const;
export type StoreBackend = (typeof STORE_BACKENDS)[number];
export type Backend = (typeof BACKENDS)[number];

/**
 * For a suite that runs on each backend: on `clickhouse`, starts a server before the suite and
 * stops it after; `args()` gives the flags that point flowdeck at it (a database per suite), and
 * nothing on DuckDB (the data directory's file).
 */
export function backendFlags(
  backend: StoreBackend,
  database: string,
): { args(db?: string): string[] } {
  let servers: ClickHouseChild[] = [];
  beforeAll(async () => {
    if (backend === 'clickhouse') servers = [await startClickHouse()];
    if (backend === 'clickhouse-2-shards') servers = await startClickHouseShards(2);
  }, 180_000);
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });
  return {
    /** The flags of the store: `db` another database on the same servers. */
    args: (db = database) => (servers.length > 0 ? ['--store', clickHouseUrl(servers, db)] : []),
  };
}
