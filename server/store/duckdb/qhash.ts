// records.qhash: a 32-bit hash of a record's quintuple, stored so that "every record of these
// quintuples" can be found by scanning one integer column (the exact top-N check, queries.ts)
// instead of five. Only a filter: a match is always confirmed on the full key. Computed in JS by
// the worker when appending and by the reads for candidate keys; never by SQL.
import { ipToBigInt } from '../../../shared/ip.ts';

/** murmur3's finalizer: a 32-bit value to a well-mixed unsigned 32-bit value. */
export function fmix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** An address given as its 128-bit value in four little-endian 32-bit words. */
export function addressWordsHash(w0: number, w1: number, w2: number, w3: number): number {
  return fmix32(
    w0 ^ Math.imul(w1, 0x9e3779b1) ^ Math.imul(w2, 0x7feb352d) ^ Math.imul(w3, 0x846ca68b),
  );
}

/** A text that is not an address (FNV-1a over UTF-16 code units). */
export function addressTextHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h ^ 0x5bd1e995);
}

/** Hash of an address text: by value when it is an address (as stored in src_ip), else by text; null -> 0. */
export function addressHash(text: string | null): number {
  if (text === null) return 0;
  const n = ipToBigInt(text);
  if (n === null) return addressTextHash(text);
  return addressWordsHash(
    Number(n & 0xffffffffn),
    Number((n >> 32n) & 0xffffffffn),
    Number((n >> 64n) & 0xffffffffn),
    Number((n >> 96n) & 0xffffffffn),
  );
}

/** The quintuple hash from the two address hashes; a null port or protocol is -1. */
export function quintupleHash(
  src: number,
  srcport: number,
  dst: number,
  dstport: number,
  protocol: number,
): number {
  return fmix32(
    (src +
      Math.imul(dst, 3) +
      Math.imul(srcport + 1, 0x27d4eb2f) +
      Math.imul(dstport + 1, 0x165667b1) +
      Math.imul(protocol + 1, 0x9e3779b1)) |
      0,
  );
}
