// Character-scanning validators over a slice [start, end) of a line: no regex, no allocation.

/** Sentinels of scanUint: the token is `-`, or it is not a non-negative safe integer. */
export const DASH = -1;
export const INVALID = -2;

/** The value of an all-digit token (leading zeros allowed) up to MAX_SAFE_INTEGER, DASH for `-`, else INVALID. */
export function scanUint(s: string, start: number, end: number): number {
  const len = end - start;
  if (len <= 0 || len > 16) return INVALID;
  let v = s.charCodeAt(start) - 48;
  if (v < 0 || v > 9) return len === 1 && v === -3 ? DASH : INVALID; // '-' is 45 = 48 - 3
  for (let i = start + 1; i < end; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return INVALID;
    v = v * 10 + d;
  }
  return v <= Number.MAX_SAFE_INTEGER ? v : INVALID;
}

export function isDash(s: string, start: number, end: number): boolean {
  return end - start === 1 && s.charCodeAt(start) === 45;
}

/** Dotted-quad IPv4: four decimal octets 0-255 without leading zeros. */
export function isIPv4(s: string, start: number, end: number): boolean {
  let dots = 0;
  let digits = 0;
  let octet = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return false;
      dots++;
      digits = 0;
      octet = 0;
    } else {
      const d = c - 48;
      if (d < 0 || d > 9 || (digits > 0 && octet === 0)) return false;
      octet = octet * 10 + d;
      if (octet > 255) return false;
      digits++;
    }
  }
  return dots === 3 && digits > 0;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 102);
}

/** IPv6 text form: eight groups of 1-4 hex digits, one `::` allowed, a trailing IPv4 allowed. No zone id. */
export function isIPv6(s: string, start: number, end: number): boolean {
  const len = end - start;
  if (len < 2 || len > 45) return false;
  let i = start;
  let groups = 0;
  let compressed = false;
  if (s.charCodeAt(i) === 58) {
    if (s.charCodeAt(i + 1) !== 58) return false;
    compressed = true;
    i += 2;
  }
  while (i < end) {
    const groupStart = i;
    while (i < end && isHex(s.charCodeAt(i))) i++;
    if (i < end && s.charCodeAt(i) === 46) {
      // An embedded IPv4 ends the address and counts as two groups.
      if (groups > 6 || !isIPv4(s, groupStart, end)) return false;
      groups += 2;
      break;
    }
    const n = i - groupStart;
    if (n === 0 || n > 4) return false;
    groups++;
    if (i === end) break;
    if (s.charCodeAt(i) !== 58) return false;
    i++;
    if (i === end) return false; // a single trailing ':'
    if (s.charCodeAt(i) === 58) {
      if (compressed) return false;
      compressed = true;
      i++;
    }
  }
  return compressed ? groups <= 7 : groups === 8;
}

export function isIpAddress(s: string, start: number, end: number): boolean {
  return isIPv4(s, start, end) || isIPv6(s, start, end);
}
