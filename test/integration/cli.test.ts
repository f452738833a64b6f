// `flowdeck parse` as users run it: the real bin/flowdeck.js on real files, .gz files and stdin.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/child-server.ts';

const fixture = (name: string) =>
  fileURLToPath(new URL(`../fixtures/parser/${name}`, import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'flowdeck-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const run = (args: string[], stdin?: string) => runCli(['parse', ...args], { stdin });

const ndjson = (text: string): Array<Record<string, unknown>> =>
  text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

const ENI_KEYS = [
  'version',
  'account-id',
  'interface-id',
  'srcaddr',
  'dstaddr',
  'srcport',
  'dstport',
  'protocol',
  'packets',
  'bytes',
  'start',
  'end',
  'action',
  'log-status',
];

describe('flowdeck parse', () => {
  it('prints one JSON object per record under the documented names, exit 0', async () => {
    const { code, stdout, stderr } = await run([fixture('eni.log')]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const records = ndjson(stdout);
    expect(records).toHaveLength(25); // 28 lines: 2 blank, 1 header
    for (const r of records) expect(Object.keys(r)).toEqual(ENI_KEYS);
    expect(records[0]).toEqual({
      version: '2',
      'account-id': '1300000123',
      'interface-id': 'eni-6x1f9k2d',
      srcaddr: '10.0.1.12',
      dstaddr: '10.0.2.45',
      srcport: 51324,
      dstport: 443,
      protocol: 6,
      packets: 34,
      bytes: 7812,
      start: 1700000000,
      end: 1700000058,
      action: 'ACCEPT',
      'log-status': 'OK',
    });
    expect(records[2]?.version).toBe('V1');
    expect(records[8]).toMatchObject({
      srcaddr: null,
      packets: null,
      action: null,
      'log-status': 'NODATA',
    });
  });

  it('reads .gz files and stdin, in argument order', async () => {
    const gz = join(tmp, 'ccn.log.gz');
    writeFileSync(gz, gzipSync(readFileSync(fixture('ccn.log'))));
    const plain = await run([fixture('ccn.log')]);
    const zipped = await run([gz]);
    expect(zipped).toEqual(plain);
    expect(plain.code).toBe(0);
    const ccn = ndjson(plain.stdout);
    expect(ccn).toHaveLength(10);
    expect(Object.keys(ccn[0]!)).toEqual([
      'srcaddr',
      'dstregionid',
      'dstport',
      'start',
      'dstaddr',
      'version',
      'packets',
      'ccnid',
      'protocol',
      'srcregionid',
      'bytes',
      'action',
      'region-id',
      'srcport',
      'end',
      'log-status',
    ]);
    expect(ccn[3]).toMatchObject({ packets: null, bytes: null, 'log-status': 'NODATA' });

    const both = await run([gz, '-'], readFileSync(fixture('eni.log'), 'utf8'));
    expect(both.code).toBe(0);
    const records = ndjson(both.stdout);
    expect(records).toHaveLength(35);
    expect(records[9]).toHaveProperty('ccnid');
    expect(records[10]).toHaveProperty('interface-id', 'eni-6x1f9k2d');
  });

  it('reports each bad line on stderr with file and line number, exit 2', async () => {
    const { code, stdout, stderr } = await run([fixture('invalid.log')]);
    expect(code).toBe(2);
    expect(ndjson(stdout)).toHaveLength(4);
    const errors = ndjson(stderr);
    expect(errors).toHaveLength(28);
    expect(errors[0]).toEqual({
      file: fixture('invalid.log'),
      line: 2,
      error: 'srcaddr: "300.1.2.3" is not an IPv4 or IPv6 address (read as eni: 14 fields)',
      code: 'bad-ip',
      field: 'srcaddr',
    });
    expect(errors.map((e) => e.line)).not.toContain(3); // good line between two bad ones
    expect(errors.find((e) => e.line === 26)).toMatchObject({ code: 'bad-action' }); // inside JSON
  });

  it('names stdin "-" in error objects; a header switches the format mid-stream', async () => {
    const { code, stdout, stderr } = await run(['-'], readFileSync(fixture('mixed.log'), 'utf8'));
    expect(code).toBe(2);
    expect(ndjson(stderr)).toEqual([
      { file: '-', line: 8, error: '14 fields, but the header has 9', code: 'field-count' },
      { file: '-', line: 11, error: '14 fields, but the header has 16', code: 'field-count' },
    ]);
    const records = ndjson(stdout);
    expect(records).toHaveLength(7);
    expect(records[4]).toEqual({
      srcaddr: '10.0.1.12',
      dstaddr: '10.0.2.45',
      srcport: 51400,
      dstport: 443,
      protocol: 6,
      packets: 12,
      bytes: 3400,
      action: 'ACCEPT',
      'vpc-id': 'vpc-m2k8d1x3',
    });
  });

  it('takes a custom --format, and skips a header equal to a fixed format', async () => {
    const file = join(tmp, 'custom.log');
    writeFileSync(file, 'srcaddr dstaddr team\n10.0.0.1 10.0.0.2 payments\r\n10.0.0.3 - -');
    const custom = await run(['--format', '${srcaddr} ${dstaddr} ${team}', file]);
    expect(custom.stderr).toBe('');
    expect(custom.code).toBe(0);
    expect(ndjson(custom.stdout)).toEqual([
      { srcaddr: '10.0.0.1', dstaddr: '10.0.0.2', team: 'payments' },
      { srcaddr: '10.0.0.3', dstaddr: null, team: null },
    ]);

    const v2 = readFileSync(fixture('eni.log'), 'utf8').split('\n')[26]!;
    const withHeaders = join(tmp, 'headers.log');
    writeFileSync(
      withHeaders,
      `${v2}\n${readFileSync(fixture('eni.log'), 'utf8')}srcaddr dstaddr vpc-id\n`,
    );
    const eni = await run(['--format=eni', withHeaders]);
    expect(eni.code).toBe(2);
    expect(ndjson(eni.stdout)).toHaveLength(25);
    expect(ndjson(eni.stderr)).toEqual([
      {
        file: withHeaders,
        line: 30,
        error: expect.stringContaining('header line does not match the eni format') as unknown,
        code: 'bad-header',
      },
    ]);
  });

  it('keeps line numbers across chunk boundaries, long files and over-long lines', async () => {
    const line = (i: number) =>
      `2 1300000123 eni-6x1f9k2d 10.0.${i % 256}.1 10.1.0.${i % 200} ${1024 + (i % 60000)} 443 6 ${i} ${i * 40} 1700000000 1700000060 ACCEPT OK`;
    const lines = Array.from({ length: 30_000 }, (_, i) => line(i));
    lines[20_000] = `2 ${'x'.repeat(200_000)}`;
    const file = join(tmp, 'big.log.gz');
    writeFileSync(file, gzipSync(lines.join('\r\n')));
    const { code, stdout, stderr } = await run([file]);
    expect(code).toBe(2);
    const errors = ndjson(stderr);
    expect(errors).toEqual([
      {
        file,
        line: 20_001,
        error: 'line is 200002 characters long, more than 65536',
        code: 'too-long',
      },
    ]);
    const records = ndjson(stdout);
    expect(records).toHaveLength(29_999);
    expect(records[20_000]?.packets).toBe(20_001);
    expect(records.at(-1)?.packets).toBe(29_999);
  });

  it('reports an over-long line with its real length, to its newline or the end of the input', async () => {
    const good = `2 1300000123 eni-6x1f9k2d 10.0.0.1 10.1.0.1 1024 443 6 1 40 1700000000 1700000060 ACCEPT OK`;
    const file = join(tmp, 'huge-lines.log');
    // 5 MB lines span many read chunks: the length is counted on, never capped at the chunk.
    writeFileSync(file, `${good}\n2 ${'y'.repeat(5_000_000)}\n${good}\n${'z'.repeat(3_000_000)}`);
    const { code, stdout, stderr } = await run([file]);
    expect(code).toBe(2);
    expect(ndjson(stderr)).toEqual([
      {
        file,
        line: 2,
        error: 'line is 5000002 characters long, more than 65536',
        code: 'too-long',
      },
      {
        file,
        line: 4,
        error: 'line is 3000000 characters long, more than 65536',
        code: 'too-long',
      },
    ]);
    expect(ndjson(stdout)).toHaveLength(2);
  });

  it('exits 1 on usage errors and unreadable files, printing no record', async () => {
    const cases: Array<[string[], string]> = [
      [['--nope', fixture('eni.log')], 'unknown option "--nope"'],
      [[], 'missing FILE argument'],
      [['--format'], '--format needs a value'],
      [['--format', 'version dstprot', fixture('eni.log')], 'did you mean "dstport"?'],
      [
        [fixture('eni.log'), join(tmp, 'missing.log')],
        `cannot read ${JSON.stringify(join(tmp, 'missing.log'))}: no such file`,
      ],
      [[tmp], 'is a directory'],
    ];
    for (const [args, message] of cases) {
      const { code, stdout, stderr } = await run(args);
      expect(code, args.join(' ')).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toContain(message);
    }
    const bad = join(tmp, 'bad.log.gz');
    writeFileSync(bad, 'not gzip at all');
    const res = await run([bad]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('not valid gzip data');
  });

  it('--help prints usage, exit 0', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: flowdeck parse');
  });
});
