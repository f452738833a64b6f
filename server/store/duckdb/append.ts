// Worker side: a WireBatch -> DuckDB data chunks -> the `records` appender. Runs in the store
// worker only. Numbers are written into scratch typed arrays and copied into each vector with one
// call; strings repeating over a whole chunk become constant vectors; addresses are parsed once
// per distinct text. Each row is checked first: a value its column cannot hold rejects that row
// (counted per reason), never the batch.
//
// Uses @duckdb/node-bindings (the C API under @duckdb/node-api, same pinned version) for raw
// vector access: the high-level vector classes write one value at a time through BigInt maths.
import type { DuckDBAppender } from '@duckdb/node-api';
import { DuckDBDataChunk } from '@duckdb/node-api';
import duckdb from '@duckdb/node-bindings';
import { ipToBigInt } from '../../../shared/ip.ts';
import {
  CODE_STRIDE,
  C_ACTION,
  C_FORMAT,
  C_LOG_STATUS,
  NUM_STRIDE,
  N_BYTES,
  N_DSTPORT,
  N_END,
  N_PACKETS,
  N_PROTOCOL,
  N_SRCPORT,
  N_START,
  REASON_CODES,
  SEG_STRIDE,
  STR_STRIDE,
  S_ACCOUNT,
  S_CCN,
  S_DSTADDR,
  S_DST_REGION,
  S_INTERFACE,
  S_REGION,
  S_SRCADDR,
  S_SRC_REGION,
  S_VERSION,
  type WireBatch,
} from './batch.ts';
import { addressTextHash, addressWordsHash, quintupleHash } from './qhash.ts';
import { ACTIONS, HOUR_MS, LOG_STATUSES, RECORD_COLUMNS } from './schema.ts';

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const TWO32 = 4294967296;
/** A chunk holds one segment's rows when the segment has at least this many left (constant topic/stream). */
const MIN_SEGMENT_CHUNK = 256;
/** Longest text stored inline in a duckdb_string_t. */
const INLINE_BYTES = 12;
const encoder = new TextEncoder();
const image = new Uint32Array(4);
const imageBytes = new Uint8Array(image.buffer);

/** duckdb_string_t images of short ASCII texts, 4 words each. */
function inlineImages(texts: readonly string[]): Uint32Array {
  const out = new Uint32Array(texts.length * 4);
  texts.forEach((t, i) => {
    image.fill(0);
    const { written } = encoder.encodeInto(t, imageBytes.subarray(4));
    if (written !== t.length || written > INLINE_BYTES) throw new Error(`not inlinable: ${t}`);
    image[0] = written;
    out.set(image, i * 4);
  });
  return out;
}
const ACTION_IMAGES = inlineImages(ACTIONS);
const STATUS_IMAGES = inlineImages(LOG_STATUSES);

export interface AppendResult {
  appended: number;
  /** Rejected rows per reason (`bad-srcport`...). */
  rejected: Record<string, number>;
  /** Pairs [batch row, index in REASON_CODES] of the rejected rows, in row order. */
  rejectedRows: number[];
  /** One rejected row, described, for the warning. */
  sample: string | null;
  /** Newest window per (topic, stream) of the appended rows. */
  streams: Array<[topic: string, stream: string, windowStart: number]>;
  /** Every (topic, hour) the appended rows fall in. */
  hours: Array<[topic: string, hourStart: number]>;
}

// Column positions in the appender (schema.ts RECORD_COLUMNS order).
const col = (name: (typeof RECORD_COLUMNS)[number]) => RECORD_COLUMNS.indexOf(name);
const TEXT_COLUMNS: Array<[column: number, field: number]> = [
  [col('version'), S_VERSION],
  [col('account_id'), S_ACCOUNT],
  [col('interface_id'), S_INTERFACE],
  [col('srcaddr'), S_SRCADDR],
  [col('dstaddr'), S_DSTADDR],
  [col('ccn_id'), S_CCN],
  [col('src_region'), S_SRC_REGION],
  [col('dst_region'), S_DST_REGION],
  [col('region_id'), S_REGION],
];
const INT32_COLUMNS: Array<[column: number, field: number]> = [
  [col('srcport'), N_SRCPORT],
  [col('dstport'), N_DSTPORT],
  [col('protocol'), N_PROTOCOL],
];
const INT64_COLUMNS: Array<[column: number, field: number]> = [
  [col('packets'), N_PACKETS],
  [col('bytes'), N_BYTES],
  [col('start_s'), N_START],
  [col('end_s'), N_END],
];
const ENUM_COLUMNS: Array<[column: number, field: number]> = [[col('format'), C_FORMAT]];
/** Enum codes written as text (VARCHAR columns: dictionary-compressed, cheap to filter). */
const CODED_TEXT: Array<[column: number, field: number, values: readonly string[]]> = [
  [col('action'), C_ACTION, ACTIONS],
  [col('log_status'), C_LOG_STATUS, LOG_STATUSES],
];
const REASONS = ['bad-srcport', 'bad-dstport', 'bad-protocol'];
const REASONS64 = ['bad-packets', 'bad-bytes', 'bad-start', 'bad-end'];

export function createRecordWriter(appender: DuckDBAppender) {
  const V = duckdb.vector_size();
  const types = RECORD_COLUMNS.map((_, i) => appender.columnType(i));
  const chunk = DuckDBDataChunk.create(types);
  const raw = chunk.chunk;
  const i64 = new Int32Array(V * 2);
  const i32 = new Int32Array(V);
  const u128 = new Uint32Array(V * 4);
  const u8 = new Uint8Array(V);
  const strings = new Uint32Array(V * 4);
  const u32 = new Uint32Array(V);
  const valid = new Uint32Array(Math.ceil(V / 64) * 2);
  const longRows = new Uint32Array(V);
  const validBytes = (n: number) => Math.ceil(n / 64) * 8;

  /** Marks row i invalid in `valid` (which starts all valid). */
  const clearBit = (i: number) => {
    valid[i >>> 5]! &= ~(1 << (i & 31));
  };

  function vector(c: number) {
    return duckdb.data_chunk_get_vector(raw, c);
  }

  function flushValidity(vec: duckdb.Vector, n: number): void {
    duckdb.vector_ensure_validity_writable(vec);
    duckdb.copy_data_to_vector_validity(vec, 0, valid.buffer, 0, validBytes(n));
  }

  function allNull(vec: duckdb.Vector, n: number): void {
    valid.fill(0);
    flushValidity(vec, n);
  }

  /**
   * Appends the batch's valid rows with seq firstSeq, firstSeq + 1...; the caller runs it inside
   * a transaction and flushes the appender.
   */
  function append(b: WireBatch, firstSeq: number): AppendResult {
    const { rows, num, str, codes, dict, segments } = b;
    const rejected: Record<string, number> = {};
    const rejectedRows: number[] = [];
    let sample: string | null = null;

    // 1. Check rows, place them in their window, and note their segment.
    const keep = new Uint32Array(rows);
    const segOf = new Uint32Array(rows);
    const windowOf = new Float64Array(rows);
    let kept = 0;
    const nSeg = segments.length / SEG_STRIDE;
    let seg = 0;
    let segEnd = nSeg > 1 ? segments[SEG_STRIDE]! : rows;
    for (let r = 0; r < rows; r++) {
      while (r >= segEnd) {
        seg++;
        segEnd = seg + 1 < nSeg ? segments[(seg + 1) * SEG_STRIDE]! : rows;
      }
      const o = r * NUM_STRIDE;
      let reason: string | null = null;
      for (let k = 0; k < 3; k++) {
        const v = num[o + k]!;
        if (v === v && !(Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX)) {
          reason = REASONS[k]!;
          break;
        }
      }
      if (reason === null) {
        for (let k = 0; k < 4; k++) {
          const v = num[o + 3 + k]!;
          if (v === v && !Number.isSafeInteger(v)) {
            reason = REASONS64[k]!;
            break;
          }
        }
      }
      const start = num[o + N_START]!;
      // The capture window that holds `start` (shared/capture-window.ts windowStartOf).
      const windowMs = segments[seg * SEG_STRIDE + 4]!;
      const w =
        start === start
          ? Math.floor((start * 1000) / windowMs) * windowMs
          : segments[seg * SEG_STRIDE + 3]!;
      if (reason === null && !Number.isSafeInteger(w)) reason = 'bad-start';
      if (reason !== null) {
        rejected[reason] = (rejected[reason] ?? 0) + 1;
        rejectedRows.push(r, REASON_CODES.indexOf(reason));
        sample ??= describe(b, r, seg, reason);
        continue;
      }
      keep[kept] = r;
      segOf[kept] = seg;
      windowOf[kept] = w;
      kept++;
    }

    // 2. Addresses: parse each distinct text once. 0 = not yet, 1 = address, 2 = not an address.
    const ipState = new Uint8Array(dict.length);
    const ipWords = new Uint32Array(dict.length * 4);
    const ipOf = (code: number): boolean => {
      const s = ipState[code]!;
      if (s !== 0) return s === 1;
      const n = ipToBigInt(dict[code]!);
      if (n === null) {
        ipState[code] = 2;
        return false;
      }
      ipWords[code * 4] = Number(n & 0xffffffffn);
      ipWords[code * 4 + 1] = Number((n >> 32n) & 0xffffffffn);
      ipWords[code * 4 + 2] = Number((n >> 64n) & 0xffffffffn);
      ipWords[code * 4 + 3] = Number((n >> 96n) & 0xffffffffn);
      ipState[code] = 1;
      return true;
    };

    // Strings: the 16-byte duckdb_string_t of each distinct text of at most 12 UTF-8 bytes
    // ({ uint32 length; char inlined[12] }, zero-padded, as in duckdb.h) is written straight into
    // the vector; longer ones go through the API. 0 = not yet, 1 = inlined, 2 = long.
    const textState = new Uint8Array(dict.length);
    const textImage = new Uint32Array(dict.length * 4);
    const inlined = (code: number): boolean => {
      const s = textState[code]!;
      if (s !== 0) return s === 1;
      const text = dict[code]!;
      if (text.length > INLINE_BYTES) {
        textState[code] = 2;
        return false;
      }
      image.fill(0);
      const { read, written } = encoder.encodeInto(text, imageBytes.subarray(4));
      if (read < text.length || written > INLINE_BYTES) {
        textState[code] = 2;
        return false;
      }
      image[0] = written;
      textImage.set(image, code * 4);
      textState[code] = 1;
      return true;
    };
    /** Writes the texts of `codeAt(0..n-1)` (0 = null) into vec. */
    const writeText = (vec: duckdb.Vector, n: number, codeAt: (i: number) => number): void => {
      valid.fill(0xffffffff);
      let nulls = false;
      let long = 0;
      for (let i = 0; i < n; i++) {
        const code = codeAt(i);
        const o = 4 * i;
        if (code !== 0 && inlined(code)) {
          const t = code * 4;
          strings[o] = textImage[t]!;
          strings[o + 1] = textImage[t + 1]!;
          strings[o + 2] = textImage[t + 2]!;
          strings[o + 3] = textImage[t + 3]!;
        } else {
          strings[o] = 0;
          strings[o + 1] = 0;
          strings[o + 2] = 0;
          strings[o + 3] = 0;
          if (code === 0) {
            clearBit(i);
            nulls = true;
          } else longRows[long++] = i;
        }
      }
      duckdb.copy_data_to_vector(vec, 0, strings.buffer, 0, n * 16);
      for (let j = 0; j < long; j++) {
        const i = longRows[j]!;
        duckdb.vector_assign_string_element(vec, i, dict[codeAt(i)]!);
      }
      if (nulls) flushValidity(vec, n);
    };

    /** qhash.ts hash of each distinct address text; -1 = not yet. */
    const addrHash = new Float64Array(dict.length).fill(-1);
    const hashOf = (code: number): number => {
      if (code === 0) return 0;
      let h = addrHash[code]!;
      if (h < 0) {
        h = ipOf(code)
          ? addressWordsHash(
              ipWords[code * 4]!,
              ipWords[code * 4 + 1]!,
              ipWords[code * 4 + 2]!,
              ipWords[code * 4 + 3]!,
            )
          : addressTextHash(dict[code]!);
        addrHash[code] = h;
      }
      return h;
    };

    const extras = new Map<number, string>(b.extras);
    const streamMax = new Map<number, number>();
    let seq = firstSeq;

    // 3. Chunks of at most V rows; a chunk holds one segment when it can.
    let k0 = 0;
    while (k0 < kept) {
      const s0 = segOf[k0]!;
      let m = 1;
      while (k0 + m < kept && m < V && segOf[k0 + m] === s0) m++;
      let n = m;
      if (m < MIN_SEGMENT_CHUNK && m < V) {
        n = Math.min(V, kept - k0);
      }
      const single = n === m;
      duckdb.data_chunk_reset(raw);
      duckdb.data_chunk_set_size(raw, n);

      // topic, stream
      for (let t = 0; t < 2; t++) {
        const vec = vector(t);
        if (single) {
          duckdb.vector_reference_value(
            vec,
            duckdb.create_varchar(dict[segments[s0 * SEG_STRIDE + 1 + t]!]!),
          );
        } else {
          writeText(vec, n, (i) => segments[segOf[k0 + i]! * SEG_STRIDE + 1 + t]!);
        }
      }

      // window_start, seq; the newest window per segment
      for (let i = 0; i < n; i++) {
        const w = windowOf[k0 + i]!;
        const hi = Math.floor(w / TWO32);
        i64[2 * i] = w - hi * TWO32;
        i64[2 * i + 1] = hi;
        const sg = segOf[k0 + i]!;
        const prev = streamMax.get(sg);
        if (prev === undefined || w > prev) streamMax.set(sg, w);
      }
      duckdb.copy_data_to_vector(vector(col('window_start')), 0, i64.buffer, 0, n * 8);
      for (let i = 0; i < n; i++) {
        const q = seq + i;
        const hi = Math.floor(q / TWO32);
        i64[2 * i] = q - hi * TWO32;
        i64[2 * i + 1] = hi;
      }
      seq += n;
      duckdb.copy_data_to_vector(vector(col('seq')), 0, i64.buffer, 0, n * 8);

      // text columns: a constant vector when one value (or null) fills the chunk
      for (const [c, f] of TEXT_COLUMNS) {
        const vec = vector(c);
        const first = str[keep[k0]! * STR_STRIDE + f]!;
        let same = true;
        for (let i = 1; i < n; i++) {
          if (str[keep[k0 + i]! * STR_STRIDE + f] !== first) {
            same = false;
            break;
          }
        }
        if (same) {
          if (first === 0) allNull(vec, n);
          else duckdb.vector_reference_value(vec, duckdb.create_varchar(dict[first]!));
          continue;
        }
        writeText(vec, n, (i) => str[keep[k0 + i]! * STR_STRIDE + f]!);
      }

      // src_ip, dst_ip: UHUGEINT, little-endian 32-bit words
      for (const [c, f] of [
        [col('src_ip'), S_SRCADDR],
        [col('dst_ip'), S_DSTADDR],
      ] as const) {
        valid.fill(0xffffffff);
        let nulls = false;
        for (let i = 0; i < n; i++) {
          const code = str[keep[k0 + i]! * STR_STRIDE + f]!;
          if (code !== 0 && ipOf(code)) {
            u128[4 * i] = ipWords[code * 4]!;
            u128[4 * i + 1] = ipWords[code * 4 + 1]!;
            u128[4 * i + 2] = ipWords[code * 4 + 2]!;
            u128[4 * i + 3] = ipWords[code * 4 + 3]!;
          } else {
            clearBit(i);
            nulls = true;
          }
        }
        const vec = vector(c);
        duckdb.copy_data_to_vector(vec, 0, u128.buffer, 0, n * 16);
        if (nulls) flushValidity(vec, n);
      }

      for (const [c, f] of INT32_COLUMNS) {
        valid.fill(0xffffffff);
        let nulls = false;
        for (let i = 0; i < n; i++) {
          const v = num[keep[k0 + i]! * NUM_STRIDE + f]!;
          if (v === v) i32[i] = v;
          else {
            i32[i] = 0;
            clearBit(i);
            nulls = true;
          }
        }
        const vec = vector(c);
        duckdb.copy_data_to_vector(vec, 0, i32.buffer, 0, n * 4);
        if (nulls) flushValidity(vec, n);
      }

      for (const [c, f] of INT64_COLUMNS) {
        valid.fill(0xffffffff);
        let nulls = false;
        for (let i = 0; i < n; i++) {
          const v = num[keep[k0 + i]! * NUM_STRIDE + f]!;
          if (v === v) {
            const hi = Math.floor(v / TWO32);
            i64[2 * i] = v - hi * TWO32;
            i64[2 * i + 1] = hi;
          } else {
            i64[2 * i] = 0;
            i64[2 * i + 1] = 0;
            clearBit(i);
            nulls = true;
          }
        }
        const vec = vector(c);
        duckdb.copy_data_to_vector(vec, 0, i64.buffer, 0, n * 8);
        if (nulls) flushValidity(vec, n);
      }

      for (const [c, f, values] of CODED_TEXT) {
        const vec = vector(c);
        const first = codes[keep[k0]! * CODE_STRIDE + f]!;
        let same = true;
        for (let i = 1; i < n; i++) {
          if (codes[keep[k0 + i]! * CODE_STRIDE + f] !== first) {
            same = false;
            break;
          }
        }
        if (same) {
          if (first === 0) allNull(vec, n);
          else duckdb.vector_reference_value(vec, duckdb.create_varchar(values[first - 1]!));
          continue;
        }
        valid.fill(0xffffffff);
        let nulls = false;
        for (let i = 0; i < n; i++) {
          const v = codes[keep[k0 + i]! * CODE_STRIDE + f]!;
          const o = 4 * i;
          if (v === 0) {
            strings[o] = 0;
            strings[o + 1] = 0;
            strings[o + 2] = 0;
            strings[o + 3] = 0;
            clearBit(i);
            nulls = true;
          } else {
            const t = (v - 1) * 4;
            const img = f === C_ACTION ? ACTION_IMAGES : STATUS_IMAGES;
            strings[o] = img[t]!;
            strings[o + 1] = img[t + 1]!;
            strings[o + 2] = img[t + 2]!;
            strings[o + 3] = img[t + 3]!;
          }
        }
        duckdb.copy_data_to_vector(vec, 0, strings.buffer, 0, n * 16);
        if (nulls) flushValidity(vec, n);
      }

      for (const [c, f] of ENUM_COLUMNS) {
        valid.fill(0xffffffff);
        let nulls = false;
        for (let i = 0; i < n; i++) {
          const v = codes[keep[k0 + i]! * CODE_STRIDE + f]!;
          if (v === 0) {
            u8[i] = 0;
            clearBit(i);
            nulls = true;
          } else u8[i] = v - 1;
        }
        const vec = vector(c);
        duckdb.copy_data_to_vector(vec, 0, u8.buffer, 0, n);
        if (nulls) flushValidity(vec, n);
      }

      // extra: JSON text of the few rows that have extra fields
      {
        const vec = vector(col('extra'));
        let any = false;
        if (extras.size > 0) {
          valid.fill(0xffffffff);
          for (let i = 0; i < n; i++) {
            const x = extras.get(keep[k0 + i]!);
            if (x === undefined) clearBit(i);
            else {
              duckdb.vector_assign_string_element(vec, i, x);
              any = true;
            }
          }
        }
        if (any) flushValidity(vec, n);
        else allNull(vec, n);
      }

      // qhash of the quintuple (null fields as in qhash.ts)
      for (let i = 0; i < n; i++) {
        const r = keep[k0 + i]!;
        const o = r * NUM_STRIDE;
        const sp = num[o + N_SRCPORT]!;
        const dp = num[o + N_DSTPORT]!;
        const pr = num[o + N_PROTOCOL]!;
        u32[i] = quintupleHash(
          hashOf(str[r * STR_STRIDE + S_SRCADDR]!),
          sp === sp ? sp : -1,
          hashOf(str[r * STR_STRIDE + S_DSTADDR]!),
          dp === dp ? dp : -1,
          pr === pr ? pr : -1,
        );
      }
      duckdb.copy_data_to_vector(vector(col('qhash')), 0, u32.buffer, 0, n * 4);

      appender.appendDataChunk(chunk);
      k0 += n;
    }

    // Hours touched, per topic (a segment's rows are mostly one window: compare with the last).
    const hours = new Set<string>();
    let lastSeg = -1;
    let lastHour = NaN;
    for (let k = 0; k < kept; k++) {
      const sg = segOf[k]!;
      const h = Math.floor(windowOf[k]! / HOUR_MS) * HOUR_MS;
      if (sg === lastSeg && h === lastHour) continue;
      lastSeg = sg;
      lastHour = h;
      hours.add(`${dict[segments[sg * SEG_STRIDE + 1]!]!}\u0000${h}`);
    }

    const streams: AppendResult['streams'] = [];
    const bySegment = new Map<string, [string, string, number]>();
    for (const [sg, w] of streamMax) {
      const topic = dict[segments[sg * SEG_STRIDE + 1]!]!;
      const stream = dict[segments[sg * SEG_STRIDE + 2]!]!;
      const key = `${topic}\u0000${stream}`;
      const e = bySegment.get(key);
      if (e === undefined) bySegment.set(key, [topic, stream, w]);
      else if (w > e[2]) e[2] = w;
    }
    for (const e of bySegment.values()) streams.push(e);
    return {
      appended: kept,
      rejected,
      rejectedRows,
      sample,
      streams,
      hours: Array.from(hours, (k) => {
        const i = k.indexOf('\u0000');
        return [k.slice(0, i), Number(k.slice(i + 1))] as [string, number];
      }),
    };
  }

  return { append };
}

function describe(b: WireBatch, r: number, seg: number, reason: string): string {
  const o = r * NUM_STRIDE;
  const s = r * STR_STRIDE;
  const text = (f: number) => (b.str[s + f] === 0 ? '-' : b.dict[b.str[s + f]!]);
  const n = (f: number) => {
    const v = b.num[o + f]!;
    return v === v ? String(v) : '-';
  };
  const topic = b.dict[b.segments[seg * SEG_STRIDE + 1]!];
  const stream = b.dict[b.segments[seg * SEG_STRIDE + 2]!];
  return (
    `${reason}: ${topic}/${stream} ${text(S_SRCADDR)}:${n(N_SRCPORT)} -> ${text(S_DSTADDR)}:${n(N_DSTPORT)} ` +
    `proto ${n(N_PROTOCOL)} packets ${n(N_PACKETS)} bytes ${n(N_BYTES)} start ${n(N_START)} end ${n(N_END)}`
  );
}
