// The flow-log line parser, the ingest hot path: one line in, one record, header, blank or error out.
// A line is cut into token offsets (native indexOf, no split), each token is validated by a charCodeAt
// scan (no regex) and sliced only when kept; eni and ccn have straight-line field code.
import type { FieldType, RecordKey } from '../fields.ts';
import { FIELDS } from '../fields.ts';
import type { Action, FlowRecord, LogStatus } from '../record.ts';
import { CCN_FORMAT, ENI_FORMAT, formatOf, resolveFormatSpec } from './format.ts';
import { DASH, INVALID, isDash, isIpAddress, scanUint } from './scan.ts';
import type { FormatSpec, LineParser, LineResult, LogFormat, ParseErrorCode } from './types.ts';

/** Longer lines are rejected ('too-long') without being scanned. In UTF-16 code units. */
export const MAX_LINE_LENGTH = 65_536;
/** A record whose end - start exceeds this is rejected ('time-span'): a flow record covers one capture window. */
export const MAX_FLOW_SPAN_SECONDS = 86_400;

const MAX_EXCERPT = 200;
const MAX_TOKEN_EXCERPT = 100;
const MAX_INT = 0x7fffffff;

const BLANK: LineResult = Object.freeze({ kind: 'blank' });

function cap(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function error(
  lineNo: number,
  code: ParseErrorCode,
  reason: string,
  text: string,
  field?: string,
  token?: string,
): LineResult {
  const error = { line: lineNo, code, reason, excerpt: cap(text, MAX_EXCERPT) };
  if (field === undefined) return { kind: 'error', error };
  if (token === undefined) return { kind: 'error', error: { ...error, field } };
  return { kind: 'error', error: { ...error, field, token } };
}

const expected: Record<string, string> = {
  'bad-version': 'a flow-log version (2, 5, V1...)',
  'bad-ip': 'an IPv4 or IPv6 address',
  'bad-port': 'a port number (0-65535)',
  'bad-protocol': 'a protocol number (0-255)',
  'bad-integer': 'a non-negative integer',
  'bad-action': 'ACCEPT, REJECT or -',
  'bad-status': 'OK, NODATA, SKIPDATA or -',
};

/** A token that does not fit its field's type. */
function fieldError(
  code: ParseErrorCode,
  field: string,
  text: string,
  s: number,
  e: number,
  lineNo: number,
): LineResult {
  const token = cap(text.slice(s, e), MAX_TOKEN_EXCERPT);
  const what =
    field === 'tcp-flags' || field === 'traffic-path'
      ? 'a small non-negative integer'
      : expected[code];
  return error(
    lineNo,
    code,
    `${field}: ${JSON.stringify(token)} is not ${what}`,
    text,
    field,
    token,
  );
}

// Field readers: the value, null for `-`, or undefined when the token is invalid.

function readVersion(s: string, a: number, b: number): string | null | undefined {
  const c = s.charCodeAt(a);
  if (b - a === 1) {
    if (c === 50) return '2';
    if (c === 45) return null;
    return c >= 48 && c <= 57 ? s.slice(a, b) : undefined;
  }
  let i = c === 86 || c === 118 ? a + 1 : a;
  if (i === b || b - a > 12) return undefined;
  for (; i < b; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return undefined;
  }
  if (b - a === 2 && c === 86 && s.charCodeAt(a + 1) === 49) return 'V1';
  return s.slice(a, b);
}

function readString(s: string, a: number, b: number): string | null {
  return b - a === 1 && s.charCodeAt(a) === 45 ? null : s.slice(a, b);
}

function readAddr(s: string, a: number, b: number): string | null | undefined {
  if (isIpAddress(s, a, b)) return s.slice(a, b);
  return isDash(s, a, b) ? null : undefined;
}

function readAction(s: string, a: number, b: number): Action | null | undefined {
  if (b - a === 6) {
    if (s.startsWith('ACCEPT', a)) return 'ACCEPT';
    if (s.startsWith('REJECT', a)) return 'REJECT';
  }
  return isDash(s, a, b) ? null : undefined;
}

function readStatus(s: string, a: number, b: number): LogStatus | null | undefined {
  const len = b - a;
  if (len === 2 && s.startsWith('OK', a)) return 'OK';
  if (len === 6 && s.startsWith('NODATA', a)) return 'NODATA';
  if (len === 8 && s.startsWith('SKIPDATA', a)) return 'SKIPDATA';
  return isDash(s, a, b) ? null : undefined;
}

/** CCN writes `-1` packets and bytes in NODATA records. */
function isMinusOne(s: string, a: number, b: number): boolean {
  return b - a === 2 && s.charCodeAt(a) === 45 && s.charCodeAt(a + 1) === 49;
}

/** The start/end check shared by every format; null when they are consistent. */
function timeError(start: number, end: number, text: string, lineNo: number): LineResult | null {
  if (start > end) {
    return error(lineNo, 'time-order', `start ${start} is after end ${end}`, text, 'start');
  }
  if (end - start > MAX_FLOW_SPAN_SECONDS) {
    const reason = `start ${start} is ${end - start} s before end ${end}, more than ${MAX_FLOW_SPAN_SECONDS} s: one of them is wrong`;
    return error(lineNo, 'time-span', reason, text, 'start');
  }
  return null;
}

interface Slot {
  name: string;
  type: FieldType;
  /** The record property, or null for a field kept in `extra`. */
  key: RecordKey | null;
}

/** How a custom format's fields are read; cached per LogFormat. */
const plans = new WeakMap<LogFormat, Slot[]>();

function planOf(format: LogFormat): Slot[] {
  let plan = plans.get(format);
  if (plan === undefined) {
    plan = format.fields.map((name) => {
      const info = FIELDS.get(name);
      if (info === undefined) return { name, type: 'string', key: null };
      return { name, type: info.type, key: info.key === 'extra' ? null : info.key };
    });
    plans.set(format, plan);
  }
  return plan;
}

function emptyRecord(): FlowRecord {
  return {
    format: 'custom',
    version: null,
    accountId: null,
    interfaceId: null,
    srcaddr: null,
    dstaddr: null,
    srcport: null,
    dstport: null,
    protocol: null,
    packets: null,
    bytes: null,
    start: null,
    end: null,
    action: null,
    logStatus: null,
    ccnId: null,
    srcRegion: null,
    dstRegion: null,
    regionId: null,
    extra: null,
  };
}

class FlowLineParser implements LineParser {
  readonly #fixed: LogFormat | null;
  /** Auto mode: the format of the last header line. */
  #fromHeader: LogFormat | null = null;
  /** Token offsets of the current line: [start, end) of token k is [st[k], en[k]). */
  #st: Int32Array;
  #en: Int32Array;

  constructor(spec: FormatSpec) {
    this.#fixed = resolveFormatSpec(spec);
    const capacity = Math.max(FIELDS.size, this.#fixed?.fields.length ?? 0) + 2;
    this.#st = new Int32Array(capacity);
    this.#en = new Int32Array(capacity);
  }

  get format(): LogFormat | null {
    return this.#fixed ?? this.#fromHeader;
  }

  parse(line: string, lineNo: number): LineResult {
    if (line.length > MAX_LINE_LENGTH) return tooLong(line, lineNo);
    if (line.length > 0 && line.charCodeAt(0) === 123) return this.#parseJson(line, lineNo);
    return this.#parseText(line, lineNo);
  }

  #parseJson(line: string, lineNo: number): LineResult {
    let message: unknown;
    try {
      const value: unknown = JSON.parse(line);
      message =
        typeof value === 'object' && value !== null
          ? (value as { message?: unknown }).message
          : undefined;
    } catch {
      return error(lineNo, 'bad-json', 'line starts with { but is not valid JSON', line);
    }
    if (typeof message !== 'string') {
      return error(lineNo, 'bad-json', 'JSON line without a string "message"', line);
    }
    if (message.length > MAX_LINE_LENGTH) return tooLong(message, lineNo);
    return this.#parseText(message, lineNo);
  }

  #parseText(line: string, lineNo: number): LineResult {
    let end = line.length;
    while (end > 0) {
      const c = line.charCodeAt(end - 1);
      if (c !== 13 && c !== 10) break;
      end--;
    }
    const st = this.#st;
    const en = this.#en;
    const n =
      line.indexOf('\t') === -1 ? tokenizeSpaces(line, end, st, en) : tokenize(line, end, st, en);
    if (n === 0) return BLANK;
    const capacity = st.length;
    const text = end === line.length ? line : line.slice(0, end);

    const c0 = line.charCodeAt(st[0]!);
    if (c0 >= 97 && c0 <= 122 && n <= capacity && isNameLike(line, st[0]!, en[0]!)) {
      const header = this.#header(text, n, lineNo);
      if (header !== null) return header;
    }

    const format = this.#fixed ?? this.#fromHeader;
    if (format === null) {
      if (n === 14) return inferred(parseEni(text, st, en, lineNo), 'eni');
      if (n === 16) return inferred(parseCcn(text, st, en, lineNo), 'ccn');
      const reason = `${n} fields: expected 14 (eni) or 16 (ccn), or a header line of field names first`;
      return error(lineNo, 'unknown-format', reason, text);
    }
    if (n !== format.fields.length) {
      const from = this.#fixed === null ? 'the header' : `the ${format.kind} format`;
      const reason = `${n} fields, but ${from} has ${format.fields.length}`;
      return error(lineNo, 'field-count', reason, text);
    }
    if (format.kind === 'eni') return parseEni(text, st, en, lineNo);
    if (format.kind === 'ccn') return parseCcn(text, st, en, lineNo);
    return parseCustom(format, text, st, en, lineNo);
  }

  /** A line whose tokens are all field names: applied (auto) or checked (fixed); null when it is data. */
  #header(text: string, n: number, lineNo: number): LineResult | null {
    const names: string[] = [];
    const fixed = this.#fixed;
    for (let k = 0; k < n; k++) {
      const name = text.slice(this.#st[k]!, this.#en[k]!);
      if (!FIELDS.has(name) && !(fixed !== null && fixed.fields.includes(name))) return null;
      names.push(name);
    }
    const repeated = names.find((name, k) => names.indexOf(name) !== k);
    if (repeated !== undefined) {
      return error(lineNo, 'bad-header', `header line names ${repeated} twice`, text, repeated);
    }
    if (fixed === null) {
      this.#fromHeader = formatOf(names);
      return { kind: 'header', fields: this.#fromHeader.fields };
    }
    if (
      names.length === fixed.fields.length &&
      names.every((name, k) => name === fixed.fields[k])
    ) {
      return { kind: 'header', fields: fixed.fields };
    }
    const reason = `header line does not match the ${fixed.kind} format given (${fixed.fields.join(' ')})`;
    return error(lineNo, 'bad-header', reason, text);
  }
}

// Tokenizers: record the offsets of the first st.length tokens of line[0, end), return the token count.

/** Lines without tabs: native indexOf finds the separators, several times faster than a charCodeAt loop. */
function tokenizeSpaces(line: string, end: number, st: Int32Array, en: Int32Array): number {
  const capacity = st.length;
  let n = 0;
  let i = 0;
  while (i < end) {
    if (line.charCodeAt(i) === 32) {
      i++;
      continue;
    }
    let j = line.indexOf(' ', i);
    if (j === -1 || j > end) j = end;
    if (n < capacity) {
      st[n] = i;
      en[n] = j;
    }
    n++;
    i = j + 1;
  }
  return n;
}

/** Any mix of spaces and tabs. */
function tokenize(line: string, end: number, st: Int32Array, en: Int32Array): number {
  const capacity = st.length;
  let n = 0;
  let i = 0;
  while (i < end) {
    const c = line.charCodeAt(i);
    if (c === 32 || c === 9) {
      i++;
      continue;
    }
    const from = i;
    for (i++; i < end; i++) {
      const d = line.charCodeAt(i);
      if (d === 32 || d === 9) break;
    }
    if (n < capacity) {
      st[n] = from;
      en[n] = i;
    }
    n++;
  }
  return n;
}

/** Auto mode without a header: an error says which format the token count selected. */
function inferred(res: LineResult, kind: 'eni' | 'ccn'): LineResult {
  if (res.kind !== 'error') return res;
  const note = kind === 'eni' ? 'read as eni: 14 fields' : 'read as ccn: 16 fields';
  return { kind: 'error', error: { ...res.error, reason: `${res.error.reason} (${note})` } };
}

function tooLong(line: string, lineNo: number): LineResult {
  return error(lineNo, 'too-long', tooLongReason(line.length), line);
}

/** Why a line is too long, with its real length (a reader that drops it counts on to its end). */
export function tooLongReason(length: number): string {
  return `line is ${length} characters long, more than ${MAX_LINE_LENGTH}`;
}

/** Lower-case letters, digits, `-` and `_`: what a field name is made of. */
function isNameLike(s: string, a: number, b: number): boolean {
  for (let i = a; i < b; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45 || c === 95)) return false;
  }
  return true;
}

// eni: version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status
function parseEni(text: string, st: Int32Array, en: Int32Array, lineNo: number): LineResult {
  let a = st[0]!;
  let b = en[0]!;
  const version = readVersion(text, a, b);
  if (version === undefined) return fieldError('bad-version', 'version', text, a, b, lineNo);
  const accountId = readString(text, st[1]!, en[1]!);
  const interfaceId = readString(text, st[2]!, en[2]!);
  a = st[3]!;
  b = en[3]!;
  const srcaddr = readAddr(text, a, b);
  if (srcaddr === undefined) return fieldError('bad-ip', 'srcaddr', text, a, b, lineNo);
  a = st[4]!;
  b = en[4]!;
  const dstaddr = readAddr(text, a, b);
  if (dstaddr === undefined) return fieldError('bad-ip', 'dstaddr', text, a, b, lineNo);
  a = st[5]!;
  b = en[5]!;
  const srcport = scanUint(text, a, b);
  if (srcport < DASH || srcport > 65535)
    return fieldError('bad-port', 'srcport', text, a, b, lineNo);
  a = st[6]!;
  b = en[6]!;
  const dstport = scanUint(text, a, b);
  if (dstport < DASH || dstport > 65535)
    return fieldError('bad-port', 'dstport', text, a, b, lineNo);
  a = st[7]!;
  b = en[7]!;
  const protocol = scanUint(text, a, b);
  if (protocol < DASH || protocol > 255)
    return fieldError('bad-protocol', 'protocol', text, a, b, lineNo);
  a = st[8]!;
  b = en[8]!;
  const packets = scanUint(text, a, b);
  if (packets === INVALID) return fieldError('bad-integer', 'packets', text, a, b, lineNo);
  a = st[9]!;
  b = en[9]!;
  const bytes = scanUint(text, a, b);
  if (bytes === INVALID) return fieldError('bad-integer', 'bytes', text, a, b, lineNo);
  a = st[10]!;
  b = en[10]!;
  const start = scanUint(text, a, b);
  if (start === INVALID) return fieldError('bad-integer', 'start', text, a, b, lineNo);
  a = st[11]!;
  b = en[11]!;
  const end = scanUint(text, a, b);
  if (end === INVALID) return fieldError('bad-integer', 'end', text, a, b, lineNo);
  a = st[12]!;
  b = en[12]!;
  const action = readAction(text, a, b);
  if (action === undefined) return fieldError('bad-action', 'action', text, a, b, lineNo);
  a = st[13]!;
  b = en[13]!;
  const logStatus = readStatus(text, a, b);
  if (logStatus === undefined) return fieldError('bad-status', 'log-status', text, a, b, lineNo);
  if (start >= 0 && end >= 0 && (start > end || end - start > MAX_FLOW_SPAN_SECONDS)) {
    return timeError(start, end, text, lineNo)!;
  }
  return {
    kind: 'record',
    record: {
      format: 'eni',
      version,
      accountId,
      interfaceId,
      srcaddr,
      dstaddr,
      srcport: srcport === DASH ? null : srcport,
      dstport: dstport === DASH ? null : dstport,
      protocol: protocol === DASH ? null : protocol,
      packets: packets === DASH ? null : packets,
      bytes: bytes === DASH ? null : bytes,
      start: start === DASH ? null : start,
      end: end === DASH ? null : end,
      action,
      logStatus,
      ccnId: null,
      srcRegion: null,
      dstRegion: null,
      regionId: null,
      extra: null,
    },
    format: ENI_FORMAT,
  };
}

// ccn: srcaddr dstregionid dstport start dstaddr version packets ccnid protocol srcregionid bytes action region-id srcport end log-status
function parseCcn(text: string, st: Int32Array, en: Int32Array, lineNo: number): LineResult {
  let a = st[0]!;
  let b = en[0]!;
  const srcaddr = readAddr(text, a, b);
  if (srcaddr === undefined) return fieldError('bad-ip', 'srcaddr', text, a, b, lineNo);
  const dstRegion = readString(text, st[1]!, en[1]!);
  a = st[2]!;
  b = en[2]!;
  const dstport = scanUint(text, a, b);
  if (dstport < DASH || dstport > 65535)
    return fieldError('bad-port', 'dstport', text, a, b, lineNo);
  a = st[3]!;
  b = en[3]!;
  const start = scanUint(text, a, b);
  if (start === INVALID) return fieldError('bad-integer', 'start', text, a, b, lineNo);
  a = st[4]!;
  b = en[4]!;
  const dstaddr = readAddr(text, a, b);
  if (dstaddr === undefined) return fieldError('bad-ip', 'dstaddr', text, a, b, lineNo);
  a = st[5]!;
  b = en[5]!;
  const version = readVersion(text, a, b);
  if (version === undefined) return fieldError('bad-version', 'version', text, a, b, lineNo);
  a = st[6]!;
  b = en[6]!;
  let minusOne = '';
  let packets = scanUint(text, a, b);
  if (packets === INVALID) {
    if (!isMinusOne(text, a, b)) return fieldError('bad-integer', 'packets', text, a, b, lineNo);
    packets = DASH;
    minusOne = 'packets';
  }
  const ccnId = readString(text, st[7]!, en[7]!);
  a = st[8]!;
  b = en[8]!;
  const protocol = scanUint(text, a, b);
  if (protocol < DASH || protocol > 255)
    return fieldError('bad-protocol', 'protocol', text, a, b, lineNo);
  const srcRegion = readString(text, st[9]!, en[9]!);
  a = st[10]!;
  b = en[10]!;
  let bytes = scanUint(text, a, b);
  if (bytes === INVALID) {
    if (!isMinusOne(text, a, b)) return fieldError('bad-integer', 'bytes', text, a, b, lineNo);
    bytes = DASH;
    minusOne ||= 'bytes';
  }
  a = st[11]!;
  b = en[11]!;
  const action = readAction(text, a, b);
  if (action === undefined) return fieldError('bad-action', 'action', text, a, b, lineNo);
  const regionId = readString(text, st[12]!, en[12]!);
  a = st[13]!;
  b = en[13]!;
  const srcport = scanUint(text, a, b);
  if (srcport < DASH || srcport > 65535)
    return fieldError('bad-port', 'srcport', text, a, b, lineNo);
  a = st[14]!;
  b = en[14]!;
  const end = scanUint(text, a, b);
  if (end === INVALID) return fieldError('bad-integer', 'end', text, a, b, lineNo);
  a = st[15]!;
  b = en[15]!;
  const logStatus = readStatus(text, a, b);
  if (logStatus === undefined) return fieldError('bad-status', 'log-status', text, a, b, lineNo);
  if (minusOne !== '' && logStatus !== 'NODATA' && logStatus !== 'SKIPDATA') {
    const k = minusOne === 'packets' ? 6 : 10;
    const reason = `${minusOne}: "-1" is only allowed in NODATA and SKIPDATA records`;
    return error(lineNo, 'bad-integer', reason, text, minusOne, text.slice(st[k]!, en[k]!));
  }
  if (start >= 0 && end >= 0 && (start > end || end - start > MAX_FLOW_SPAN_SECONDS)) {
    return timeError(start, end, text, lineNo)!;
  }
  return {
    kind: 'record',
    record: {
      format: 'ccn',
      version,
      accountId: null,
      interfaceId: null,
      srcaddr,
      dstaddr,
      srcport: srcport === DASH ? null : srcport,
      dstport: dstport === DASH ? null : dstport,
      protocol: protocol === DASH ? null : protocol,
      packets: packets === DASH ? null : packets,
      bytes: bytes === DASH ? null : bytes,
      start: start === DASH ? null : start,
      end: end === DASH ? null : end,
      action,
      logStatus,
      ccnId,
      srcRegion,
      dstRegion,
      regionId,
      extra: null,
    },
    format: CCN_FORMAT,
  };
}

/** Any field list: a loop over the format's plan. Fields outside FlowRecord go to `extra`. */
function parseCustom(
  format: LogFormat,
  text: string,
  st: Int32Array,
  en: Int32Array,
  lineNo: number,
): LineResult {
  const plan = planOf(format);
  const record = emptyRecord();
  const core = record as unknown as Record<RecordKey, string | number | null>;
  let extra: Record<string, string | number | null> | null = null;
  for (let k = 0; k < plan.length; k++) {
    const slot = plan[k]!;
    const a = st[k]!;
    const b = en[k]!;
    let value: string | number | null | undefined;
    let code: ParseErrorCode;
    switch (slot.type) {
      case 'string':
        value = readString(text, a, b);
        code = 'bad-integer'; // never used: strings are always valid
        break;
      case 'version':
        value = readVersion(text, a, b);
        code = 'bad-version';
        break;
      case 'addr':
        value = readAddr(text, a, b);
        code = 'bad-ip';
        break;
      case 'action':
        value = readAction(text, a, b);
        code = 'bad-action';
        break;
      case 'status':
        value = readStatus(text, a, b);
        code = 'bad-status';
        break;
      default: {
        const v = scanUint(text, a, b);
        const max =
          slot.type === 'port'
            ? 65535
            : slot.type === 'protocol'
              ? 255
              : slot.type === 'int'
                ? MAX_INT
                : Infinity;
        code =
          slot.type === 'port'
            ? 'bad-port'
            : slot.type === 'protocol'
              ? 'bad-protocol'
              : 'bad-integer';
        value = v === DASH ? null : v === INVALID || v > max ? undefined : v;
      }
    }
    if (value === undefined) return fieldError(code, slot.name, text, a, b, lineNo);
    if (slot.key !== null) core[slot.key] = value;
    else (extra ??= {})[slot.name] = value;
  }
  record.extra = extra;
  if (record.start !== null && record.end !== null) {
    const bad = timeError(record.start, record.end, text, lineNo);
    if (bad !== null) return bad;
  }
  return { kind: 'record', record, format };
}

/** A parser for one stream of lines (one file, one socket): a header line affects the lines after it. */
export function createLineParser(format: FormatSpec = 'auto'): LineParser {
  return new FlowLineParser(format);
}
