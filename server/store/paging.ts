// What every backend checks and pages alike: the read arguments (range, step, top N), the sort
// fields' values (NULL sorts as the smallest), and the opaque cursor a page hands to the next.
import type { SortField } from '../../shared/api.ts';
import { MIN_WINDOW_MS } from '../../shared/capture-window.ts';
import type { StoredRecord } from './types.ts';

/** A caller error (bad query arguments), as opposed to a database failure. */
export class StoreQueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreQueryError';
  }
}

export function checkRange(fromMs: number, toMs: number): void {
  if (!Number.isSafeInteger(fromMs) || !Number.isSafeInteger(toMs)) {
    throw new StoreQueryError('fromMs and toMs must be integers (epoch ms)');
  }
}

export function checkStep(stepMs: number): void {
  if (!Number.isSafeInteger(stepMs) || stepMs <= 0 || stepMs % MIN_WINDOW_MS !== 0) {
    throw new StoreQueryError(`stepMs must be a positive multiple of ${MIN_WINDOW_MS}`);
  }
}

export function checkTopN(topN: number): void {
  if (!Number.isSafeInteger(topN) || topN < 1 || topN > 1000) {
    throw new StoreQueryError('topN must be an integer in [1, 1000]');
  }
}

/** A sources' ports query's bounds. */
export function checkSourcePorts(minPorts: number, limit: number): void {
  if (!Number.isSafeInteger(minPorts) || minPorts < 1 || minPorts > 65_536)
    throw new StoreQueryError('minPorts must be an integer in [1, 65536]');
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > 100_000)
    throw new StoreQueryError('limit must be an integer in [1, 100000]');
}

/** The sort value of a NULL (a record without that field): below every real value. */
export const NULL_KEY = -9007199254740991;

export function sortValue(r: StoredRecord, field: SortField): number {
  const v: Record<SortField, number | null> = {
    window: r.windowStart,
    seq: r.seq,
    bytes: r.bytes,
    packets: r.packets,
    start: r.start,
    end: r.end,
    srcport: r.srcport,
    dstport: r.dstport,
    protocol: r.protocol,
  };
  return v[field] ?? NULL_KEY;
}

/** Opaque cursor: base64url of [order field, direction, sort value, seq] of the last row. */
export function encodeCursor(
  field: SortField,
  dir: 'asc' | 'desc',
  key: number,
  seq: number,
): string {
  return Buffer.from(JSON.stringify([field, dir, key, seq])).toString('base64url');
}

export function decodeCursor(
  cursor: string,
  field: SortField,
  dir: 'asc' | 'desc',
): { key: number; seq: number } {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new StoreQueryError('bad cursor');
  }
  if (
    !Array.isArray(v) ||
    v.length !== 4 ||
    v[0] !== field ||
    v[1] !== dir ||
    !Number.isSafeInteger(v[2]) ||
    !Number.isSafeInteger(v[3])
  ) {
    throw new StoreQueryError('bad cursor (or one from a query with another order)');
  }
  return { key: v[2] as number, seq: v[3] as number };
}
