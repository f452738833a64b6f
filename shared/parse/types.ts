// Types of the flow-log line parser: formats, per-line results and per-line errors.
import type { FlowRecord, FormatKind } from '../record.ts';

/** A resolved record layout: its kind and its documented field names, in line order. */
export interface LogFormat {
  /** 'eni' or 'ccn' when `fields` is exactly ENI_FIELDS or CCN_FIELDS, 'custom' otherwise. */
  kind: FormatKind;
  fields: readonly string[];
}

/**
 * What a parser is told to expect. 'auto' (the default): a header line of field names sets the
 * format, otherwise 14 tokens mean eni and 16 mean ccn. A field-name list or a LogFormat is fixed.
 */
export type FormatSpec = 'auto' | 'eni' | 'ccn' | readonly string[] | LogFormat;

/** Why a line was rejected; one stable code per reason, for counters. */
export type ParseErrorCode =
  | 'too-long' // longer than MAX_LINE_LENGTH characters
  | 'bad-json' // starts with `{` but is not JSON with a string `message`
  | 'unknown-format' // auto mode, no header seen, and neither 14 (eni) nor 16 (ccn) tokens
  | 'field-count' // token count differs from the format's field count
  | 'bad-header' // a header line that repeats a name, or differs from a fixed format
  | 'bad-version'
  | 'bad-ip'
  | 'bad-port'
  | 'bad-protocol'
  | 'bad-integer'
  | 'bad-action'
  | 'bad-status'
  | 'time-order' // start is after end
  | 'time-span'; // end - start is more than MAX_FLOW_SPAN_SECONDS

export interface ParseError {
  /** 1-based line number, as given to parse(). */
  line: number;
  code: ParseErrorCode;
  /** For people: what is wrong, naming the field and quoting the token. */
  reason: string;
  /** The documented name of the offending field, when one field is at fault. */
  field?: string;
  /** The offending token, at most 100 characters. */
  token?: string;
  /** The line, at most 200 characters (longer lines end with `…`). */
  excerpt: string;
}

export type LineResult =
  | { kind: 'record'; record: FlowRecord; format: LogFormat }
  | { kind: 'header'; fields: readonly string[] }
  | { kind: 'blank' }
  | { kind: 'error'; error: ParseError };

/** Stateful: in auto mode a header line changes the format of the lines that follow. One per stream. */
export interface LineParser {
  /** Never throws. `line` has no line terminator (a trailing CR is ignored); lineNo is 1-based. */
  parse(line: string, lineNo: number): LineResult;
  /** The fixed format, or in auto mode the format set by the last header (null before any). */
  readonly format: LogFormat | null;
}
