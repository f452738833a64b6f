// The flow-log line parser on fixture files with golden outputs, plus the edge cases that need code.
// UPDATE_GOLDEN=1 rewrites the *.expected.json files from the current parser: review the diff.
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { FormatSpec, LineResult } from '../../shared/parse/index.ts';
import {
  MAX_LINE_LENGTH,
  createLineParser,
  isIpAddress,
  parseFormatSpec,
  recordToDocumented,
} from '../../shared/parse/index.ts';

const dir = new URL('../fixtures/parser/', import.meta.url);

type Row =
  | { line: number; kind: 'record'; record: unknown }
  | { line: number; kind: 'header'; fields: readonly string[] }
  | { line: number; kind: 'blank' }
  | { line: number; kind: 'error'; error: unknown };

function row(line: number, res: LineResult): Row {
  switch (res.kind) {
    case 'record':
      return { line, kind: 'record', record: res.record };
    case 'header':
      return { line, kind: 'header', fields: res.fields };
    case 'blank':
      return { line, kind: 'blank' };
    case 'error':
      return { line, kind: 'error', error: res.error };
  }
}

/** Each line of a fixture file (split on \n only, so CRs stay), through one parser. */
function parseFixture(name: string, spec: FormatSpec = 'auto'): LineResult[] {
  const lines = readFileSync(new URL(name, dir), 'utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  const parser = createLineParser(spec);
  return lines.map((line, i) => parser.parse(line, i + 1));
}

function expectGolden(fixture: string, results: LineResult[]): void {
  const actual = results.map((res, i) => row(i + 1, res));
  const file = new URL(fixture.replace(/\.log$/, '.expected.json'), dir);
  if (process.env.UPDATE_GOLDEN) writeFileSync(file, `${JSON.stringify(actual, null, 2)}\n`);
  expect(actual).toEqual(JSON.parse(readFileSync(file, 'utf8')));
}

function only<K extends LineResult['kind']>(
  res: LineResult | undefined,
  kind: K,
): Extract<LineResult, { kind: K }> {
  expect(res?.kind).toBe(kind);
  return res as Extract<LineResult, { kind: K }>;
}

describe('golden fixtures (auto format)', () => {
  it.each(['eni.log', 'ccn.log', 'mixed.log', 'aws-custom.log', 'invalid.log'])('%s', (fixture) => {
    expectGolden(fixture, parseFixture(fixture));
  });
});

describe('eni', () => {
  const results = parseFixture('eni.log');

  it('reads the 14 fields of an ACCEPT line', () => {
    expect(only(results[0], 'record').record).toEqual({
      format: 'eni',
      version: '2',
      accountId: '1300000123',
      interfaceId: 'eni-6x1f9k2d',
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
      logStatus: 'OK',
      ccnId: null,
      srcRegion: null,
      dstRegion: null,
      regionId: null,
      extra: null,
    });
  });

  it('keeps V1 versions, ICMP type/code in dstport, IPv6 and NODATA dashes', () => {
    expect(only(results[2], 'record').record.version).toBe('V1');
    expect(only(results[3], 'record').record).toMatchObject({
      protocol: 1,
      srcport: 0,
      dstport: 2048,
    });
    expect(only(results[6], 'record').record).toMatchObject({
      srcaddr: '2402:4e00:1013:e500::1a',
      dstaddr: '240e:e9:6002:15a::ff',
    });
    expect(only(results[8], 'record').record).toMatchObject({
      srcaddr: null,
      packets: null,
      action: null,
      logStatus: 'NODATA',
      start: 1700000000,
    });
    expect(only(results[9], 'record').record.logStatus).toBe('SKIPDATA');
  });

  it('skips blank lines and reads tabs, runs of spaces, a trailing CR and JSON envelopes', () => {
    expect(results[10]?.kind).toBe('blank');
    expect(results[14]?.kind).toBe('blank');
    expect(only(results[11], 'record').record).toMatchObject({ srcport: 51325, logStatus: 'OK' });
    expect(only(results[12], 'record').record).toMatchObject({ srcport: 51326, logStatus: 'OK' });
    expect(only(results[13], 'record').record).toMatchObject({ bytes: 40211, logStatus: 'OK' });
    expect(only(results[15], 'record').record).toMatchObject({ dstport: 8080, action: 'REJECT' });
    expect(only(results[16], 'record').record).toMatchObject({
      interfaceId: 'eni-0e0bf7be352692297',
      logStatus: 'NODATA',
    });
  });

  it('keeps byte counts above 2^32 exact', () => {
    expect(only(results[24], 'record').record.bytes).toBe(13_000_000_000);
  });

  it('applies a v2 header line as the eni format', () => {
    expect(only(results[26], 'header').fields).toHaveLength(14);
    expect(only(results[27], 'record').record).toMatchObject({ format: 'eni', version: '3' });
  });
});

describe('ccn', () => {
  const results = parseFixture('ccn.log');

  it('reads the 16 fields in the Tencent order', () => {
    expect(only(results[0], 'record').record).toEqual({
      format: 'ccn',
      version: '2',
      accountId: null,
      interfaceId: null,
      srcaddr: '10.0.1.12',
      dstaddr: '10.8.0.21',
      srcport: 50522,
      dstport: 3306,
      protocol: 6,
      packets: 120,
      bytes: 48213,
      start: 1700000000,
      end: 1700000059,
      action: 'ACCEPT',
      logStatus: 'OK',
      ccnId: 'ccn-k3j2x8a1',
      srcRegion: 'ap-guangzhou',
      dstRegion: 'ap-shanghai',
      regionId: 'ap-guangzhou',
      extra: null,
    });
  });

  it('turns NODATA and SKIPDATA packets/bytes of -1 or - into null', () => {
    for (const i of [3, 4, 7]) {
      expect(only(results[i], 'record').record).toMatchObject({
        packets: null,
        bytes: null,
        srcaddr: null,
      });
    }
  });
});

describe('headers', () => {
  it('switch the format mid-stream in auto mode (public vectors)', () => {
    const results = parseFixture('aws-custom.log');
    expect(results.map((r) => r.kind).filter((k) => k === 'header')).toHaveLength(12);
    // A repeated header (S3 concatenation) is applied again.
    expect(only(results[3], 'record').record).toMatchObject({
      format: 'custom',
      logStatus: 'SKIPDATA',
    });
    // elastic/beats service-name-path-direction.golden.json: tcp-flags 19, traffic-path 8.
    expect(only(results[8], 'record').record.extra).toMatchObject({
      'tcp-flags': 19,
      'pkt-src-aws-service': 'S3',
    });
    expect(only(results[9], 'record').record.extra).toMatchObject({
      'traffic-path': 8,
      'flow-direction': 'egress',
    });
    // NAT custom format without version: core fields absent from the format are null.
    expect(only(results[14], 'record').record).toMatchObject({
      version: null,
      srcport: null,
      srcaddr: '10.0.1.5',
    });
    // v6 transit gateway: double spaces and a non-ASCII character.
    expect(only(results[20], 'record').record.extra?.['tgw-src-subnet-id']).toBe(
      'subnet-3fbc536e360c36caб',
    );
    // v8: 40 fields ending in reject-reason.
    expect(only(results[24], 'record').record.extra?.['reject-reason']).toBe('BPA');
    // test-v5-all-fields.log: a 9-digit start, 1975 against an end in 2021.
    expect(only(results[30], 'error').error).toMatchObject({
      line: 31,
      code: 'time-span',
      field: 'start',
    });
    // A v2 header makes the stream eni: a 16-field line no longer fits.
    expect(only(results[32], 'record').record.format).toBe('eni');
    expect(only(results[33], 'error').error.code).toBe('field-count');
  });

  it('in a fixed format, a header equal to it is skipped and any other is an error', () => {
    const eni = createLineParser('eni');
    const v2 =
      'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
    expect(eni.parse(v2, 1).kind).toBe('header');
    expect(only(eni.parse('version srcaddr dstaddr', 2), 'error').error.code).toBe('bad-header');
    expect(eni.format?.kind).toBe('eni');
    const custom = createLineParser(['srcaddr', 'dstaddr', 'my-tag']);
    expect(custom.parse('srcaddr dstaddr my-tag', 1).kind).toBe('header');
    expect(only(custom.parse('srcaddr my-tag dstaddr', 2), 'error').error.code).toBe('bad-header');
  });

  it('a fixed format does not guess from the token count', () => {
    const ccn = createLineParser('ccn');
    const res = ccn.parse(
      '2 1300000123 eni-6x1f9k2d 10.0.1.12 10.0.2.45 1 2 6 1 1 1700000000 1700000001 ACCEPT OK',
      7,
    );
    expect(only(res, 'error').error).toMatchObject({ line: 7, code: 'field-count' });
  });

  it('a header repeating a name is rejected and not applied', () => {
    const parser = createLineParser();
    expect(only(parser.parse('srcaddr dstaddr srcaddr', 1), 'error').error.code).toBe('bad-header');
    expect(parser.format).toBeNull();
  });
});

describe('custom formats', () => {
  it('keep unknown fields in extra as strings and known numeric ones as numbers', () => {
    const parser = createLineParser([
      'srcaddr',
      'dstaddr',
      'tcp-flags',
      'packets-lost-no-route',
      'team',
    ]);
    const res = only(parser.parse('10.0.0.1 10.0.0.2 18 3 payments', 1), 'record');
    expect(res.record).toMatchObject({
      format: 'custom',
      srcaddr: '10.0.0.1',
      dstaddr: '10.0.0.2',
      version: null,
    });
    expect(res.record.extra).toEqual({
      'tcp-flags': 18,
      'packets-lost-no-route': 3,
      team: 'payments',
    });
    expect(only(parser.parse('10.0.0.1 10.0.0.2 SYN 3 payments', 2), 'error').error).toMatchObject({
      code: 'bad-integer',
      field: 'tcp-flags',
      token: 'SYN',
    });
    expect(only(parser.parse('10.0.0.1 10.0.0.2 18 3', 3), 'error').error.code).toBe('field-count');
  });

  it('validate extra addresses', () => {
    const parser = createLineParser(['srcaddr', 'pkt-srcaddr']);
    expect(only(parser.parse('10.0.0.1 10.0.0.999', 1), 'error').error).toMatchObject({
      code: 'bad-ip',
      field: 'pkt-srcaddr',
    });
  });

  it('an exact eni or ccn field list is that format', () => {
    const spec = parseFormatSpec(
      'srcaddr dstregionid dstport start dstaddr version packets ccnid protocol srcregionid bytes action region-id srcport end log-status',
    );
    expect(spec.ok && spec.data !== 'auto' && spec.data.kind).toBe('ccn');
  });
});

describe('bad lines', () => {
  it('are typed errors with their line numbers, and the lines between them still parse', () => {
    const results = parseFixture('invalid.log');
    const summary = results.map((res, i) => [
      i + 1,
      res.kind === 'error' ? res.error.code : res.kind,
    ]);
    expect(summary).toEqual([
      [1, 'record'],
      [2, 'bad-ip'],
      [3, 'record'],
      [4, 'bad-ip'],
      [5, 'bad-ip'], // leading zero
      [6, 'bad-ip'], // two ::
      [7, 'bad-ip'], // zone id
      [8, 'bad-port'],
      [9, 'bad-port'],
      [10, 'bad-protocol'],
      [11, 'bad-integer'], // -5 packets
      [12, 'bad-integer'], // 1.5 bytes
      [13, 'bad-integer'], // 17e8 start
      [14, 'bad-integer'], // beyond 2^53
      [15, 'bad-action'],
      [16, 'bad-action'], // lower case
      [17, 'bad-status'],
      [18, 'bad-version'],
      [19, 'bad-version'], // V alone
      [20, 'time-order'],
      [21, 'unknown-format'], // 15 fields
      [22, 'unknown-format'],
      [23, 'bad-json'],
      [24, 'bad-json'], // no message
      [25, 'bad-json'], // message not a string
      [26, 'bad-action'], // inside a JSON envelope
      [27, 'bad-integer'], // ccn -1 in an OK record
      [28, 'bad-integer'], // -1 in eni
      [29, 'bad-ip'],
      [30, 'record'],
      [31, 'bad-header'],
      [32, 'record'],
    ]);
    expect(only(results[1], 'error').error).toEqual({
      line: 2,
      code: 'bad-ip',
      reason: 'srcaddr: "300.1.2.3" is not an IPv4 or IPv6 address (read as eni: 14 fields)',
      field: 'srcaddr',
      token: '300.1.2.3',
      excerpt:
        '2 1300000123 eni-6x1f9k2d 300.1.2.3 10.0.2.45 51324 443 6 34 7812 1700000000 1700000058 ACCEPT OK',
    });
  });

  it('longer than the cap are rejected without scanning, with a short excerpt', () => {
    const parser = createLineParser();
    const line = `2 ${'x'.repeat(MAX_LINE_LENGTH)}`;
    const { error } = only(parser.parse(line, 9), 'error');
    expect(error).toMatchObject({ line: 9, code: 'too-long' });
    expect(error.excerpt).toHaveLength(201);
    const json = `{"message":"${'y'.repeat(MAX_LINE_LENGTH)}"}`;
    expect(only(parser.parse(json, 10), 'error').error.code).toBe('too-long');
  });

  it('cap excerpts and tokens', () => {
    const parser = createLineParser();
    const long = 'z'.repeat(500);
    const line = `2 1300000123 eni-6x1f9k2d ${long} 10.0.2.45 1 2 6 1 1 1700000000 1700000001 ACCEPT OK`;
    const { error } = only(parser.parse(line, 1), 'error');
    expect(error.excerpt).toHaveLength(201);
    expect(error.token).toHaveLength(101);
  });

  it('never throw, whatever the input', () => {
    let seed = 42;
    const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const alphabet = ' \t-.:{}"0123456789abcdefVACEPTOKNDRJ\r\n\\é';
    const parsers = [createLineParser(), createLineParser('eni'), createLineParser('ccn')];
    for (let i = 0; i < 5_000; i++) {
      const tokens = Math.floor(next() * 20);
      let line = '';
      for (let k = 0; k < tokens * 4; k++) line += alphabet[Math.floor(next() * alphabet.length)];
      for (const parser of parsers) expect(() => parser.parse(line, i + 1)).not.toThrow();
    }
  });
});

describe('isIpAddress', () => {
  it.each([
    '0.0.0.0',
    '255.255.255.255',
    '10.0.1.12',
    '::',
    '::1',
    '1::',
    'fe80::1',
    '2001:db8:1234:a100:8d6e:3477:df66:f105',
    '2001:DB8::8:800:200C:417A',
    '1:2:3:4:5:6:7::',
    '::ffff:10.0.1.12',
    '64:ff9b::203.0.113.9',
    '1:2:3:4:5:6:1.2.3.4',
    '2a02:cf40::',
  ])('accepts %s', (ip) => expect(isIpAddress(ip, 0, ip.length)).toBe(true));

  it.each([
    '',
    '1.2.3',
    '1.2.3.4.5',
    '256.1.1.1',
    '01.1.1.1',
    '1..1.1',
    '1.2.3.4 ',
    ':',
    ':::',
    '1:2',
    ':1::2',
    '1::2::3',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7:8::',
    '12345::1',
    'g::1',
    'fe80::1%eth0',
    '1:2:3:4:5:6:7:1.2.3.4',
    '::1.2.3',
    '1.2.3.4::',
    '1:',
  ])('rejects %j', (ip) => expect(isIpAddress(ip, 0, ip.length)).toBe(false));
});

describe('parseFormatSpec', () => {
  it('reads keywords and field lists, in AWS ${} syntax too', () => {
    expect(parseFormatSpec('auto')).toEqual({ ok: true, data: 'auto' });
    expect(parseFormatSpec(' ENI ')).toMatchObject({ ok: true, data: { kind: 'eni' } });
    expect(parseFormatSpec('ccn')).toMatchObject({ ok: true, data: { kind: 'ccn' } });
    expect(parseFormatSpec('${version} ${srcaddr},${dstaddr} team')).toEqual({
      ok: true,
      data: { kind: 'custom', fields: ['version', 'srcaddr', 'dstaddr', 'team'] },
    });
  });

  it.each([
    ['', 'empty format'],
    ['srcaddr dstaddr srcaddr', 'field 3: "srcaddr" is already field 1'],
    ['version dstprot', 'field 2: unknown field "dstprot"; did you mean "dstport"?'],
    ['version srcadr', 'did you mean "srcaddr"?'],
    ['version Src!', 'field 2: "Src!" is not a field name'],
  ])('rejects %j', (spec, message) => {
    const res = parseFormatSpec(spec);
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.error.message).toContain(message);
  });
});

describe('recordToDocumented', () => {
  it('uses the documented names in format order, numbers for integers and versions', () => {
    const [eni] = parseFixture('eni.log');
    const doc = recordToDocumented(only(eni, 'record').record);
    expect(Object.keys(doc)).toEqual([
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
    ]);
    expect(doc).toMatchObject({
      version: '2',
      'account-id': '1300000123',
      srcport: 51324,
      'log-status': 'OK',
    });
  });

  it('keeps a V1 version as a string and nulls for dashes', () => {
    const results = parseFixture('ccn.log');
    const nodata = recordToDocumented(only(results[3], 'record').record);
    expect(Object.keys(nodata)).toEqual([
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
    expect(nodata).toMatchObject({
      srcaddr: null,
      packets: null,
      bytes: null,
      ccnid: 'ccn-k3j2x8a1',
    });
    expect(recordToDocumented(only(results[8], 'record').record).version).toBe('V1');
  });

  it('gives a custom record its field list, or without one its non-null core fields then extra', () => {
    const parser = createLineParser(['team', 'srcaddr', 'version', 'tcp-flags', 'dstport']);
    const res = only(parser.parse('payments 10.0.0.1 5 2 -', 1), 'record');
    expect(recordToDocumented(res.record, res.format.fields)).toEqual({
      team: 'payments',
      srcaddr: '10.0.0.1',
      version: '5',
      'tcp-flags': 2,
      dstport: null,
    });
    expect(recordToDocumented(res.record)).toEqual({
      version: '5',
      srcaddr: '10.0.0.1',
      team: 'payments',
      'tcp-flags': 2,
    });
  });
});
