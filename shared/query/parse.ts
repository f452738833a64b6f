// The query parser: CLS/Lucene-like text -> QueryNode, or the first error with its position.
// Grammar (NOT binds tightest, then AND, then OR; two terms side by side mean AND):
//   query   := or?
//   or      := and (('OR' | '||') and)*
//   and     := not (('AND' | '&&')? not)*
//   not     := ('NOT' | '!') not | primary
//   primary := '(' or ')' | '"phrase"' | keyword | field ':' value
//   value   := '*' | '"quoted"' | bare | bare'*' | ('>' | '>=' | '<' | '<=') bare
//            | ('[' | '{') bound 'TO' bound (']' | '}')
// Operators are case-insensitive words. A bare value runs to whitespace, `(`, `)` or `"`, so IPv6
// addresses need no quotes; `\` escapes the next character. An unescaped `*` is a wildcard only at
// the end of a value; anywhere else it is an error (write `\*` for a literal star).
import { fieldInfo } from '../fields.ts';
import { bigIntToIp, formatCidr, ipToBigInt, parseCidr } from '../ip.ts';
import type {
  KeywordNode,
  ParseResult,
  QueryError,
  QueryNode,
  TermNode,
  TermValue,
} from './ast.ts';
import { PROTOCOL_NUMBERS, QUERY_FIELDS, queryField, type QueryFieldInfo } from './fields.ts';

/** Longer queries are refused (the error points at the first character past the limit). */
export const MAX_QUERY_LENGTH = 4096;
/** Deepest nesting of parentheses and NOTs. */
export const MAX_QUERY_DEPTH = 64;
/**
 * Bounds on a query's cost, checked before it runs: terms (field terms and keywords) and wildcards
 * (a trailing `*`: a prefix scan). A query over either limit is refused at the first term past it.
 */
export const MAX_QUERY_TERMS = 64;
export const MAX_QUERY_WILDCARDS = 16;

class Failure {
  constructor(readonly error: QueryError) {}
}

function fail(message: string, position: number, length: number): never {
  throw new Failure({ message, position, length });
}

const SPACE = /\s/;
const isSpace = (c: string | undefined): boolean => c !== undefined && SPACE.test(c);
/** Characters that end a bare value (besides whitespace). */
const isDelimiter = (c: string | undefined): boolean =>
  c === '(' || c === ')' || c === '"' || isSpace(c);
const isNameChar = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_.-]/.test(c);

type OpKind = 'and' | 'or' | 'not';
interface Op {
  kind: OpKind;
  pos: number;
  len: number;
  text: string;
}

interface Bare {
  value: string;
  /** Ended with an unescaped `*`. */
  prefix: boolean;
  start: number;
  end: number;
}

class Parser {
  i = 0;
  depth = 0;
  terms = 0;
  wildcards = 0;
  constructor(readonly s: string) {}

  get atEnd(): boolean {
    return this.i >= this.s.length;
  }

  skipSpace(): void {
    while (isSpace(this.s[this.i])) this.i++;
  }

  /** The operator at the cursor, if any (not consumed). */
  peekOp(): Op | null {
    const { s, i } = this;
    if (s.startsWith('&&', i)) return { kind: 'and', pos: i, len: 2, text: '&&' };
    if (s.startsWith('||', i)) return { kind: 'or', pos: i, len: 2, text: '||' };
    if (s[i] === '!') return { kind: 'not', pos: i, len: 1, text: '!' };
    let j = i;
    while (j < s.length && j - i < 4 && /[A-Za-z]/.test(s[j]!)) j++;
    if (j - i < 2 || j - i > 3 || !(j === s.length || isDelimiter(s[j]))) return null;
    const word = s.slice(i, j);
    const kind = word.toLowerCase();
    if (kind === 'and' || kind === 'or' || kind === 'not') {
      return { kind, pos: i, len: j - i, text: word.toUpperCase() };
    }
    return null;
  }

  enter(pos: number): void {
    if (++this.depth > MAX_QUERY_DEPTH) {
      fail(`too deeply nested (at most ${MAX_QUERY_DEPTH} levels)`, pos, 1);
    }
  }

  /** After an operator: fail unless a term starts here. */
  expectTermAfter(op: Op): void {
    this.skipSpace();
    const next = this.peekOp();
    if (this.atEnd || this.s[this.i] === ')' || (next && next.kind !== 'not')) {
      fail(`expected a term after '${op.text}'`, this.i, next ? next.len : this.atEnd ? 0 : 1);
    }
  }

  parseOr(): QueryNode {
    const children = [this.parseAnd()];
    for (;;) {
      this.skipSpace();
      const op = this.peekOp();
      if (op?.kind !== 'or') break;
      this.i += op.len;
      this.expectTermAfter(op);
      children.push(this.parseAnd());
    }
    return combine('or', children);
  }

  parseAnd(): QueryNode {
    const children = [this.parseNot()];
    for (;;) {
      this.skipSpace();
      if (this.atEnd || this.s[this.i] === ')') break;
      const op = this.peekOp();
      if (op?.kind === 'or') break;
      if (op?.kind === 'and') {
        this.i += op.len;
        this.expectTermAfter(op);
      }
      children.push(this.parseNot());
    }
    return combine('and', children);
  }

  parseNot(): QueryNode {
    this.skipSpace();
    const op = this.peekOp();
    if (op?.kind === 'not') {
      this.enter(op.pos);
      this.i += op.len;
      this.expectTermAfter(op);
      const child = this.parseNot();
      this.depth--;
      return { type: 'not', child };
    }
    if (op) fail(`'${op.text}' needs a term on its left`, op.pos, op.len);
    return this.parsePrimary();
  }

  parsePrimary(): QueryNode {
    const { s } = this;
    const start = this.i;
    const c = s[start];
    if (c === '(') {
      this.enter(start);
      this.i++;
      this.skipSpace();
      if (s[this.i] === ')') fail('empty parentheses', start, this.i + 1 - start);
      const node = this.parseOr();
      this.skipSpace();
      if (s[this.i] !== ')') fail("missing ')' for this '('", start, 1);
      this.i++;
      this.depth--;
      return node;
    }
    if (c === ')') fail("unexpected ')'", start, 1);
    const node = c === '"' ? this.parseQuotedKeyword() : this.parseTermOrKeyword();
    this.expectEndOfTerm();
    this.count(node, start);
    return node;
  }

  /** Counts a term against the cost bounds; fails at the first term over one of them. */
  count(node: TermNode | KeywordNode, start: number): void {
    const len = this.i - start;
    if (++this.terms > MAX_QUERY_TERMS)
      fail(`too many terms: at most ${MAX_QUERY_TERMS} in a query`, start, len);
    const wildcard = node.type === 'keyword' ? node.prefix : node.op === 'prefix';
    if (wildcard && ++this.wildcards > MAX_QUERY_WILDCARDS)
      fail(`too many wildcards: at most ${MAX_QUERY_WILDCARDS} in a query`, start, len);
  }

  expectEndOfTerm(): void {
    const c = this.s[this.i];
    if (c === undefined || c === ')' || isSpace(c)) return;
    if (c === '"') fail(`unexpected '"' inside a value: quote the whole value`, this.i, 1);
    fail(`expected a space before '${c}'`, this.i, 1);
  }

  parseQuotedKeyword(): KeywordNode {
    const start = this.i;
    const value = this.readQuoted();
    if (value === '') fail('empty keyword', start, this.i - start);
    return { type: 'keyword', value, prefix: false };
  }

  parseTermOrKeyword(): TermNode | KeywordNode {
    const { s } = this;
    const start = this.i;
    let j = start;
    while (isNameChar(s[j])) j++;
    if (s[j] === ':') {
      // An IPv6 address or block typed as a keyword is not `field:value`.
      let end = j;
      while (end < s.length && !isDelimiter(s[end])) end++;
      const token = s.slice(start, end);
      if (ipToBigInt(token) === null && typeof parseCidr(token) === 'string') {
        if (j === start) fail("expected a field name before ':'", start, 1);
        return this.parseFieldTerm(start, j);
      }
    } else if (s[j] === '：') {
      fail("full-width colon '：': type ':' instead", j, 1);
    }
    const bare = this.readBare('');
    if (bare.value === '' && !bare.prefix) fail('expected a term', start, 1);
    return { type: 'keyword', value: bare.value, prefix: bare.prefix };
  }

  parseFieldTerm(nameStart: number, nameEnd: number): TermNode {
    const { s } = this;
    const rawName = s.slice(nameStart, nameEnd);
    const info = queryField(rawName.toLowerCase());
    if (!info) fail(unknownField(rawName), nameStart, nameEnd - nameStart);
    this.i = nameEnd + 1;
    const vstart = this.i;
    const c = s[vstart];
    if (c === undefined || isSpace(c) || c === ')') {
      fail(`expected a value after '${info.name}:'`, vstart, 0);
    }
    if (c === '(') {
      fail(
        `'${info.name}:(...)' is not supported: write (${info.name}:a OR ${info.name}:b)`,
        vstart,
        1,
      );
    }
    if (c === '[' || c === '{') return this.parseRange(info);
    if (c === '>' || c === '<') return this.parseComparison(info);
    if (c === '"') {
      const value = this.readQuoted();
      return literal(info, value, vstart, this.i - vstart);
    }
    const bare = this.readBare('');
    const len = bare.end - bare.start;
    if (bare.prefix && bare.value === '') return { type: 'term', field: info.name, op: 'exists' };
    if (bare.prefix) return prefixTerm(info, bare.value, vstart, len);
    return literal(info, bare.value, vstart, len);
  }

  parseComparison(info: QueryFieldInfo): TermNode {
    const { s } = this;
    const start = this.i;
    const lower = s[start] === '>';
    const inclusive = s[start + 1] === '=';
    this.i += inclusive ? 2 : 1;
    const opText = s.slice(start, this.i);
    const vstart = this.i;
    const c = s[vstart];
    if (c === undefined || isSpace(c) || c === ')') {
      fail(`expected a value right after '${info.name}:${opText}'`, vstart, 0);
    }
    const bare = c === '"' ? null : this.readBare('');
    const text = bare ? bare.value : this.readQuoted();
    const len = this.i - vstart;
    if (bare?.prefix) fail('a wildcard cannot be compared', vstart, len);
    rangeable(info, start, this.i - start);
    const value = bound(info, text, vstart, len);
    return lower
      ? {
          type: 'term',
          field: info.name,
          op: 'range',
          lo: value,
          hi: null,
          loInclusive: inclusive,
          hiInclusive: false,
        }
      : {
          type: 'term',
          field: info.name,
          op: 'range',
          lo: null,
          hi: value,
          loInclusive: false,
          hiInclusive: inclusive,
        };
  }

  parseRange(info: QueryFieldInfo): TermNode {
    const { s } = this;
    const start = this.i;
    const loInclusive = s[start] === '[';
    this.i++;
    this.skipSpace();
    const lo = this.readBound();
    if (!isSpace(s[this.i])) fail("expected ' TO ' in the range", this.i, this.atEnd ? 0 : 1);
    this.skipSpace();
    if (!/^to$/i.test(s.slice(this.i, this.i + 2))) {
      fail("expected 'TO' in the range", this.i, this.atEnd ? 0 : 1);
    }
    this.i += 2;
    if (!isSpace(s[this.i])) {
      fail("expected a space and a bound after 'TO'", this.i, this.atEnd ? 0 : 1);
    }
    this.skipSpace();
    const hi = this.readBound();
    this.skipSpace();
    const close = s[this.i];
    if (close !== ']' && close !== '}') {
      fail("expected ']' or '}' to close the range", this.i, this.atEnd ? 0 : 1);
    }
    this.i++;
    const len = this.i - start;
    rangeable(info, start, len);
    const loValue = lo.open ? null : bound(info, lo.text, lo.start, lo.end - lo.start);
    const hiValue = hi.open ? null : bound(info, hi.text, hi.start, hi.end - hi.start);
    if (loValue === null && hiValue === null)
      return { type: 'term', field: info.name, op: 'exists' };
    const hiInclusive = close === ']';
    if (loValue !== null && hiValue !== null) {
      const order = compareBounds(info, loValue, hiValue);
      if (order > 0 || (order === 0 && !(loInclusive && hiInclusive))) {
        fail('empty range: the lower bound is not below the upper bound', start, len);
      }
    }
    return {
      type: 'term',
      field: info.name,
      op: 'range',
      lo: loValue,
      hi: hiValue,
      loInclusive: loValue !== null && loInclusive,
      hiInclusive: hiValue !== null && hiInclusive,
    };
  }

  readBound(): { text: string; open: boolean; start: number; end: number } {
    const start = this.i;
    if (this.s[start] === '"') {
      const text = this.readQuoted();
      return { text, open: false, start, end: this.i };
    }
    const bare = this.readBare(']}');
    if (bare.value === '' && !bare.prefix) {
      fail('expected a range bound', start, this.atEnd ? 0 : 1);
    }
    if (bare.prefix && bare.value !== '')
      fail('a wildcard cannot be a range bound', start, bare.end - start);
    return { text: bare.value, open: bare.prefix, start, end: bare.end };
  }

  /** A bare value from the cursor: runs to whitespace, `(`, `)`, `"` or one of `stops`. */
  readBare(stops: string): Bare {
    const { s } = this;
    const start = this.i;
    let value = '';
    let prefix = false;
    while (this.i < s.length) {
      const c = s[this.i]!;
      if (isDelimiter(c) || stops.includes(c)) break;
      if (c === '\\') {
        if (this.i + 1 >= s.length) fail("nothing to escape after '\\'", this.i, 1);
        value += s[this.i + 1];
        this.i += 2;
        continue;
      }
      if (c === '*') {
        const next = s[this.i + 1];
        if (next === undefined || isDelimiter(next) || stops.includes(next)) {
          prefix = true;
          this.i++;
          break;
        }
        fail("'*' is only allowed at the end of a value (write \\* for a star)", this.i, 1);
      }
      value += c;
      this.i++;
    }
    return { value, prefix, start, end: this.i };
  }

  /** A double-quoted string from the cursor (on the opening quote); `\` escapes the next character. */
  readQuoted(): string {
    const { s } = this;
    const start = this.i;
    let value = '';
    this.i++;
    while (this.i < s.length) {
      const c = s[this.i]!;
      if (c === '"') {
        this.i++;
        return value;
      }
      if (c === '\\' && this.i + 1 < s.length) {
        value += s[this.i + 1];
        this.i += 2;
        continue;
      }
      value += c;
      this.i++;
    }
    return fail("missing closing '\"'", start, 1);
  }
}

function combine(type: 'and' | 'or', children: QueryNode[]): QueryNode {
  if (children.length === 1) return children[0]!;
  const flat: QueryNode[] = [];
  for (const c of children) {
    if (c.type === type) flat.push(...c.children);
    else flat.push(c);
  }
  return { type, children: flat };
}

const KIND_HELP: Record<string, string> = {
  port: 'a port number, 0-65535',
  protocol: 'a protocol number 0-255 or a name (tcp, udp, icmp, icmpv6...)',
  long: 'a non-negative integer',
  addr: 'an IP address or a CIDR block (10.0.0.0/8, 2001:db8::/32)',
  version: 'digits, optionally prefixed by V (2, V1)',
};

function typeError(info: QueryFieldInfo, pos: number, len: number): never {
  const help =
    info.kind === 'enum'
      ? info.values.join(' or ')
      : info.name === 'start' || info.name === 'end'
        ? 'epoch seconds (a non-negative integer)'
        : (KIND_HELP[info.kind] ?? 'a value');
  return fail(`${info.name} must be ${help}`, pos, len);
}

function parseNumber(info: QueryFieldInfo, text: string, pos: number, len: number): number {
  if (info.kind === 'protocol') {
    const named = PROTOCOL_NUMBERS.get(text.toLowerCase());
    if (named !== undefined) return named;
  }
  if (!/^[0-9]{1,16}$/.test(text)) typeError(info, pos, len);
  const n = Number(text);
  const max =
    info.kind === 'port' ? 65535 : info.kind === 'protocol' ? 255 : Number.MAX_SAFE_INTEGER;
  if (n > max) typeError(info, pos, len);
  return n;
}

function parseAddress(info: QueryFieldInfo, text: string, pos: number, len: number): string {
  const n = ipToBigInt(text);
  if (n === null) typeError(info, pos, len);
  return bigIntToIp(n);
}

/** `field:value` with a literal (unquoted or quoted) value. */
function literal(info: QueryFieldInfo, text: string, pos: number, len: number): TermNode {
  const field = info.name;
  if (text === '') fail(`empty value for ${field}`, pos, len);
  switch (info.kind) {
    case 'text':
      return { type: 'term', field, op: 'eq', value: text };
    case 'version':
      if (!/^[Vv]?[0-9]+$/.test(text)) typeError(info, pos, len);
      return { type: 'term', field, op: 'eq', value: text.toUpperCase() };
    case 'enum': {
      const value = text.toUpperCase();
      if (!info.values.includes(value)) typeError(info, pos, len);
      return { type: 'term', field, op: 'eq', value };
    }
    case 'port':
    case 'protocol':
    case 'long':
      return { type: 'term', field, op: 'eq', value: parseNumber(info, text, pos, len) };
    case 'addr': {
      if (!text.includes('/'))
        return { type: 'term', field, op: 'eq', value: parseAddress(info, text, pos, len) };
      const cidr = parseCidr(text);
      if (cidr === 'prefix') {
        const v6 = text.slice(0, text.lastIndexOf('/')).includes(':');
        fail(`the prefix length must be ${v6 ? '0-128 for IPv6' : '0-32 for IPv4'}`, pos, len);
      }
      if (typeof cidr === 'string') typeError(info, pos, len);
      return { type: 'term', field, op: 'cidr', value: formatCidr(cidr) };
    }
  }
}

/** `field:val*`. */
function prefixTerm(info: QueryFieldInfo, text: string, pos: number, len: number): TermNode {
  const field = info.name;
  if (info.kind === 'addr') {
    if (!/^[0-9A-Fa-f.:]+$/.test(text)) fail(`'${text}*' is not the start of an address`, pos, len);
    return { type: 'term', field, op: 'prefix', value: text.toLowerCase() };
  }
  if (info.kind === 'text' || info.kind === 'version') {
    return { type: 'term', field, op: 'prefix', value: text };
  }
  return fail(`a wildcard is not allowed on ${field} (only on text and address fields)`, pos, len);
}

function rangeable(info: QueryFieldInfo, pos: number, len: number): void {
  if (
    info.kind === 'port' ||
    info.kind === 'protocol' ||
    info.kind === 'long' ||
    info.kind === 'addr'
  )
    return;
  fail(`ranges and comparisons are only for number and address fields, not ${info.name}`, pos, len);
}

function bound(info: QueryFieldInfo, text: string, pos: number, len: number): TermValue {
  if (info.kind === 'addr') {
    if (text.includes('/')) fail('a range bound must be an address, not a CIDR block', pos, len);
    return parseAddress(info, text, pos, len);
  }
  return parseNumber(info, text, pos, len);
}

function compareBounds(info: QueryFieldInfo, a: TermValue, b: TermValue): number {
  if (info.kind === 'addr') {
    const x = ipToBigInt(String(a))!;
    const y = ipToBigInt(String(b))!;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return Number(a) - Number(b);
}

// Names people type for fields that are called something else here; for "did you mean" only.
const ALIASES: Record<string, string> = {
  src: 'srcaddr',
  dst: 'dstaddr',
  source: 'srcaddr',
  destination: 'dstaddr',
  srcip: 'srcaddr',
  dstip: 'dstaddr',
  ip: 'addr',
  sport: 'srcport',
  dport: 'dstport',
  proto: 'protocol',
  status: 'log-status',
  eni: 'interface-id',
  region: 'region-id',
  ccn: 'ccnid',
};

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, k) => k);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost));
    }
    prev = row;
  }
  return prev[b.length]!;
}

/** The closest query field to a misspelt name, if one is close enough. */
export function suggestField(name: string): string | null {
  const lower = name.toLowerCase();
  const normal = lower.replace(/_/g, '-');
  if (queryField(normal)) return normal;
  const alias = ALIASES[lower] ?? ALIASES[lower.replace(/[-_]/g, '')];
  if (alias) return alias;
  let best: string | null = null;
  let bestDistance = lower.length >= 8 ? 3 : 2;
  for (const candidate of QUERY_FIELDS.keys()) {
    const d = editDistance(normal, candidate);
    if (d < bestDistance || (d === bestDistance && best === null)) {
      best = candidate;
      bestDistance = d;
    }
  }
  if (best) return best;
  if (lower.length >= 3) {
    for (const candidate of QUERY_FIELDS.keys()) if (candidate.startsWith(lower)) return candidate;
  }
  return null;
}

function unknownField(name: string): string {
  const known = fieldInfo(name.toLowerCase());
  if (known && known.key === 'extra') return `field '${name}' is not searchable`;
  const suggestion = suggestField(name);
  return suggestion
    ? `unknown field '${name}' (did you mean '${suggestion}'?)`
    : `unknown field '${name}'`;
}

/** Parses a query; never throws. A blank query gives `ast: null` (everything matches). */
export function parseQuery(text: string): ParseResult {
  if (text.length > MAX_QUERY_LENGTH) {
    return {
      ok: false,
      error: {
        message: `the query is too long (at most ${MAX_QUERY_LENGTH} characters)`,
        position: MAX_QUERY_LENGTH,
        length: text.length - MAX_QUERY_LENGTH,
      },
    };
  }
  const p = new Parser(text);
  try {
    p.skipSpace();
    if (p.atEnd) return { ok: true, ast: null };
    const ast = p.parseOr();
    p.skipSpace();
    // parseOr stops only at the end or at a ')' that no '(' opened.
    if (!p.atEnd) fail("unexpected ')'", p.i, 1);
    return { ok: true, ast };
  } catch (e) {
    if (e instanceof Failure) return { ok: false, error: e.error };
    throw e;
  }
}
