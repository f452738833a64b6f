import { describe, expect, it } from 'vitest';
import type { ApiRecord } from '../../shared/api.ts';
import { fieldInfo } from '../../shared/fields.ts';
import {
  decodeIcmp,
  decodeTcpFlags,
  describeField,
  fieldDetail,
  formatRange,
  formatRecordValue,
  recordDetails,
  tcpFlagsText,
} from '../../client/lib/record-fields.ts';

// A Tencent ENI record as the API serves it (epoch seconds in start/end, window in ms).
const ENI: ApiRecord = {
  topic: 'topic-eni-prod',
  stream: 'eni-0a1b2c3d',
  window: Date.UTC(2026, 4, 4, 13, 42),
  seq: 1234,
  version: '2',
  'account-id': '1300000001',
  'interface-id': 'eni-0a1b2c3d',
  srcaddr: '10.0.1.5',
  dstaddr: '203.0.113.9',
  srcport: 51514,
  dstport: 443,
  protocol: 6,
  packets: 12,
  bytes: 5400,
  start: Date.UTC(2026, 4, 4, 13, 42, 3) / 1000,
  end: Date.UTC(2026, 4, 4, 13, 42, 48) / 1000,
  action: 'ACCEPT',
  'log-status': 'OK',
  'tcp-flags': 18,
};

describe('decodeIcmp', () => {
  it('unpacks type × 256 + code from dstport for ICMP and ICMPv6', () => {
    expect(decodeIcmp(8 * 256, 1)).toEqual({
      type: 8,
      code: 0,
      meaning: 'echo request',
      text: '8/0 echo request',
    });
    expect(decodeIcmp(3 * 256 + 3, 1)?.text).toBe('3/3 destination unreachable: port unreachable');
    expect(decodeIcmp(0, 1)?.text).toBe('0/0 echo reply');
    expect(decodeIcmp(11 * 256, 1)?.meaning).toBe('time exceeded: TTL expired in transit');
    expect(decodeIcmp(128 * 256, 58)?.text).toBe('128/0 echo request');
    expect(decodeIcmp(135 * 256, 58)?.meaning).toBe('neighbor solicitation');
    expect(decodeIcmp(1 * 256 + 4, 58)?.text).toBe('1/4 destination unreachable: port unreachable');
  });
  it('keeps unknown types and codes as numbers', () => {
    expect(decodeIcmp(42 * 256 + 7, 1)).toEqual({ type: 42, code: 7, meaning: '', text: '42/7' });
    expect(decodeIcmp(8 * 256 + 9, 1)?.text).toBe('8/9 echo request');
  });
  it('decodes nothing for other protocols and bad ports', () => {
    expect(decodeIcmp(2048, 6)).toBeNull();
    expect(decodeIcmp(2048, null)).toBeNull();
    expect(decodeIcmp(null, 1)).toBeNull();
    expect(decodeIcmp(70_000, 1)).toBeNull();
    expect(decodeIcmp(-1, 1)).toBeNull();
    expect(decodeIcmp(1.5, 1)).toBeNull();
    expect(decodeIcmp('2048', 1)).toBeNull();
  });
});

describe('decodeTcpFlags', () => {
  it('names the set bits, lowest first', () => {
    expect(decodeTcpFlags(18)).toEqual(['SYN', 'ACK']);
    expect(decodeTcpFlags(2)).toEqual(['SYN']);
    expect(decodeTcpFlags(1 | 16)).toEqual(['FIN', 'ACK']);
    expect(decodeTcpFlags(4)).toEqual(['RST']);
    expect(decodeTcpFlags(1 | 2 | 4 | 8 | 16 | 32)).toEqual([
      'FIN',
      'SYN',
      'RST',
      'PSH',
      'ACK',
      'URG',
    ]);
    expect(decodeTcpFlags(0)).toEqual([]);
    expect(decodeTcpFlags(null)).toEqual([]);
    expect(decodeTcpFlags('18')).toEqual([]);
  });
  it('spells SYN-ACK and none', () => {
    expect(tcpFlagsText(18)).toBe('SYN ACK (SYN-ACK)');
    expect(tcpFlagsText(19)).toBe('FIN SYN ACK');
    expect(tcpFlagsText(0)).toBe('none');
    expect(tcpFlagsText(256 + 2)).toBe('SYN +256');
    expect(tcpFlagsText(null)).toBeNull();
  });
});

describe('describeField', () => {
  it("gives the registry's description for documented fields", () => {
    for (const name of ['srcaddr', 'dstport', 'log-status', 'srcregionid', 'tcp-flags']) {
      expect(describeField(name)).toBe(fieldInfo(name)?.description);
    }
  });
  it('describes where a record was stored, and custom fields', () => {
    expect(describeField('window')).toMatch(/capture window/);
    expect(describeField('seq')).toMatch(/arrival order/);
    expect(describeField('topic')).toMatch(/topic/);
    expect(describeField('my-field')).toMatch(/custom field/);
  });
});

describe('formatRecordValue', () => {
  it('formats table cells', () => {
    expect(formatRecordValue('protocol', 6)).toBe('TCP');
    expect(formatRecordValue('protocol', 58)).toBe('ICMPv6');
    expect(formatRecordValue('protocol', 253)).toBe('253');
    expect(formatRecordValue('bytes', 5400)).toBe('5.4 KB');
    expect(formatRecordValue('bytes', 999)).toBe('999 B');
    expect(formatRecordValue('packets', 1234567)).toBe('1,234,567');
    expect(formatRecordValue('srcport', 51514)).toBe('51514');
    expect(formatRecordValue('dstport', 2048, { ...ENI, protocol: 1 })).toBe('8/0');
    expect(formatRecordValue('dstport', 2048, ENI)).toBe('2048');
    expect(formatRecordValue('tcp-flags', 18)).toBe('SYN ACK (SYN-ACK)');
    expect(formatRecordValue('action', 'REJECT')).toBe('REJECT');
    expect(formatRecordValue('srcaddr', null)).toBe('–');
    expect(formatRecordValue('custom', undefined)).toBe('–');
  });
  it('shows times in local time: window in ms, start/end in seconds', () => {
    const local = new Date(2026, 0, 2, 3, 4, 5).getTime();
    expect(formatRecordValue('window', local)).toBe('01-02 03:04:05');
    expect(formatRecordValue('start', local / 1000)).toBe('01-02 03:04:05');
    expect(formatRecordValue('end', local / 1000 + 60)).toBe('01-02 03:05:05');
  });
  it('never interprets text as markup', () => {
    expect(formatRecordValue('interface-id', '<img src=x onerror=alert(1)>')).toBe(
      '<img src=x onerror=alert(1)>',
    );
  });
});

describe('record details', () => {
  it('lists every field, storage fields first, with exact values', () => {
    const details = recordDetails(ENI);
    expect(details.map((d) => d.name)).toEqual([
      'topic',
      'stream',
      'window',
      'seq',
      ...Object.keys(ENI).filter((k) => !['topic', 'stream', 'window', 'seq'].includes(k)),
    ]);
    expect(details.every((d) => d.description.length > 0)).toBe(true);
    const bytes = fieldDetail('bytes', ENI);
    expect(bytes.raw).toBe('5400');
    expect(bytes.decoded).toBe('5.4 KB · 5,400 bytes · 450 B per packet');
    expect(fieldDetail('bytes', { ...ENI, bytes: 756, packets: 0 }).decoded).toBe('756 bytes');
    expect(fieldDetail('packets', ENI).decoded).toBeNull();
    expect(fieldDetail('packets', { ...ENI, packets: 1234567 }).decoded).toBe(
      '1.23M packets (1,234,567)',
    );
  });
  it('decodes protocol, ports, flags, status, action and times', () => {
    expect(fieldDetail('protocol', ENI).decoded).toBe('TCP');
    expect(fieldDetail('dstport', ENI).decoded).toBe('HTTPS');
    expect(fieldDetail('tcp-flags', ENI).decoded).toBe('SYN ACK (SYN-ACK)');
    expect(fieldDetail('action', ENI).decoded).toMatch(/allowed/);
    expect(fieldDetail('action', { ...ENI, action: 'REJECT' }).decoded).toMatch(/blocked/);
    expect(fieldDetail('log-status', { ...ENI, 'log-status': 'NODATA' }).decoded).toBe(
      'no traffic on the stream in the capture window',
    );
    expect(fieldDetail('log-status', { ...ENI, 'log-status': 'SKIPDATA' }).decoded).toMatch(
      /skipped.*capacity limit or error/,
    );
    const start = fieldDetail('start', ENI).decoded ?? '';
    expect(start).toContain('2026-05-04T13:42:03.000Z');
    expect(start).toContain('flow lasted 45 s');
    expect(fieldDetail('window', ENI).decoded).toContain('2026-05-04T13:42:00.000Z');
  });
  it('decodes ICMP type/code from dstport and says srcport is unused', () => {
    const ping = { ...ENI, protocol: 1, srcport: 0, dstport: 2048 };
    expect(fieldDetail('dstport', ping).decoded).toBe('ICMP type/code 8/0 echo request');
    expect(fieldDetail('srcport', ping).decoded).toBe('not used by ICMP');
  });
  it('shows a missing value as -, and CCN regions by name', () => {
    const ccn = { ...ENI, srcregionid: 'ap-guangzhou', dstregionid: 'xx-nowhere', bytes: null };
    expect(fieldDetail('bytes', ccn)).toMatchObject({
      raw: '-',
      decoded: 'no value (- in the log)',
    });
    expect(fieldDetail('srcregionid', ccn).decoded).toBe('South China (Guangzhou)');
    expect(fieldDetail('dstregionid', ccn).decoded).toBeNull();
  });
});

describe('formatRange', () => {
  it('prints the date once for a range within a day, with its length', () => {
    const a = new Date(2026, 4, 4, 13, 42).getTime();
    expect(formatRange(a, a + 60_000)).toBe('2026-05-04 13:42 – 13:43 (1 min)');
    const b = new Date(2026, 4, 5, 13, 42).getTime();
    expect(formatRange(a, b)).toBe('2026-05-04 13:42 – 2026-05-05 13:42 (24 h)');
  });
});
