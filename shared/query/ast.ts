// The query AST: what parseQuery produces, formatQuery prints and compileQuery turns into SQL.
// Plain JSON data (no bigint), so it can be logged, stored or sent as it is.
import type { QueryField } from './fields.ts';

/**
 * A term's value. Numbers for port, protocol and counter/time fields (protocol names are already
 * numbers); strings otherwise: addresses in canonical text (IPv4 dotted, IPv6 RFC 5952), action and
 * log-status in upper case, version in upper case.
 */
export type TermValue = string | number;

export type TermNode =
  /** `field:value`: equality (addresses compare as numbers). */
  | { type: 'term'; field: QueryField; op: 'eq'; value: TermValue }
  /** `field:val*`: the stored text starts with value (text and address fields). */
  | { type: 'term'; field: QueryField; op: 'prefix'; value: string }
  /** `field:10.0.0.0/8`: address inside the block; value is the canonical network/prefix. */
  | { type: 'term'; field: QueryField; op: 'cidr'; value: string }
  /** `field:*`: the field has a value. */
  | { type: 'term'; field: QueryField; op: 'exists' }
  /** `field:[a TO b]`, `{a TO b}`, `>a`, `>=a`, `<b`, `<=b`; null is an open end (never both). */
  | {
      type: 'term';
      field: QueryField;
      op: 'range';
      lo: TermValue | null;
      hi: TermValue | null;
      loInclusive: boolean;
      hiInclusive: boolean;
    };

/** A bare word or quoted phrase looked for in every text field; `prefix` for a trailing `*` (`*` alone: everything). */
export interface KeywordNode {
  type: 'keyword';
  value: string;
  prefix: boolean;
}

/** At least two children; nested ANDs (ORs) are flattened by the parser. */
export interface AndNode {
  type: 'and';
  children: QueryNode[];
}

export interface OrNode {
  type: 'or';
  children: QueryNode[];
}

export interface NotNode {
  type: 'not';
  child: QueryNode;
}

export type QueryNode = AndNode | OrNode | NotNode | TermNode | KeywordNode;

/** Where a query went wrong: `position` is a 0-based offset in the text (UTF-16 units, as input.selectionStart). */
export interface QueryError {
  message: string;
  position: number;
  length: number;
}

/** An empty or blank query parses to `ast: null`, which matches every record. */
export type ParseResult = { ok: true; ast: QueryNode | null } | { ok: false; error: QueryError };
