// `flowdeck ingest`, `flowdeck simulate` and `flowdeck tokens` as users run them: the real
// bin/flowdeck.js against a real server on port 0, with files, .gz files and a pipe.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, TEST_TOKENS } from '../helpers/app.ts';
import { runCli } from '../helpers/child-server.ts';
import { garbageFile, goodLine } from '../helpers/flowlog-files.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const TOPIC = 'topic-nat-prod';

const run = (args: string[], env: Record<string, string> = {}, stdin = '') =>
  runCli(args, { env, stdin });

describe('flowdeck ingest', () => {
  let ctx: Awaited<ReturnType<typeof startApp>>;
  let dir: string;
  const t = Math.floor(Date.now() / 1000) - 300;
  beforeAll(async () => {
    ctx = await startApp(['--no-simulator']);
    dir = await mkdtemp(join(tmpdir(), 'flowdeck-cli-ingest-'));
  });
  afterAll(async () => {
    await ctx?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const ingest = (args: string[], env: Record<string, string> = {}, stdin = '') =>
    run(
      ['ingest', '--server', ctx.url, '--topic', TOPIC, ...args],
      { FLOWDECK_INGEST_TOKEN: TEST_TOKENS.ingest, ...env },
      stdin,
    );

  it('sends files in batches, keeps headers in force across batches, counts at the end', async () => {
    // A custom format set by a header line, then 2,500 lines: three batches of 1,000.
    const header = 'srcaddr dstaddr srcport dstport protocol start end action';
    const lines = Array.from(
      { length: 2500 },
      (_, i) => `10.7.${i >> 8}.${i & 255} 203.0.113.7 ${20000 + i} 443 6 ${t} ${t + 30} ACCEPT`,
    );
    await writeFile(join(dir, 'custom.log'), `${header}\n${lines.join('\n')}\n`);
    await writeFile(
      join(dir, 'nat.log.gz'),
      gzipSync(Array.from({ length: 300 }, (_, i) => goodLine(50_000 + i, t)).join('\n')),
    );
    const r = await ingest([
      '--batch-lines',
      '1000',
      join(dir, 'custom.log'),
      join(dir, 'nat.log.gz'),
    ]);
    expect(r.stderr).not.toMatch(/"error"/);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      lines: 2801,
      accepted: 2800,
      filtered: 1,
      rejected: 0,
    });
    expect(r.stderr).toMatch(/2,801 lines: 2,800 accepted, 1 filtered, 0 rejected/);
  });

  it('reports rejected lines with their line number in the file, and exits 2', async () => {
    const f = garbageFile(3000, t);
    await writeFile(join(dir, 'garbage.log'), f.bytes);
    const r = await ingest(['--batch-lines', '700', join(dir, 'garbage.log')]);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({
      lines: f.lines,
      accepted: f.good,
      filtered: f.headers,
      rejected: f.bad,
    });
    const reported = r.stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { line: number; file: string });
    // Batches go two at a time: their reports may come in either order.
    expect(reported.map((e) => e.line).sort((a, b) => a - b)).toEqual(f.badLines);
    expect(reported[0]!.file).toBe(join(dir, 'garbage.log'));
  });

  it('exits 1 with a clear message on a bad token, an unknown topic or a missing file', async () => {
    const bad = await ingest([join(dir, 'custom.log')], {
      FLOWDECK_INGEST_TOKEN: 'wrong-token-000001',
    });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/refused .*token is not valid.*401/);
    ctx.app.auth.throttle.succeeded('127.0.0.1');
    const topic = await run(
      ['ingest', '--server', ctx.url, '--topic', 'nope', join(dir, 'custom.log')],
      { FLOWDECK_INGEST_TOKEN: TEST_TOKENS.ingest },
    );
    expect(topic.code).toBe(1);
    expect(topic.stderr).toMatch(/no topic "nope".*404/);
    const missing = await ingest([join(dir, 'nope.log')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/ENOENT/);
    const usage = await run(['ingest', '--topic', TOPIC, '-']);
    expect(usage.code).toBe(1);
    expect(usage.stderr).toMatch(/--server URL is required/);
  });

  it('reads a pipe: flowdeck simulate | flowdeck ingest -', async () => {
    const sim = spawn(
      process.execPath,
      ['bin/flowdeck.js', 'simulate', '--topic', TOPIC, '--backfill', '5', '--seed', '3'],
      { cwd: root },
    );
    const ing = spawn(
      process.execPath,
      ['bin/flowdeck.js', 'ingest', '--server', ctx.url, '--topic', TOPIC, '-'],
      { cwd: root, env: { ...process.env, FLOWDECK_INGEST_TOKEN: TEST_TOKENS.ingest } },
    );
    sim.stdout.pipe(ing.stdin);
    let out = '';
    ing.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    // The backfill (5 one-minute windows of the NAT gateway) comes at once; then stop the simulator.
    await new Promise((r) => setTimeout(r, 3000));
    sim.kill('SIGTERM');
    const code = await new Promise((r) => ing.on('close', r));
    expect(code).toBe(0);
    const counts = JSON.parse(out) as { lines: number; accepted: number };
    expect(counts.accepted).toBeGreaterThan(500);
    expect(counts.accepted).toBe(counts.lines);
  });
});

describe('flowdeck simulate and tokens', () => {
  it('prints the same lines for the same seed', async () => {
    const a = await runLines([
      'simulate',
      '--topic',
      'topic-ccn-backbone',
      '--seed',
      '5',
      '--backfill',
      '3',
    ]);
    const b = await runLines([
      'simulate',
      '--topic',
      'topic-ccn-backbone',
      '--seed',
      '5',
      '--backfill',
      '3',
    ]);
    expect(a.length).toBeGreaterThan(100);
    expect(b.slice(0, 100)).toEqual(a.slice(0, 100));
    expect(a[0]!.split(' ')).toHaveLength(16); // the CCN format
  }, 150_000);

  it('prints the tokens a server generated', async () => {
    const data = await mkdtemp(join(tmpdir(), 'flowdeck-cli-tokens-'));
    try {
      await writeFile(
        join(data, 'tokens.json'),
        '{"ingest":"fdi_aaaaaaaaaaaaaaaa","admin":"fda_bbbbbbbbbbbbbbbb"}',
      );
      const r = await run(['tokens', '--data', data]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe('ingest\tfdi_aaaaaaaaaaaaaaaa\nadmin\tfda_bbbbbbbbbbbbbbbb\n');
      const none = await run(['tokens', '--data', join(data, 'nope')]);
      expect(none.code).toBe(1);
      expect(none.stderr).toMatch(/start the server once/);
    } finally {
      await rm(data, { recursive: true, force: true });
    }
  });
});

/** The first lines simulate prints (it runs until stopped: stopped after its backfill). */
/**
 * Runs a command that prints lines until stopped, and stops it once it printed `enough` whole
 * lines (a loaded machine may take a while to start it: the condition, not a time, ends it).
 */
function runLines(args: string[], enough = 200): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/flowdeck.js', ...args], { cwd: root });
    let out = '';
    let lines = 0;
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      lines += d.split('\n').length - 1;
      if (lines >= enough) child.kill('SIGTERM');
    });
    child.on('error', reject);
    const cap = setTimeout(() => child.kill('SIGTERM'), 60_000);
    child.on('close', () => {
      clearTimeout(cap);
      resolve(out.split('\n').filter((l) => l !== ''));
    });
  });
}
