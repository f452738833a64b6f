// A real shipper: Debian's syslog-ng (its http() destination, configured as the README says) tails a
// flow-log file and pushes it to a real server; every good line is stored once, the bad line is
// quarantined with its reason, and nothing is dropped on the way (flow control, batches of 5,000).
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordsPage, RejectedLinesPage } from '../../shared/api.ts';
import { getData } from '../helpers/api.ts';
import { startApp, TEST_TOKENS } from '../helpers/app.ts';
import { goodLine } from '../helpers/flowlog-files.ts';

const SYSLOG_NG = '/usr/sbin/syslog-ng';
const TOPIC = 'topic-nat-prod';

/**
 * The README's syslog-ng configuration (its block marked `syslog-ng`), pointed at this file and
 * server: the test checks what users copy.
 */
async function readmeConfig(file: string, url: string, token: string): Promise<string> {
  const readme = await readFile(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
  const block = /<!-- syslog-ng -->\s*```conf\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!block) throw new Error('the README has no syslog-ng block');
  return block
    .replace('/var/log/flowlogs/nat.log', file)
    .replace('http://flowdeck.example:8080', url)
    .replace('INGEST_TOKEN', token);
}

async function until(cond: () => Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`not reached within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('syslog-ng pushing a flow-log file', () => {
  let ctx: Awaited<ReturnType<typeof startApp>>;
  let dir: string;
  let shipper: ChildProcess | undefined;
  let stderr = '';

  beforeAll(async () => {
    ctx = await startApp(['--no-simulator']);
    dir = await mkdtemp(join(tmpdir(), 'flowdeck-syslog-ng-'));
  });
  afterAll(async () => {
    shipper?.kill('SIGTERM');
    await ctx?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('delivers every line of a growing file: good lines stored once, the bad one quarantined', async () => {
    const file = join(dir, 'nat-flows.log');
    await writeFile(file, '');
    await writeFile(
      join(dir, 'syslog-ng.conf'),
      await readmeConfig(file, ctx.url, TEST_TOKENS.ingest),
    );
    shipper = spawn(
      SYSLOG_NG,
      [
        '-F',
        '-e',
        '-f',
        join(dir, 'syslog-ng.conf'),
        `--persist-file=${join(dir, 'persist')}`,
        `--pidfile=${join(dir, 'pid')}`,
        `--control=${join(dir, 'ctl')}`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    shipper.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));

    const t = Math.floor(Date.now() / 60_000) * 60 - 600;
    // 12,000 lines written at once (more than two batches), a bad line, then 3,000 appended later.
    const first = Array.from({ length: 12_000 }, (_, i) => goodLine(i, t));
    await appendFile(file, `${first.join('\n')}\n`);
    await appendFile(file, `${goodLine(99_999, t).replace(' 443 ', ' 70000 ')}\n`);
    const stored = async () =>
      (
        await getData<RecordsPage>(ctx.url, '/api/records', {
          topic: TOPIC,
          from: (t - 3600) * 1000,
          to: Date.now() + 60_000,
          limit: 1,
        })
      ).total;
    await until(async () => (await stored()) === 12_000, 60_000).catch((e: Error) => {
      throw new Error(`${e.message}; syslog-ng said: ${stderr.slice(-2000)}`);
    });
    const later = Array.from({ length: 3_000 }, (_, i) => goodLine(20_000 + i, t + 60));
    await appendFile(file, `${later.join('\n')}\n`);
    await until(async () => (await stored()) === 15_000, 60_000);

    // Each good line once: distinct source address and port per line.
    await ctx.app.store.flush();
    const dupes = await getData<RecordsPage>(ctx.url, '/api/records', {
      topic: TOPIC,
      from: (t - 3600) * 1000,
      to: Date.now() + 60_000,
      q: 'srcaddr:10.0.0.7 AND srcport:1031',
      limit: 10,
    });
    expect(dupes.total).toBe(1);
    const c = ctx.app.ingest.counters().push!;
    expect(c.lines).toBe(15_001);
    expect(c.accepted).toBe(15_000);
    const rejected = await getData<RejectedLinesPage>(ctx.url, '/api/ingest/rejected', {
      topic: TOPIC,
    });
    expect(rejected.total).toBe(1);
    expect(rejected.lines[0]).toMatchObject({ source: 'push', reason: 'bad-port' });
    expect(rejected.lines[0]!.raw).toContain(' 70000 ');
  }, 150_000);
});
