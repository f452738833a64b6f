// Several flowdeck processes as a NOC runs them: one collector and two front ends, every one a
// real `flowdeck serve` child, sharing a real ClickHouse and a real Redis (Debian's servers,
// started here on free loopback ports). Records are pushed to the collector as a shipper does;
// browsers' sockets connect to the front ends, one of them through a proxy that plays the load
// balancer. What a user would check: windows reach clients on both front ends; a client whose
// connection drops lands on the other front end without missing a revision; a client whose front
// end is killed -9 resumes on the other and ends up with exactly the store's windows; a collector
// restart loses nothing and counts nothing twice.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeEncoded } from '../../shared/encoded.ts';
import type {
  ClientToServerEvents,
  ServerToClientEvents,
  TopicSnapshot,
  WindowAggregate,
} from '../../shared/events.ts';
import { bearer, pushLines } from '../helpers/app.ts';
import { freePort, startClickHouse, type ClickHouseChild } from '../helpers/clickhouse.ts';
import { serveChild } from '../helpers/child-server.ts';
import { startNode, startProxy, type FlowdeckNode, type Proxy } from '../helpers/cluster.ts';
import { startRedis, type RedisChild } from '../helpers/redis.ts';

const TOPIC = 'topic-eni-prod';
const WINDOW_MS = 300_000;
type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

/** What a dashboard holds: the newest revision of each window, and every revision event seen. */
class Follower {
  readonly socket: Client;
  readonly windows = new Map<number, WindowAggregate>();
  readonly events: string[] = [];
  snapshots = 0;
  resumes = 0;
  recovered = 0;
  #instance = '';

  constructor(url: string) {
    this.socket = connect(url, {
      transports: ['websocket'],
      forceNew: true,
      reconnectionDelay: 200,
      reconnectionDelayMax: 1_000,
    });
    this.socket.on('window:published', (w) => {
      if (w.topicId !== TOPIC) return;
      this.events.push(`${w.windowStart}#${w.revision}`);
      this.#merge(w);
    });
    this.socket.on('connect', () => {
      // The session came back (rooms and missed packets): nothing to ask. Otherwise subscribe,
      // with what is held, as the app does.
      if (this.socket.recovered) {
        this.recovered++;
        return;
      }
      const held = [...this.windows.values()];
      const since =
        held.length > 0 && this.#instance
          ? {
              publishedAt: Math.max(...held.map((w) => w.publishedAt)),
              instance: this.#instance,
            }
          : undefined;
      this.socket.emit('topic:subscribe', { topicId: TOPIC, ...(since ? { since } : {}) }, (r) => {
        if (!r.ok) return;
        const snap = decodeEncoded(r.data) as TopicSnapshot;
        this.#instance = snap.instance;
        if (snap.resumed) this.resumes++;
        else this.snapshots++;
        for (const w of snap.windows) this.#merge(w);
      });
    });
  }

  #merge(w: WindowAggregate) {
    const held = this.windows.get(w.windowStart);
    if (!held || held.revision < w.revision) this.windows.set(w.windowStart, w);
  }

  revision(windowStart: number): number {
    return this.windows.get(windowStart)?.revision ?? 0;
  }

  /** ACCEPT bytes held for a window. */
  bytes(windowStart: number): number {
    return this.windows.get(windowStart)?.accept.bytes ?? 0;
  }

  /** True once a window:published event for the window arrived (not only a snapshot). */
  heard(windowStart: number): boolean {
    return this.events.some((e) => e.startsWith(`${windowStart}#`));
  }

  close() {
    this.socket.close();
  }
}

/** A fresh page's view of the topic on a front end: its snapshot's windows by start. */
async function freshView(url: string): Promise<Map<number, WindowAggregate>> {
  const socket: Client = connect(url, { transports: ['websocket'], forceNew: true });
  try {
    const snap = await new Promise<TopicSnapshot>((done, fail) => {
      socket.once('connect_error', fail);
      socket.emit('topic:subscribe', { topicId: TOPIC }, (r) =>
        r.ok ? done(decodeEncoded(r.data) as TopicSnapshot) : fail(new Error(r.error.message)),
      );
    });
    return new Map(snap.windows.map((w) => [w.windowStart, w]));
  } finally {
    socket.close();
  }
}

async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 60_000) {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a cluster: one collector, two front ends, ClickHouse and Redis', () => {
  let clickhouse: ClickHouseChild;
  let redis: RedisChild;
  let collector: FlowdeckNode;
  let frontA: FlowdeckNode;
  let frontB: FlowdeckNode;
  let proxy: Proxy;
  let shared: string[];
  let collectorArgs: string[];
  let collectorDir: string;
  const open: Follower[] = [];
  let enis: string[] = [];
  /** Bytes pushed into each window of the topic: what its ACCEPT total must come to. */
  const pushed = new Map<number, number>();

  /** One record per ENI in the current window; each push is a new revision of it. */
  const pushWindow = async (bytes: number): Promise<number> => {
    const now = Date.now();
    const w = Math.floor(now / WINDOW_MS) * WINDOW_MS;
    const s = Math.floor(Math.max(w, now - 10_000) / 1000);
    const lines = enis.map(
      (eni) =>
        `2 1300428518 ${eni} 10.0.1.12 10.0.2.8 51000 3306 6 10 ${bytes} ${s} ${s + 30} ACCEPT OK`,
    );
    const status = await pushLines(collector.url, TOPIC, lines);
    expect(status).toBe(200);
    pushed.set(w, (pushed.get(w) ?? 0) + bytes * lines.length);
    return w;
  };

  beforeAll(async () => {
    [clickhouse, redis] = await Promise.all([startClickHouse(), startRedis()]);
    shared = [
      '--store',
      `clickhouse://127.0.0.1:${clickhouse.httpPort}/cluster`,
      '--redis',
      redis.url,
    ];
    collectorDir = await mkdtemp(join(tmpdir(), 'flowdeck-collector-'));
    collectorArgs = [...shared, '--role', 'collector', '--no-simulator'];
    // The collector writes the catalog on first start; the front ends read it.
    collector = await startNode(collectorArgs, collectorDir);
    [frontA, frontB] = await Promise.all([
      startNode([...shared, '--role', 'frontend']),
      startNode([...shared, '--role', 'frontend']),
    ]);
    proxy = await startProxy(frontA.port);
    const topics = (await (await fetch(`${frontA.url}/api/topics`)).json()) as {
      data: Array<{ topics: Array<{ id: string; flowLogs: Array<{ resourceId: string }> }> }>;
    };
    enis = topics.data
      .flatMap((l) => l.topics)
      .find((t) => t.id === TOPIC)!
      .flowLogs.map((f) => f.resourceId);
    expect(enis.length).toBeGreaterThan(0);
  }, 300_000);

  afterAll(async () => {
    for (const f of open) f.close();
    await proxy?.close();
    await Promise.all([frontA?.stop(), frontB?.stop(), collector?.stop()]);
    await Promise.all([redis?.stop(), clickhouse?.stop()]);
    if (collectorDir) await rm(collectorDir, { recursive: true, force: true });
  }, 180_000);

  const follow = (url: string) => {
    const f = new Follower(url);
    open.push(f);
    return f;
  };

  it('every process says its role on /api/health and serves /metrics', async () => {
    for (const [node, role] of [
      [collector, 'collector'],
      [frontA, 'frontend'],
      [frontB, 'frontend'],
    ] as const) {
      const health = (await (await fetch(`${node.url}/api/health`)).json()) as {
        data: { role: string; status: string };
      };
      expect(health.data).toMatchObject({ role, status: 'ok' });
      const metrics = await (await fetch(`${node.url}/metrics`)).text();
      expect(metrics).toContain('flowdeck_cluster_bus_messages');
    }
    // Records go to a collector; a front end says so instead of taking them.
    expect(await pushLines(frontA.url, TOPIC, ['x'])).toBe(421);
  });

  it('a catalog change made on one front end reaches the other and the collector', async () => {
    const renamed = `prod ENI ${Date.now()}`;
    const res = await fetch(`${frontA.url}/api/topics/${TOPIC}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', ...bearer('admin') },
      body: JSON.stringify({ name: renamed }),
    });
    expect(res.status).toBe(200);
    const nameOn = async (url: string) => {
      const body = (await (await fetch(`${url}/api/topics`)).json()) as {
        data: Array<{ topics: Array<{ id: string; name: string }> }>;
      };
      return body.data.flatMap((l) => l.topics).find((t) => t.id === TOPIC)?.name;
    };
    for (const node of [frontB, collector])
      await until(`the new name on ${node.url}`, async () => (await nameOn(node.url)) === renamed);
  }, 60_000);

  it('an alert rule made on one front end fires on the collector and shows on the other', async () => {
    // A webhook receiver: the collector delivers, and every front end lists the delivery.
    const received: string[] = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push(body);
        res.end('ok');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const res = await fetch(`${frontA.url}/api/alerts/rules`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer('admin') },
      body: JSON.stringify({
        topicId: TOPIC,
        name: 'mysql traffic',
        query: 'dstport:3306',
        measure: 'bytes',
        op: '>',
        threshold: 0,
        notify: [{ kind: 'webhook', url: hook }],
      }),
    });
    expect(res.status).toBe(201);
    const { data: rule } = (await res.json()) as { data: { id: string } };
    const rulesOf = async (url: string) =>
      ((await (await fetch(`${url}/api/alerts/rules`)).json()) as { data: Array<{ id: string }> })
        .data;
    await until('the rule on the collector', async () =>
      (await rulesOf(collector.url)).some((r) => r.id === rule.id),
    );
    // Every log stream reports: the window is complete, and judged when published.
    await pushWindow(500);
    const firingOn = async (url: string) =>
      (
        (await (await fetch(`${url}/api/alerts`)).json()) as {
          data: { firing: Array<{ ruleId: string }> };
        }
      ).data.firing.some((e) => e.ruleId === rule.id);
    await until('the alert firing on the collector', () => firingOn(collector.url));
    await until('the alert firing on the other front end', () => firingOn(frontB.url));
    const deliveredOn = async (url: string) =>
      (
        (await (await fetch(`${url}/api/alerts/deliveries`)).json()) as {
          data: Array<{ ruleId: string; kind: string; outcome: string }>;
        }
      ).data.some((d) => d.ruleId === rule.id && d.kind === 'firing' && d.outcome === 'delivered');
    await until('the delivery in the log of the other front end', () => deliveredOn(frontB.url));
    expect(received).toHaveLength(1);
    receiver.close();
  }, 120_000);

  it('brings the windows a collector builds to clients on both front ends', async () => {
    const a = follow(frontA.url);
    const b = follow(frontB.url);
    await until('both subscribed', () => a.snapshots + b.snapshots === 2);
    const w = await pushWindow(1_000);
    await until('a published revision on both', () => a.heard(w) && b.heard(w));
    await pushWindow(1_000);
    // Everything pushed, on both, and nothing counted twice.
    await until(
      'the pushed totals on both',
      () => a.bytes(w) === pushed.get(w) && b.bytes(w) === pushed.get(w),
    );
    // No revision twice, on either front end.
    for (const f of [a, b]) expect(new Set(f.events).size).toBe(f.events.length);
    expect(a.windows.get(w)).toEqual(b.windows.get(w));
  }, 120_000);

  it('tails the collector’s records live on a front end', async () => {
    const socket: Client = connect(frontB.url, { transports: ['websocket'], forceNew: true });
    try {
      const batches: Array<{ records: Array<{ bytes: number | null; dstport: number | null }> }> =
        [];
      socket.on('tail:records', (b) => batches.push(b));
      const answer = await new Promise<{ ok: boolean }>((done) =>
        socket.emit('tail:subscribe', { topicId: TOPIC, q: 'dstport:3306' }, done),
      );
      expect(answer.ok).toBe(true);
      // The collector learns of the room within its next round; push until records come.
      await until('tailed records', async () => {
        await pushWindow(7_000);
        await new Promise((r) => setTimeout(r, 500));
        return batches.some((b) => b.records.length > 0);
      });
      const records = batches.flatMap((b) => b.records);
      expect(records.every((r) => r.dstport === 3306)).toBe(true);
      expect(records.some((r) => r.bytes === 7_000)).toBe(true);
    } finally {
      socket.close();
    }
  }, 60_000);

  it('a client whose connection drops carries on at the other front end, missing no revision', async () => {
    proxy.target(frontA.port);
    const c = follow(proxy.url);
    await until('subscribed through the proxy', () => c.snapshots === 1);
    const w = await pushWindow(2_000);
    // A packet through A: the client holds its offset in the cluster's stream.
    await until('a published revision through A', () => c.heard(w));
    // The balancer sends the reconnect to B while revisions keep coming.
    proxy.target(frontB.port);
    proxy.cut();
    for (let i = 0; i < 4; i++) {
      await pushWindow(2_000);
      await new Promise((r) => setTimeout(r, 300));
    }
    await until('connected to B', () => c.socket.connected);
    const settled = await pushWindow(2_000);
    await until('everything pushed', () => c.bytes(settled) === pushed.get(settled));
    const fresh = (await freshView(frontB.url)).get(settled)!;
    expect(c.windows.get(settled)).toEqual(fresh);
    // The session came back from Redis: rooms and the packets sent while away, in order.
    expect(c.recovered).toBe(1);
    const mine = c.events
      .filter((e) => e.startsWith(`${settled}#`))
      .map((e) => Number(e.split('#')[1]));
    expect(new Set(mine).size).toBe(mine.length);
    for (let i = 1; i < mine.length; i++) expect(mine[i]).toBe(mine[i - 1]! + 1);
  }, 120_000);

  it('after kill -9 of its front end, a client resumes on the other with the store’s windows', async () => {
    proxy.target(frontA.port);
    const c = follow(proxy.url);
    await until('subscribed through the proxy to A', () => c.snapshots === 1);
    const w = await pushWindow(3_000);
    await until('a published revision through A', () => c.heard(w));
    const resumesBefore = c.resumes;
    // Records keep flowing while A dies without a goodbye.
    const flowing = (async () => {
      for (let i = 0; i < 8; i++) {
        await pushWindow(3_000);
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    proxy.target(frontB.port);
    await frontA.kill();
    await flowing;
    await until('resumed on B', () => c.resumes > resumesBefore && c.socket.connected);
    const last = await pushWindow(3_000);
    // Every record pushed while A died is counted once.
    await until('everything pushed', () => c.bytes(last) === pushed.get(last));
    // What the client holds is what a freshly loaded page gets: no gap, nothing twice.
    const fresh = await freshView(frontB.url);
    expect(fresh.get(last)!.accept.bytes).toBe(pushed.get(last));
    for (const [start, win] of fresh) expect(c.windows.get(start)).toEqual(win);
    // The resume sent only what changed, not the hour.
    expect(c.snapshots).toBe(1);
  }, 180_000);

  it('a collector restart loses nothing and counts nothing twice', async () => {
    const b = follow(frontB.url);
    await until('subscribed on B', () => b.snapshots === 1);
    const w = await pushWindow(5_000);
    await until('everything pushed, before', () => b.bytes(w) === pushed.get(w));
    const before = b.windows.get(w)!;
    await collector.stop();
    collector = await startNode(collectorArgs, collectorDir);
    // Records of the same window after the restart (unless the clock just crossed into the next).
    const w2 = await pushWindow(5_000);
    await until('everything pushed, after', () => b.bytes(w2) === pushed.get(w2));
    if (w2 === w) {
      // The revision carries on from the store's: no number is given twice.
      expect(b.windows.get(w)!.revision).toBeGreaterThan(before.revision);
    }
    // The collector's stop closed none of the front end's sockets: B's client never reconnected.
    expect([b.snapshots, b.resumes, b.recovered]).toEqual([1, 0, 0]);
    // The store agrees: a freshly loaded page shows the same totals.
    const fresh = await freshView(frontB.url);
    for (const [start, bytes] of pushed)
      if (fresh.has(start)) expect(fresh.get(start)!.accept.bytes).toBe(bytes);
  }, 180_000);

  it('a standby collector takes over when the active one is killed, revisions carrying on', async () => {
    const b = follow(frontB.url);
    await until('subscribed on B', () => b.snapshots === 1);
    const standbyDir = await mkdtemp(join(tmpdir(), 'flowdeck-standby-'));
    const port = await freePort();
    const standby = serveChild([
      ...shared,
      '--role',
      'collector',
      '--no-simulator',
      '--data',
      standbyDir,
      '--port',
      String(port),
    ]);
    try {
      // It waits for the lease: its health says so (and who is active), records are refused.
      await until('the standby says so', () => /standby/.test(standby.output()));
      const health = (await (await fetch(`http://127.0.0.1:${port}/api/health`)).json()) as {
        data: { status: string; active: string };
      };
      expect(health.data.status).toBe('standby');
      expect(health.data.active).toMatch(/:/);
      const refused = await pushLines(`http://127.0.0.1:${port}`, TOPIC, ['x']);
      expect(refused).toBe(503);
      const w = await pushWindow(11_000);
      await until('everything pushed to the active one', () => b.bytes(w) === pushed.get(w));
      const revision = b.revision(w);

      // The active collector dies; its lease runs out and the standby starts from the store.
      await collector.kill();
      const url = await standby.listening;
      collector = {
        url,
        port: Number(new URL(url).port),
        server: standby,
        stop: async () => {
          await standby.stop();
          await rm(standbyDir, { recursive: true, force: true });
        },
        kill: async () => {
          await standby.kill9();
          await rm(standbyDir, { recursive: true, force: true });
        },
      };
      const w2 = await pushWindow(13_000);
      await until('everything pushed, on B', () => b.bytes(w2) === pushed.get(w2));
      // Its revisions go on from the stored ones: above any the browser holds.
      if (w2 === w) expect(b.revision(w)).toBeGreaterThan(revision);
      // And a freshly loaded page agrees.
      expect((await freshView(frontB.url)).get(w2)!.accept.bytes).toBe(pushed.get(w2));
    } finally {
      if (collector.server !== standby) {
        await standby.kill9();
        await rm(standbyDir, { recursive: true, force: true });
      }
    }
  }, 180_000);
});
