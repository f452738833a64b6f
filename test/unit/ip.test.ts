import { describe, expect, it } from 'vitest';
import { bigIntToIp, cidrRange, ipToBigInt, parseCidr } from '../../shared/ip.ts';
import { isIpAddress } from '../../shared/parse/scan.ts';

const V4 = 0xffff_0000_0000n;

describe('ipToBigInt', () => {
  const good: Array<[string, bigint]> = [
    ['0.0.0.0', V4],
    ['10.0.0.1', V4 | 0x0a000001n],
    ['255.255.255.255', V4 | 0xffffffffn],
    ['192.168.1.10', V4 | 0xc0a8010an],
    ['::', 0n],
    ['::1', 1n],
    ['1::', 1n << 112n],
    ['2001:db8::1', 0x20010db8000000000000000000000001n],
    ['2001:DB8:0:0:0:0:0:1', 0x20010db8000000000000000000000001n],
    ['2001:0db8:0000:0000:0000:ff00:0042:8329', 0x20010db8000000000000ff0000428329n],
    ['fe80::1:2', 0xfe800000000000000000000000010002n],
    ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', (1n << 128n) - 1n],
    ['::ffff:10.0.0.1', V4 | 0x0a000001n],
    ['::FFFF:0a00:0001', V4 | 0x0a000001n],
    ['64:ff9b::192.0.2.33', 0x0064ff9b0000000000000000c0000221n],
    ['::1.2.3.4', 0x01020304n],
    ['1:2:3:4:5:6:1.2.3.4', 0x00010002000300040005000601020304n],
    ['1:2:3:4:5:6:7::', 0x00010002000300040005000600070000n],
    ['::2:3:4:5:6:7:8', 0x00000002000300040005000600070008n],
  ];
  it.each(good)('%s', (text, value) => {
    expect(ipToBigInt(text)).toBe(value);
  });

  const bad = [
    '',
    '1.2.3',
    '1.2.3.4.5',
    '256.0.0.1',
    '01.2.3.4',
    '1.2.3.4 ',
    ' 1.2.3.4',
    '1..2.3',
    '1.2.3.',
    ':',
    ':::',
    '1:2',
    '1::2::3',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7',
    '::1:2:3:4:5:6:7:8',
    '12345::',
    'g::1',
    '1:',
    ':1',
    '1::2:',
    'fe80::1%eth0',
    '1:2:3:4:5:6:7:1.2.3.4',
    '::1.2.3',
    '::1.2.3.4:5',
    '10.0.0.0/8',
    'localhost',
  ];
  it.each(bad)('rejects %j', (text) => {
    expect(ipToBigInt(text)).toBeNull();
  });

  it('agrees with the parser scanner on what is an address', () => {
    for (const text of [...good.map(([t]) => t), ...bad]) {
      expect(ipToBigInt(text) !== null, text).toBe(isIpAddress(text, 0, text.length));
    }
  });
});

describe('bigIntToIp', () => {
  const cases: Array<[bigint, string]> = [
    [V4 | 0x0a000001n, '10.0.0.1'],
    [V4, '0.0.0.0'],
    [0n, '::'],
    [1n, '::1'],
    [0x20010db8000000000000000000000001n, '2001:db8::1'],
    // RFC 5952: the longest zero run, the first of equal runs, never a single zero group.
    [0x20010db8000000000001000000000001n, '2001:db8::1:0:0:1'],
    [0x20010db8000000010000000000000001n, '2001:db8:0:1::1'],
    [0x20010db8000000010001000100010001n, '2001:db8:0:1:1:1:1:1'],
    [(1n << 128n) - 1n, 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
    [0x01020304n, '::102:304'],
    [0xfffe_0000_0000n, '::fffe:0:0'],
  ];
  it.each(cases)('%s -> %s', (n, text) => {
    expect(bigIntToIp(n)).toBe(text);
    expect(ipToBigInt(text)).toBe(n);
  });

  it('refuses values outside 128 bits', () => {
    expect(() => bigIntToIp(-1n)).toThrow(RangeError);
    expect(() => bigIntToIp(1n << 128n)).toThrow(RangeError);
  });
});

describe('cidrRange', () => {
  const cases: Array<[string, bigint, bigint]> = [
    ['10.0.0.0/8', V4 | 0x0a000000n, V4 | 0x0affffffn],
    ['10.1.2.3/8', V4 | 0x0a000000n, V4 | 0x0affffffn], // host bits are masked
    ['192.168.1.7/32', V4 | 0xc0a80107n, V4 | 0xc0a80107n],
    ['0.0.0.0/0', V4, V4 | 0xffffffffn], // every IPv4 address, and only those
    ['2001:db8::/32', 0x20010db8n << 96n, (0x20010db8n << 96n) | ((1n << 96n) - 1n)],
    ['::/0', 0n, (1n << 128n) - 1n],
    ['fe80::1/128', 0xfe800000000000000000000000000001n, 0xfe800000000000000000000000000001n],
    ['::ffff:10.0.0.0/104', V4 | 0x0a000000n, V4 | 0x0affffffn],
  ];
  it.each(cases)('%s', (text, lo, hi) => {
    expect(cidrRange(text)).toEqual({ lo, hi });
  });

  const bad = [
    '10.0.0.0',
    '10.0.0.0/33',
    '10.0.0.0/-1',
    '10.0.0.0/',
    '10.0.0.0/08',
    '2001:db8::/129',
    'x/8',
    '10.0.0/8',
    '10.0.0.0/8/8',
  ];
  it.each(bad)('rejects %s', (text) => {
    expect(cidrRange(text)).toBeNull();
  });

  it('says why a block was refused', () => {
    expect(parseCidr('10.0.0.0')).toBe('no-slash');
    expect(parseCidr('10.0.0/8')).toBe('address');
    expect(parseCidr('10.0.0.0/33')).toBe('prefix');
    expect(parseCidr('2001:db8::/64')).toMatchObject({ bits: 64, v4: false });
    expect(parseCidr('10.0.0.0/8')).toMatchObject({ bits: 104, v4: true });
  });
});
