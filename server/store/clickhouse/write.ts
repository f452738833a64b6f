// Records to a TabSeparated body for `INSERT INTO records FORMAT TabSeparated`: one line per
// record in schema.ts's column order. TSV, because 18.16 has no JSONCompactEachRow and TSV inserts
// run about three times faster than JSONEachRow here (`npm run bench clickhouse`).
import { windowStartOf } from '../../../shared/capture-window.ts';
import { ipToBigInt } from '../../../shared/ip.ts';
import type { FlowRecord } from '../../../shared/record.ts';
import type { StreamRecords } from '../types.ts';
import { tsvField } from './schema.ts';

const LOW = (1n << 64n) - 1n;

/** The address's two UInt64 halves as TSV fields, or two NULLs for a missing or non-IP text. */
function addressFields(text: string | null): string {
  const n = text === null ? null : ipToBigInt(text);
  return n === null ? '\\N\t\\N' : `${n >> 64n}\t${n & LOW}`;
}

function line(
  topicId: string,
  streamId: string,
  windowStart: number,
  seq: number,
  r: FlowRecord,
): string {
  return [
    tsvField(topicId),
    tsvField(streamId),
    String(windowStart),
    String(seq),
    tsvField(r.format),
    tsvField(r.version),
    tsvField(r.accountId),
    tsvField(r.interfaceId),
    tsvField(r.srcaddr),
    tsvField(r.dstaddr),
    addressFields(r.srcaddr),
    addressFields(r.dstaddr),
    tsvField(r.srcport),
    tsvField(r.dstport),
    tsvField(r.protocol),
    tsvField(r.packets),
    tsvField(r.bytes),
    tsvField(r.start),
    tsvField(r.end),
    tsvField(r.action),
    tsvField(r.logStatus),
    tsvField(r.ccnId),
    tsvField(r.srcRegion),
    tsvField(r.dstRegion),
    tsvField(r.regionId),
    tsvField(r.extra === null ? null : JSON.stringify(r.extra)),
  ].join('\t');
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const isInt32 = (v: number) => Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX;

/**
 * Why a record cannot be stored (a value its column cannot hold), or null: the same codes as the
 * DuckDB store (`bad-srcport`, `bad-bytes`...), checked before the insert so that one bad record
 * is refused alone instead of failing the batch.
 */
export function refusal(r: FlowRecord, windowStart: number): string | null {
  for (const [v, reason] of [
    [r.srcport, 'bad-srcport'],
    [r.dstport, 'bad-dstport'],
    [r.protocol, 'bad-protocol'],
  ] as const)
    if (v !== null && !isInt32(v)) return reason;
  for (const [v, reason] of [
    [r.packets, 'bad-packets'],
    [r.bytes, 'bad-bytes'],
    [r.start, 'bad-start'],
    [r.end, 'bad-end'],
  ] as const)
    if (v !== null && !Number.isSafeInteger(v)) return reason;
  return Number.isSafeInteger(windowStart) ? null : 'bad-start';
}

export interface TsvBatch {
  body: string;
  /** Records in the body, numbered from firstSeq. */
  rows: number;
  /** [stream index, record index, reason] of the records refused (see refusal). */
  rejected: Array<[stream: number, index: number, reason: string]>;
}

/**
 * The records of `streams` as one TSV body, numbered from `firstSeq` in order. A record without
 * a start time goes to the window of `storedAt` (epoch ms), as in the DuckDB store.
 */
export function recordsTsv(
  streams: readonly StreamRecords[],
  firstSeq: number,
  storedAt: number,
): TsvBatch {
  const lines: string[] = [];
  const rejected: TsvBatch['rejected'] = [];
  let seq = firstSeq;
  streams.forEach((s, si) => {
    const fallback = Math.floor(storedAt / s.windowMs) * s.windowMs;
    s.records.forEach((r, ri) => {
      const w = r.start === null ? fallback : windowStartOf(r.start, s.windowMs);
      const reason = refusal(r, w);
      if (reason !== null) rejected.push([si, ri, reason]);
      else lines.push(line(s.topicId, s.streamId, w, seq++, r));
    });
  });
  return {
    body: lines.length > 0 ? lines.join('\n') + '\n' : '',
    rows: lines.length,
    rejected,
  };
}

/** Rows of plain values as a TSV body (empty for no rows). */
export function tsvLines(
  rows: ReadonlyArray<ReadonlyArray<string | number | bigint | null>>,
): string {
  return rows.length === 0 ? '' : rows.map((r) => r.map(tsvField).join('\t')).join('\n') + '\n';
}
