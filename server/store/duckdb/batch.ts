// The columnar batch the main thread fills (a few stores per record, no allocation per record) and
// sends to the store worker. Numbers travel as one Float64Array (NaN = null), enums as bytes, and
// every string as a code into the batch's dictionary: addresses, stream ids and regions repeat a
// lot, so the dictionary stays small and postMessage copies only its distinct strings.
import type { FlowRecord } from '../../../shared/record.ts';

/** Numeric columns of `num`, per row. */
export const NUM_STRIDE = 7;
export const N_SRCPORT = 0;
export const N_DSTPORT = 1;
export const N_PROTOCOL = 2;
export const N_PACKETS = 3;
export const N_BYTES = 4;
export const N_START = 5;
export const N_END = 6;

/** String columns of `str`, per row: a dictionary code, 0 = null. */
export const STR_STRIDE = 9;
export const S_VERSION = 0;
export const S_ACCOUNT = 1;
export const S_INTERFACE = 2;
export const S_SRCADDR = 3;
export const S_DSTADDR = 4;
export const S_CCN = 5;
export const S_SRC_REGION = 6;
export const S_DST_REGION = 7;
export const S_REGION = 8;

/** Enum columns of `codes`, per row: 0 = null, else 1 + index in schema.ts ACTIONS / LOG_STATUSES / FORMATS. */
export const CODE_STRIDE = 3;
export const C_ACTION = 0;
export const C_LOG_STATUS = 1;
export const C_FORMAT = 2;

/**
 * A segment is the rows of one appendRecords call:
 * [firstRow, topicCode, streamCode, fallbackWindowStart, windowMs].
 */
export const SEG_STRIDE = 5;

/** Every reason the worker refuses a row for (a value its column cannot hold), by code. */
export const REASON_CODES: readonly string[] = [
  'bad-srcport',
  'bad-dstport',
  'bad-protocol',
  'bad-packets',
  'bad-bytes',
  'bad-start',
  'bad-end',
];

export interface WireBatch {
  rows: number;
  num: Float64Array;
  str: Uint32Array;
  codes: Uint8Array;
  /** dict[code]; dict[0] is a placeholder for null. */
  dict: string[];
  segments: number[];
  /** Rows with extra fields: [row, JSON text]. */
  extras: Array<[number, string]>;
}

const INITIAL_ROWS = 1024;

/**
 * `maxRows` is the size a batch is usually sent at; one add() may take it further (a write unit
 * is never split between two batches, so that it is committed in one transaction).
 */
export function createBatchBuilder(maxRows: number) {
  let cap = Math.min(INITIAL_ROWS, maxRows);
  let rows = 0;
  let num = new Float64Array(cap * NUM_STRIDE);
  let str = new Uint32Array(cap * STR_STRIDE);
  let codes = new Uint8Array(cap * CODE_STRIDE);
  let dict: string[] = [''];
  let index = new Map<string, number>();
  let segments: number[] = [];
  let extras: Array<[number, string]> = [];
  // The last string seen per column and its code: most columns repeat from row to row.
  const lastText: Array<string | null> = new Array<string | null>(STR_STRIDE).fill(null);
  const lastCode = new Uint32Array(STR_STRIDE);

  function intern(v: string): number {
    let k = index.get(v);
    if (k === undefined) {
      k = dict.length;
      index.set(v, k);
      dict.push(v);
    }
    return k;
  }

  function code(col: number, v: string | null): number {
    if (v === null) return 0;
    if (v === lastText[col]) return lastCode[col]!;
    const k = intern(v);
    lastText[col] = v;
    lastCode[col] = k;
    return k;
  }

  function grow(need: number): void {
    let next = cap;
    while (next < need) next *= 2;
    next = Math.min(next, Math.max(maxRows, need));
    const n2 = new Float64Array(next * NUM_STRIDE);
    n2.set(num.subarray(0, rows * NUM_STRIDE));
    const s2 = new Uint32Array(next * STR_STRIDE);
    s2.set(str.subarray(0, rows * STR_STRIDE));
    const c2 = new Uint8Array(next * CODE_STRIDE);
    c2.set(codes.subarray(0, rows * CODE_STRIDE));
    num = n2;
    str = s2;
    codes = c2;
    cap = next;
  }

  return {
    get rows() {
      return rows;
    },
    /** Copies records[from, to) as one segment. */
    add(
      topicId: string,
      streamId: string,
      records: readonly FlowRecord[],
      from: number,
      to: number,
      fallbackWindowStart: number,
      windowMs: number,
    ): void {
      if (rows + (to - from) > cap) grow(rows + (to - from));
      segments.push(rows, intern(topicId), intern(streamId), fallbackWindowStart, windowMs);
      let o = rows * NUM_STRIDE;
      let s = rows * STR_STRIDE;
      let c = rows * CODE_STRIDE;
      for (let i = from; i < to; i++) {
        const r = records[i]!;
        num[o] = r.srcport ?? NaN;
        num[o + 1] = r.dstport ?? NaN;
        num[o + 2] = r.protocol ?? NaN;
        num[o + 3] = r.packets ?? NaN;
        num[o + 4] = r.bytes ?? NaN;
        num[o + 5] = r.start ?? NaN;
        num[o + 6] = r.end ?? NaN;
        str[s] = code(0, r.version);
        str[s + 1] = code(1, r.accountId);
        str[s + 2] = code(2, r.interfaceId);
        str[s + 3] = code(3, r.srcaddr);
        str[s + 4] = code(4, r.dstaddr);
        str[s + 5] = code(5, r.ccnId);
        str[s + 6] = code(6, r.srcRegion);
        str[s + 7] = code(7, r.dstRegion);
        str[s + 8] = code(8, r.regionId);
        const a = r.action;
        codes[c] = a === 'ACCEPT' ? 1 : a === 'REJECT' ? 2 : 0;
        const ls = r.logStatus;
        codes[c + 1] = ls === 'OK' ? 1 : ls === 'NODATA' ? 2 : ls === 'SKIPDATA' ? 3 : 0;
        const f = r.format;
        codes[c + 2] = f === 'eni' ? 1 : f === 'ccn' ? 2 : 3;
        if (r.extra !== null) extras.push([rows + i - from, JSON.stringify(r.extra)]);
        o += NUM_STRIDE;
        s += STR_STRIDE;
        c += CODE_STRIDE;
      }
      rows += to - from;
    },

    /** The batch so far (null when empty); the builder starts a new one sized like it. */
    take(): WireBatch | null {
      if (rows === 0) return null;
      const batch: WireBatch = { rows, num, str, codes, dict, segments, extras };
      cap = Math.min(Math.max(INITIAL_ROWS, 1 << Math.ceil(Math.log2(rows))), maxRows);
      cap = Math.max(cap, Math.min(INITIAL_ROWS, maxRows));
      rows = 0;
      num = new Float64Array(cap * NUM_STRIDE);
      str = new Uint32Array(cap * STR_STRIDE);
      codes = new Uint8Array(cap * CODE_STRIDE);
      dict = [''];
      index = new Map();
      segments = [];
      extras = [];
      lastText.fill(null);
      return batch;
    },
  };
}

export type BatchBuilder = ReturnType<typeof createBatchBuilder>;

/** The buffers postMessage can transfer instead of copying. */
export function transferablesOf(b: WireBatch): ArrayBuffer[] {
  return [b.num.buffer as ArrayBuffer, b.str.buffer as ArrayBuffer, b.codes.buffer as ArrayBuffer];
}
