// The file source as an operator uses it: a watched directory where files appear, grow, rotate
// (rename, copytruncate) and arrive gzipped; every good line stored exactly once, every bad one
// kept in quarantine; and a kill -9 at random moments of a long read loses and repeats nothing.
import { appendFile, copyFile, mkdtemp, rename, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import { startApp } from '../helpers/app.ts';
import { serveChild } from '../helpers/child-server.ts';
import { garbageFile, goodLine } from '../helpers/flowlog-files.ts';

const TOPIC = 'topic-nat-prod';
const dirs: string[] = [];
const apps: Array<Awaited<ReturnType<typeof startApp>>> = [];
afterEach(async () => {
  for (const a of apps.splice(0)) await a.stop();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function tempDir(name: string) {
  const d = await mkdtemp(join(tmpdir(), `flowdeck-${name}-`));
  dirs.push(d);
  return d;
}

const nowSec = () => Math.floor(Date.now() / 1000) - 120;
const lines = (from: number, to: number, t: number) =>
  Array.from({ length: to - from }, (_, i) => `${goodLine(from + i, t)}\n`).join('');

/** Waits until `check` holds (the source reads on its own timer). */
async function until(check: () => Promise<boolean> | boolean, ms = 30_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function watchApp(watch: string) {
  const a = await startApp(['--no-simulator', '--watch', `${watch}:${TOPIC}`]);
  apps.push(a);
  return a;
}

/** Records of the topic, and how many distinct lines (by source address and port) they are. */
async function counts(a: Awaited<ReturnType<typeof startApp>>) {
  await a.app.store.flush();
  const page = await a.app.store.queryRecords({
    topicId: TOPIC,
    fromMs: 0,
    toMs: Date.now() + 86_400_000,
    limit: 10_000,
  });
  const distinct = new Set(page.records.map((r) => `${r.srcaddr}:${r.srcport}`));
  return { total: page.total, distinct: distinct.size };
}

describe('file source', () => {
  it('reads new files and appended lines of a watched directory, each line once', async () => {
    const dir = await tempDir('watch');
    const t = nowSec();
    await writeFile(join(dir, 'a.log'), lines(0, 100, t));
    const a = await watchApp(dir);
    await until(async () => (await counts(a)).total === 100);
    await appendFile(join(dir, 'a.log'), lines(100, 150, t));
    await writeFile(join(dir, 'b.log'), lines(1000, 1020, t));
    // A line still being written (no newline yet) waits for its end.
    await appendFile(join(dir, 'a.log'), goodLine(150, t).slice(0, 30));
    await until(async () => (await counts(a)).total === 170);
    await appendFile(join(dir, 'a.log'), `${goodLine(150, t).slice(30)}\n`);
    await until(async () => (await counts(a)).total === 171);
    expect(await counts(a)).toEqual({ total: 171, distinct: 171 });
    expect(a.app.fileSource.metrics()).toMatchObject({ files: 2 });
  });

  it('follows a rotation by rename, and reads the old file to its end', async () => {
    const dir = await tempDir('rotate');
    const t = nowSec();
    const live = join(dir, 'flow.log');
    await writeFile(live, lines(0, 50, t));
    const a = await watchApp(join(dir, '*.log'));
    await until(async () => (await counts(a)).total === 50);
    // logrotate: rename, then the writer writes a little more to the old file before reopening.
    await rename(live, join(dir, 'flow.log.1'));
    await appendFile(join(dir, 'flow.log.1'), lines(50, 60, t));
    await writeFile(live, lines(60, 90, t));
    await until(async () => (await counts(a)).total === 90);
    await new Promise((r) => setTimeout(r, 3000)); // past the grace: the old file is closed
    expect(await counts(a)).toEqual({ total: 90, distinct: 90 });
    expect(a.app.fileSource.metrics().rotations).toBeGreaterThan(0);
  });

  it('reads a truncated file (copytruncate) again from its start, nothing twice', async () => {
    const dir = await tempDir('truncate');
    const t = nowSec();
    const live = join(dir, 'flow.log');
    await writeFile(live, lines(0, 40, t));
    const a = await watchApp(live);
    await until(async () => (await counts(a)).total === 40);
    await copyFile(live, join(dir, 'flow.log.1'));
    await truncate(live, 0);
    await appendFile(live, lines(40, 55, t));
    await until(async () => (await counts(a)).total === 55);
    expect(await counts(a)).toEqual({ total: 55, distinct: 55 });
    expect(a.app.fileSource.metrics().truncations).toBe(1);
  });

  it('reads a .gz file whole, once, also across a restart', async () => {
    const dir = await tempDir('gz');
    const t = nowSec();
    await writeFile(join(dir, 'export.log.gz'), gzipSync(lines(0, 300, t)));
    const data = await tempDir('gz-data');
    const args = ['--no-simulator', '--watch', `${dir}:${TOPIC}`, '--data', data];
    let a = await startApp(args);
    await until(async () => (await counts(a)).total === 300);
    await a.stop();
    a = await startApp(args);
    apps.push(a);
    await a.app.fileSource.pollNow();
    await a.app.fileSource.pollNow();
    expect(await counts(a)).toEqual({ total: 300, distinct: 300 });
  });

  it('accounts for every line of a garbage file: accepted + filtered + rejected = lines', async () => {
    const dir = await tempDir('garbage');
    const f = garbageFile(100_000, nowSec());
    await writeFile(join(dir, 'garbage.log'), f.bytes);
    const a = await watchApp(dir);
    await until(() => (a.app.ingest.counters().file?.lines ?? 0) === f.lines, 60_000);
    const c = a.app.ingest.counters().file!;
    const filtered = Object.values(c.filtered).reduce((x, y) => x + (y ?? 0), 0);
    const rejected = Object.values(c.rejected).reduce((x, y) => x + y, 0);
    expect({ accepted: c.accepted, filtered, rejected }).toEqual({
      accepted: f.good,
      filtered: f.headers,
      rejected: f.bad,
    });
    expect(c.accepted + filtered + rejected).toBe(f.lines);
    // Every good line around a bad one is stored; every bad one is kept with its line number.
    await a.app.store.flush();
    const stored = await a.app.store.queryRecords({
      topicId: TOPIC,
      fromMs: 0,
      toMs: Date.now() + 86_400_000,
      limit: 1,
    });
    expect(stored.total).toBe(f.good);
    const q = await a.app.store.rejectedLines({ topicId: TOPIC, limit: 20_000 });
    expect(q.total).toBe(f.bad);
    expect(q.lines.map((l) => l.line).sort((x, y) => x - y)).toEqual(f.badLines);
    const big = q.lines.find((l) => l.line === 500)!;
    expect(big).toMatchObject({ reason: 'too-long', rawLength: 1048576 });
    expect(new Set(q.byReason.map((r) => r.reason))).toEqual(
      new Set(['bad-encoding', 'bad-port', 'field-count', 'bad-protocol', 'too-long']),
    );
  });
});

describe('file source under kill -9', () => {
  async function serve(dataDir: string, file: string) {
    const server = serveChild(['--no-simulator', '--data', dataDir, '--watch', `${file}:${TOPIC}`]);
    return { child: server.child, url: await server.listening };
  }

  it('goes on after the last committed line: no duplicate, no gap', async () => {
    const dir = await tempDir('kill');
    const data = join(dir, 'data');
    const file = join(dir, 'big.log');
    const total = 300_000;
    const t = nowSec();
    const chunk = 50_000;
    await writeFile(file, '');
    for (let i = 0; i < total; i += chunk) await appendFile(file, lines(i, i + chunk, t));

    const stored = async (url: string) => {
      const r = await fetch(
        `${url}/api/records?topic=${TOPIC}&from=${Date.now() - 86_400_000}&to=${Date.now() + 3_600_000}&limit=1`,
      );
      const body = (await r.json()) as { ok: boolean; data?: { total: number } };
      return body.data?.total ?? -1;
    };
    // Killed at random moments while it reads (each run commits some chunks, maybe none).
    let kills = 0;
    for (let round = 0; round < 4; round++) {
      const { child, url } = await serve(data, file);
      await new Promise((r) => setTimeout(r, 200 + Math.floor(Math.random() * 900)));
      const before = await stored(url).catch(() => -1);
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      kills++;
      if (before === total) break;
    }
    expect(kills).toBeGreaterThan(0);
    const { child, url } = await serve(data, file);
    try {
      await until(async () => (await stored(url)) >= total, 120_000);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    // Read the store itself: every line exactly once.
    const db = await DuckDBInstance.create(join(data, 'flowdeck.duckdb'));
    const con = await db.connect();
    const rows = (
      await con.runAndReadAll(
        `SELECT count(*), count(DISTINCT (srcaddr, srcport)) FROM records WHERE topic = ?`,
        [TOPIC],
      )
    ).getRows();
    con.closeSync();
    db.closeSync();
    expect(rows[0]!.map(Number)).toEqual([total, total]);
  }, 240_000);
});
