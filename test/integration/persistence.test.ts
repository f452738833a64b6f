// The store keeps history across a restart of createApp on the same data directory: the windows
// come back with their revisions, the simulator carries on after what is stored (no record twice),
// and late records update old windows, in memory or from the store. Each test starts the app on a
// data directory with history (a busy machine takes a while): they wait for events, with room.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordsPage } from '../../shared/api.ts';
import type { WindowAggregate } from '../../shared/events.ts';
import { getData } from '../helpers/api.ts';
import {
  connectClient,
  startApp,
  subscribeTopic,
  waitFor,
  type TestSocket,
} from '../helpers/app.ts';
import { BACKENDS, backendFlags } from '../helpers/clickhouse.ts';

const argsOf = (dir: string) => [
  '--data',
  dir,
  '--speed',
  '60',
  '--publish-delay',
  '5',
  '--jitter',
  '0',
  '--backfill',
  '20',
];

async function snapshot(socket: TestSocket, topicId: string): Promise<WindowAggregate[]> {
  const reply = await subscribeTopic(socket, topicId);
  if (!reply.ok) throw new Error(reply.error.message);
  return reply.data.windows;
}

async function until(cond: () => boolean, ms: number, what: string) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function nextWindow(socket: TestSocket, pred: (w: WindowAggregate) => boolean) {
  return waitFor<WindowAggregate>(
    (cb) => {
      socket.on('window:published', cb);
      return () => socket.off('window:published', cb);
    },
    pred,
    60_000,
  );
}

describe.each(BACKENDS)('a restart on the same data directory (%s store)', (backend) => {
  const store = backendFlags(backend, 'persistence');
  const args = (dir: string) => [...argsOf(dir), ...store.args()];
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flowdeck-restart-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps the history, carries the live stream on and never stores a window twice', async () => {
    const first = await startApp(args(dir));
    const topic = first.app.catalog.topics().find((t) => t.format === 'eni')!;
    let socket = await connectClient(first.url);
    const before = await snapshot(socket, topic.id);
    // 20 minutes of 5-minute ENI windows.
    expect(before.length).toBeGreaterThanOrEqual(3);
    // At 60x the first run's clock gets ahead of real time: wait until a stored window is 3 min ahead.
    const ahead = () => {
      const newest = first.app.aggregator.latest(topic.id);
      return newest !== null && newest.windowStart >= Date.now() + 3 * 60_000;
    };
    await until(ahead, 60_000, 'the first run 3 min ahead of real time');
    const storedNewest = first.app.aggregator.latest(topic.id)!.windowStart;
    socket.close();
    await first.stop();

    const second = await startApp(args(dir));
    // The restart carries on from the stored windows instead of putting them in the future.
    expect(second.app.clock.now()).toBeGreaterThanOrEqual(storedNewest);
    socket = await connectClient(second.url);
    const after = await snapshot(socket, topic.id);
    const serverNow = second.app.clock.now();
    expect(after.filter((w) => w.windowStart > serverNow)).toEqual([]);
    const byStart = new Map(after.map((w) => [w.windowStart, w]));
    // Every complete window before the restart is back with the same totals and revision.
    for (const w of before.slice(0, -2)) {
      const again = byStart.get(w.windowStart);
      expect(again, new Date(w.windowStart).toISOString()).toBeDefined();
      expect(again!.accept).toEqual(w.accept);
      expect(again!.reject).toEqual(w.reject);
      expect(again!.revision).toBeGreaterThanOrEqual(w.revision);
    }
    // The stream goes on with windows after the last one stored.
    const newest = Math.max(...after.map((w) => w.windowStart));
    const live = await nextWindow(socket, (w) => w.topicId === topic.id && w.windowStart > newest);
    expect(live.accept.records).toBeGreaterThan(0);

    // Raw records: each stored window holds exactly what its aggregate counted (nothing twice).
    await second.app.store.flush();
    for (const w of after.slice(0, -3)) {
      const stored = second.app.aggregator.windows(
        topic.id,
        w.windowStart,
        w.windowStart + w.windowMs,
      )[0]!;
      const page = await getData<RecordsPage>(second.url, '/api/records', {
        topic: topic.id,
        from: w.windowStart,
        to: w.windowStart + w.windowMs,
        q: 'log-status:OK',
        limit: 1,
      });
      expect(page.total).toBe(stored.accept.records + stored.reject.records);
      expect(page.sum.bytes).toBe(stored.accept.bytes + stored.reject.bytes);
    }
    socket.close();
    await second.stop();
  }, 120_000);

  it('updates an old window with a new revision when a late record arrives', async () => {
    // A short in-memory horizon, so one late record goes through the store instead.
    const app = await startApp(args(dir), {
      aggregator: { horizonMs: 10 * 60_000, settleMs: 60_000 },
    });
    const topic = app.app.catalog.topics().find((t) => t.format === 'eni')!;
    const stream = topic.streams[0]!.id;
    const socket = await connectClient(app.url);
    const windows = await snapshot(socket, topic.id);
    const now = app.app.clock.now();

    const windowMs = topic.windowSec * 1000;
    const late = async (ageMin: number) => {
      const windowStart = Math.floor((now - ageMin * 60_000) / windowMs) * windowMs;
      await app.app.store.flush();
      const [before] = await app.app.store.loadWindows(
        topic.id,
        windowStart,
        windowStart + windowMs,
      );
      expect(before, `a stored window ${ageMin} min ago`).toBeDefined();
      const start = windowStart / 1000;
      const line = `2 1300428518 ${stream} 10.0.9.9 10.0.1.11 40000 443 6 7 7777 ${start} ${start + 60} ACCEPT OK`;
      const published = nextWindow(
        socket,
        (w) => w.topicId === topic.id && w.windowStart === windowStart,
      );
      expect(
        await app.app.ingest.ingest({
          topicId: topic.id,
          source: 'test',
          origin: 'late-test',
          lines: [line],
        }),
      ).toMatchObject({ lines: 1, accepted: 1, rejected: 0 });
      await app.app.late.idle();
      const w = await published;
      expect(w.revision).toBe(before!.revision + 1);
      expect(w.accept.bytes).toBe(before!.accept.bytes + 7777);
      expect(w.accept.records).toBe(before!.accept.records + 1);
    };
    expect(windows.length).toBeGreaterThan(0);
    await late(5); // in memory
    await late(15); // beyond the in-memory horizon: recomputed from the store
    socket.close();
    await app.stop();
  }, 120_000);
});
