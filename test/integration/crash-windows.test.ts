// kill -9 at several moments (during the backfill before listen, just after listen, mid-run), each
// followed by a restart: the live windows a socket gets equal, window by window, what the history
// API computes from the raw records, and no window with records lacks its aggregate. The server is
// a child process on a real DuckDB file; the comparison runs on a restart without the simulator,
// so nothing moves while it is compared. The first kill is also read as a store from before clean
// marks (the mark is removed), whose start finds the windows to recompute by comparing totals.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import type { SeriesPoint, TopicWindows } from '../../shared/api.ts';
import type { LogsetInfo } from '../../shared/catalog.ts';
import type { Reply } from '../../shared/reply.ts';
import { connectClient, subscribeTopic } from '../helpers/app.ts';
import { serveChild, type ChildServer } from '../helpers/child-server.ts';

const SIM = ['--speed', '20', '--publish-delay', '1', '--jitter', '0', '--seed', '11'];

async function until(cond: () => boolean | Promise<boolean>, ms: number, what: string) {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function windowsPublished(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = /^flowdeck_windows_published_total (\d+)/m.exec(text);
  return m ? Number(m[1]) : 0;
}

interface Mismatch {
  topic: string;
  windowStart: string;
  live: string;
  history: string;
}

/** Restarts without the simulator and compares every topic's live snapshot with the history API. */
async function compare(
  data: string,
): Promise<{ windows: number; rebuilt: number; mismatches: Mismatch[] }> {
  const server = serveChild(['--data', data, '--no-simulator', ...SIM]);
  try {
    const url = await server.listening;
    const rebuilt = /(\d+) windows recomputed from their raw records/.exec(server.output());
    const logsets = (await (await fetch(`${url}/api/topics`)).json()) as Reply<LogsetInfo[]>;
    if (!logsets.ok) throw new Error(logsets.error.message);
    const socket = await connectClient(url);
    const mismatches: Mismatch[] = [];
    let windows = 0;
    try {
      for (const topic of logsets.data.flatMap((l) => l.topics)) {
        const snap = await subscribeTopic(socket, topic.id);
        if (!snap.ok) throw new Error(snap.error.message);
        const windowMs = topic.windowSec * 1000;
        const from = Math.ceil((snap.data.serverTime - 3_600_000) / windowMs) * windowMs;
        const to = Math.floor(snap.data.serverTime / windowMs) * windowMs + windowMs;
        const res = (await (
          await fetch(
            `${url}/api/topics/${topic.id}/windows?from=${from}&to=${to}&step=${windowMs}`,
          )
        ).json()) as Reply<TopicWindows>;
        if (!res.ok) throw new Error(res.error.message);
        const history = new Map(res.data.series.map((p) => [p.t, p]));
        const live = new Map(
          snap.data.windows.filter((w) => w.windowStart >= from).map((w) => [w.windowStart, w]),
        );
        const say = (p: Partial<SeriesPoint> | undefined) =>
          p === undefined
            ? 'none'
            : `${p.acceptRecords}/${p.acceptBytes}/${p.acceptPackets} ${p.rejectRecords}/${p.rejectBytes}/${p.rejectPackets}`;
        for (const t of new Set([...history.keys(), ...live.keys()])) {
          const h = history.get(t);
          const w = live.get(t);
          const l =
            w === undefined
              ? undefined
              : {
                  acceptRecords: w.accept.records,
                  acceptBytes: w.accept.bytes,
                  acceptPackets: w.accept.packets,
                  rejectRecords: w.reject.records,
                  rejectBytes: w.reject.bytes,
                  rejectPackets: w.reject.packets,
                };
          const empty = (p: typeof l) => p === undefined || p.acceptRecords + p.rejectRecords === 0;
          if (empty(l) && empty(h)) continue;
          windows++;
          if (say(l) !== say(h))
            mismatches.push({
              topic: topic.id,
              windowStart: new Date(t).toISOString(),
              live: say(l),
              history: say(h),
            });
        }
      }
    } finally {
      socket.close();
    }
    return { windows, rebuilt: rebuilt ? Number(rebuilt[1]) : 0, mismatches };
  } finally {
    expect(await server.stop()).toBe(0);
  }
}

describe('windows after a kill -9', () => {
  let dir: string;
  const running: ChildServer[] = [];
  afterAll(async () => {
    for (const s of running) await s.kill9().catch(() => {});
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('live equals history window by window after kills during the backfill, just after listen and mid-run', async () => {
    dir = await mkdtemp(join(tmpdir(), 'flowdeck-crash-'));
    const data = join(dir, 'data');
    const results: Array<{ moment: string; windows: number; rebuilt: number }> = [];

    // 1. During the hour of backfill published before listen: after its first commit.
    {
      const s = serveChild(['--data', data, '--backfill', '60', '--log-level', 'debug', ...SIM]);
      running.push(s);
      const commits = () => s.output().match(/store: committed \d+ records/g)?.length ?? 0;
      await until(() => commits() >= 1, 60_000, 'the first backfill commit');
      expect(s.output()).not.toContain('listening on');
      await s.kill9();
      // As a store from before clean marks: the start finds the windows by comparing totals.
      const db = await DuckDBInstance.create(join(data, 'flowdeck.duckdb'));
      const con = await db.connect();
      await con.run(`DELETE FROM meta WHERE key = 'windows_clean_seq'`);
      con.closeSync();
      db.closeSync();
      const r = await compare(data);
      expect(r.mismatches).toEqual([]);
      results.push({ moment: 'during the backfill', windows: r.windows, rebuilt: r.rebuilt });
    }
    // 2. Just after listen, while a longer backfill still runs in slices.
    {
      const s = serveChild(['--data', data, '--backfill', '180', '--log-level', 'debug', ...SIM]);
      running.push(s);
      await s.listening;
      const commits = () => s.output().match(/store: committed \d+ records/g)?.length ?? 0;
      const atListen = commits();
      await until(() => commits() >= atListen + 2, 60_000, 'commits after listen');
      await s.kill9();
      const r = await compare(data);
      expect(r.mismatches).toEqual([]);
      results.push({ moment: 'just after listen', windows: r.windows, rebuilt: r.rebuilt });
    }
    // 3. Mid-run: after some live windows were published at 20x.
    {
      const s = serveChild(['--data', data, '--backfill', '0', ...SIM]);
      running.push(s);
      const url = await s.listening;
      const at = await windowsPublished(url);
      await until(async () => (await windowsPublished(url)) >= at + 12, 60_000, 'live windows');
      await s.kill9();
      const r = await compare(data);
      expect(r.mismatches).toEqual([]);
      results.push({ moment: 'mid-run', windows: r.windows, rebuilt: r.rebuilt });
    }
    // Every comparison saw windows; at least one kill left windows that the start recomputed.
    for (const r of results) expect(r.windows, r.moment).toBeGreaterThan(20);
    expect(results.reduce((n, r) => n + r.rebuilt, 0)).toBeGreaterThan(0);
    console.log(`kill -9 results: ${JSON.stringify(results)}`);
  }, 300_000);
});
