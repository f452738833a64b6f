// IP addresses as 128-bit integers, for range queries on the store's numeric address columns.
// No Node and no DOM here. IPv4 maps into IPv6 as ::ffff:a.b.c.d, so one column and one ordering
// hold both families and an IPv4 CIDR is a range inside ::ffff:0:0/96.

/** ::ffff:0.0.0.0, the IPv4-mapped base. */
export const IPV4_MAPPED_BASE = 0xffff_0000_0000n;
const V4_HI = 0xffff_ffff_ffffn;
const MAX_128 = (1n << 128n) - 1n;

/** A dotted quad in s[start, end) as an unsigned 32-bit number; -1 when it is not one (no leading zeros). */
function parseIPv4(s: string, start: number, end: number): number {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + octet;
      dots++;
      octet = 0;
      digits = 0;
    } else {
      const d = c - 48;
      if (d < 0 || d > 9 || (digits > 0 && octet === 0)) return -1;
      octet = octet * 10 + d;
      if (octet > 255) return -1;
      digits++;
    }
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + octet;
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 32;
  return l >= 97 && l <= 102 ? l - 87 : -1;
}

/** The eight 16-bit groups of an IPv6 text in s[start, end), or null. `::` and a trailing IPv4 allowed; no zone id. */
function parseIPv6Groups(s: string, start: number, end: number): number[] | null {
  if (end - start < 2 || end - start > 45) return null;
  const head: number[] = [];
  const tail: number[] = [];
  let compressed = false;
  let i = start;
  if (s.charCodeAt(i) === 58) {
    if (s.charCodeAt(i + 1) !== 58) return null;
    compressed = true;
    i += 2;
  }
  while (i < end) {
    const groupStart = i;
    let group = 0;
    let d: number;
    while (i < end && (d = hexDigit(s.charCodeAt(i))) >= 0) {
      group = group * 16 + d;
      i++;
    }
    const into = compressed ? tail : head;
    if (i < end && s.charCodeAt(i) === 46) {
      // An embedded IPv4 ends the address and counts as two groups.
      const v4 = parseIPv4(s, groupStart, end);
      if (v4 < 0) return null;
      into.push(Math.floor(v4 / 65536), v4 % 65536);
      break;
    }
    const n = i - groupStart;
    if (n === 0 || n > 4) return null;
    into.push(group);
    if (i === end) break;
    if (s.charCodeAt(i) !== 58) return null;
    i++;
    if (s.charCodeAt(i) === 58) {
      if (compressed) return null;
      compressed = true;
      i++;
    } else if (i === end) {
      return null; // a single trailing ':'
    }
  }
  const count = head.length + tail.length;
  if (compressed ? count > 7 : count !== 8) return null;
  const groups = head;
  for (let k = count; k < 8; k++) groups.push(0);
  for (let k = 0; k < tail.length; k++) groups[8 - tail.length + k] = tail[k]!;
  return groups;
}

function groupsToBigInt(g: number[]): bigint {
  const a = g[0]! * 65536 + g[1]!;
  const b = g[2]! * 65536 + g[3]!;
  const c = g[4]! * 65536 + g[5]!;
  const d = g[6]! * 65536 + g[7]!;
  return (BigInt(a) << 96n) | (BigInt(b) << 64n) | (BigInt(c) << 32n) | BigInt(d);
}

/**
 * The 128-bit value of an address: IPv6 (full, compressed, with an embedded IPv4) as itself, IPv4 as
 * its IPv4-mapped IPv6 value (10.0.0.1 -> ::ffff:10.0.0.1). null for anything else (zone ids,
 * IPv4 octets with leading zeros, surrounding spaces).
 */
/** A dotted-quad IPv4 text as its 32-bit number, or -1 when it is not one. */
export function ipv4Number(text: string): number {
  const end = text.length;
  return end >= 7 && end <= 15 ? parseIPv4(text, 0, end) : -1;
}

export function ipToBigInt(text: string): bigint | null {
  const end = text.length;
  if (end >= 7 && end <= 15) {
    const v4 = parseIPv4(text, 0, end);
    if (v4 >= 0) return IPV4_MAPPED_BASE | BigInt(v4);
  }
  const groups = parseIPv6Groups(text, 0, end);
  return groups === null ? null : groupsToBigInt(groups);
}

/** True when n is an IPv4-mapped value (::ffff:0.0.0.0 to ::ffff:255.255.255.255). */
export function isIPv4Mapped(n: bigint): boolean {
  return n >= IPV4_MAPPED_BASE && n <= V4_HI;
}

/**
 * The text of a 128-bit address: IPv4-mapped values as a dotted quad, others as RFC 5952 IPv6
 * (lowercase, the longest run of two or more zero groups compressed). Throws RangeError outside 0..2^128-1.
 */
export function bigIntToIp(n: bigint): string {
  if (n < 0n || n > MAX_128) throw new RangeError('not a 128-bit address value');
  if (isIPv4Mapped(n)) {
    const v = Number(n & 0xffff_ffffn);
    return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
  }
  const groups: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(Number((n >> shift) & 0xffffn));
  let bestStart = -1;
  let bestLen = 1; // a single zero group is not compressed
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** A parsed CIDR: its bounds, and its prefix length in the 128-bit space (IPv4 /8 is 104). */
export interface Cidr {
  lo: bigint;
  hi: bigint;
  bits: number;
  /** The address was written as IPv4 (its prefix was 0-32). */
  v4: boolean;
}

/** Why parseCidr refused a text: no `/`, a bad address, or a bad prefix length. */
export type CidrProblem = 'no-slash' | 'address' | 'prefix';

/** Like cidrRange, with the prefix length and the reason of a failure (for error messages). */
export function parseCidr(text: string): Cidr | CidrProblem {
  const slash = text.lastIndexOf('/');
  if (slash < 0) return 'no-slash';
  const addr = ipToBigInt(text.slice(0, slash));
  if (addr === null) return 'address';
  const v4 = text.indexOf(':') < 0;
  const digits = text.slice(slash + 1);
  if (!/^(0|[1-9][0-9]{0,2})$/.test(digits)) return 'prefix';
  const prefix = Number(digits);
  if (prefix > (v4 ? 32 : 128)) return 'prefix';
  const bits = v4 ? 96 + prefix : prefix;
  const hostMask = (1n << BigInt(128 - bits)) - 1n;
  const lo = addr & ~hostMask & MAX_128;
  return { lo, hi: lo | hostMask, bits, v4 };
}

/**
 * Bounds of a CIDR block (`10.0.0.0/8`, `2001:db8::/32`), inclusive, as 128-bit values (IPv4 in
 * its mapped form). The prefix length is 0-32 for IPv4 and 0-128 for IPv6; host bits set after the
 * prefix are allowed and masked (10.1.2.3/8 is 10.0.0.0/8). null without a `/` or when invalid.
 */
export function cidrRange(text: string): { lo: bigint; hi: bigint } | null {
  const c = parseCidr(text);
  return typeof c === 'string' ? null : { lo: c.lo, hi: c.hi };
}

/** The canonical text of a CIDR: its network address and prefix, as IPv4 when it lies inside ::ffff:0:0/96. */
export function formatCidr(c: Cidr): string {
  if (c.bits >= 96 && isIPv4Mapped(c.lo)) return `${bigIntToIp(c.lo)}/${c.bits - 96}`;
  return `${bigIntToIp(c.lo)}/${c.bits}`;
}
