// ClickHouse SQL for the store: one escaping function for every value that enters a statement,
// and the query AST compiled to a boolean expression. ClickHouse 18.16 (Debian's) has no
// server-side query parameters, so values go in as literals, always through `literal()`; it has no
// TRUE/FALSE, no ILIKE and no 128-bit integers, so addresses are kept as text plus two UInt64
// halves (`src_ip_hi`, `src_ip_lo`), and a CIDR or an address range compares the halves.
import { cidrRange, ipToBigInt } from '../../../shared/ip.ts';
import { likePrefix } from '../filter.ts';
import type { KeywordNode, QueryNode, TermNode, TermValue } from '../../../shared/query/ast.ts';
import {
  COLUMN_NAMES,
  type ColumnKey,
  KEYWORD_COLUMNS,
  QUERY_FIELDS,
  type QueryFieldInfo,
} from '../../../shared/query/fields.ts';

const MAX_U64 = (1n << 64n) - 1n;

/**
 * A value as a ClickHouse literal: a string quoted with its backslashes, quotes and control
 * characters escaped; a safe integer or a bigint as decimal digits. Anything else throws: no
 * other value is ever written into a statement.
 */
export function literal(value: string | number | bigint): string {
  if (typeof value === 'string') {
    return `'${value.replace(/[\\'\0\n\r\t\b\f]/g, (c) => ESCAPES[c]!)}'`;
  }
  if (typeof value === 'bigint') return value.toString();
  if (Number.isSafeInteger(value)) return String(value);
  throw new TypeError(`not a literal value: ${String(value)}`);
}

const ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  "'": "\\'",
  '\0': '\\0',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

/** An identifier (a column, a database: never user text) checked, then written as it is. */
export function ident(name: string, what = 'an identifier'): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`not ${what}: ${name}`);
  return name;
}

const col = (key: ColumnKey) => ident(COLUMN_NAMES[key]);

/** The two UInt64 halves of an address value. */
function halves(n: bigint): [string, string] {
  return [(n >> 64n).toString(), (n & MAX_U64).toString()];
}

/** `c` (an address column key) compared with `v` by `op`, on its two halves. */
function cmp128(key: ColumnKey, op: '>' | '>=' | '<' | '<=' | '=', v: bigint): string {
  const c = col(key);
  const [h, l] = halves(v);
  if (op === '=') return `(${c}_hi = ${h} AND ${c}_lo = ${l})`;
  const strict = op === '>' || op === '<' ? op : op[0]!;
  return `(${c}_hi ${strict} ${h} OR (${c}_hi = ${h} AND ${c}_lo ${op} ${l}))`;
}

/** lo <= c <= hi on the halves; a CIDR block is one of the two short forms. */
function between128(key: ColumnKey, lo: bigint, hi: bigint): string {
  const c = col(key);
  const [lh, ll] = halves(lo);
  const [hh, hl] = halves(hi);
  if (lh === hh) return `(${c}_hi = ${lh} AND ${c}_lo BETWEEN ${ll} AND ${hl})`;
  if ((lo & MAX_U64) === 0n && (hi & MAX_U64) === MAX_U64) return `${c}_hi BETWEEN ${lh} AND ${hh}`;
  return `(${cmp128(key, '>=', lo)} AND ${cmp128(key, '<=', hi)})`;
}

/** One predicate per column, ORed (pseudo-fields read two columns). */
function any(columns: readonly ColumnKey[], predicate: (key: ColumnKey) => string): string {
  const parts = columns.map(predicate);
  return parts.length === 1 ? parts[0]! : `(${parts.join(' OR ')})`;
}

function address(info: QueryFieldInfo, v: TermValue): bigint {
  const n = ipToBigInt(String(v));
  if (n === null) throw new Error(`query AST: bad address on ${info.name}`);
  return n;
}

function integer(info: QueryFieldInfo, v: TermValue): string {
  if (typeof v !== 'number' || !Number.isSafeInteger(v))
    throw new Error(`query AST: ${info.name} needs an integer`);
  return literal(v);
}

function eq(info: QueryFieldInfo, v: TermValue): string {
  switch (info.kind) {
    case 'addr': {
      const n = address(info, v);
      return any(info.ipColumns, (k) => cmp128(k, '=', n));
    }
    case 'version':
      return any(info.columns, (k) => `upperUTF8(${col(k)}) = ${literal(String(v).toUpperCase())}`);
    case 'port':
    case 'protocol':
    case 'long':
      return any(info.columns, (k) => `${col(k)} = ${integer(info, v)}`);
    default:
      return any(info.columns, (k) => `${col(k)} = ${literal(String(v))}`);
  }
}

function range(
  info: QueryFieldInfo,
  lo: TermValue | null,
  hi: TermValue | null,
  loInclusive: boolean,
  hiInclusive: boolean,
): string {
  if (info.kind === 'text' || info.kind === 'version' || info.kind === 'enum')
    throw new Error(`query AST: range on ${info.name}`);
  if (lo === null && hi === null) return any(info.columns, (k) => `${col(k)} IS NOT NULL`);
  if (info.kind === 'addr') {
    const a = lo === null ? null : address(info, lo);
    const b = hi === null ? null : address(info, hi);
    return any(info.ipColumns, (k) => {
      if (a !== null && b !== null && loInclusive && hiInclusive) return between128(k, a, b);
      const parts: string[] = [];
      if (a !== null) parts.push(cmp128(k, loInclusive ? '>=' : '>', a));
      if (b !== null) parts.push(cmp128(k, hiInclusive ? '<=' : '<', b));
      return parts.length === 1 ? parts[0]! : `(${parts.join(' AND ')})`;
    });
  }
  const a = lo === null ? null : integer(info, lo);
  const b = hi === null ? null : integer(info, hi);
  return any(info.columns, (k) => {
    const c = col(k);
    if (a !== null && b !== null && loInclusive && hiInclusive) return `${c} BETWEEN ${a} AND ${b}`;
    const parts: string[] = [];
    if (a !== null) parts.push(`${c} ${loInclusive ? '>=' : '>'} ${a}`);
    if (b !== null) parts.push(`${c} ${hiInclusive ? '<=' : '<'} ${b}`);
    return parts.length === 1 ? parts[0]! : `(${parts.join(' AND ')})`;
  });
}

function term(t: TermNode): string {
  const info = QUERY_FIELDS.get(t.field);
  if (!info) throw new Error('query AST: unknown field');
  switch (t.op) {
    case 'exists':
      return any(info.columns, (k) => `${col(k)} IS NOT NULL`);
    case 'eq':
      return eq(info, t.value);
    case 'prefix':
      if (info.kind !== 'text' && info.kind !== 'addr' && info.kind !== 'version') break;
      return any(info.columns, (k) =>
        info.kind === 'version'
          ? `lowerUTF8(${col(k)}) LIKE lowerUTF8(${literal(likePrefix(String(t.value)))})`
          : `${col(k)} LIKE ${literal(likePrefix(String(t.value)))}`,
      );
    case 'cidr': {
      const r = info.kind === 'addr' ? cidrRange(String(t.value)) : null;
      if (!r) break;
      return any(info.ipColumns, (k) => between128(k, r.lo, r.hi));
    }
    case 'range':
      return range(info, t.lo, t.hi, t.loInclusive, t.hiInclusive);
  }
  throw new Error(`query AST: bad ${t.op} term on ${t.field}`);
}

function keyword(k: KeywordNode): string {
  const value = String(k.value);
  if (k.prefix) {
    if (value === '') return '1';
    const pattern = literal(likePrefix(value));
    return any(KEYWORD_COLUMNS, (c) => `lowerUTF8(${col(c)}) LIKE lowerUTF8(${pattern})`);
  }
  // An address or a block is looked for in both address columns, as numbers.
  const ip = ipToBigInt(value);
  const block = ip === null ? cidrRange(value) : null;
  if (ip !== null) return any(['src-ip', 'dst-ip'], (c) => cmp128(c, '=', ip));
  if (block) return any(['src-ip', 'dst-ip'], (c) => between128(c, block.lo, block.hi));
  const v = literal(value);
  return any(KEYWORD_COLUMNS, (c) => `lowerUTF8(${col(c)}) = lowerUTF8(${v})`);
}

function node(n: QueryNode): string {
  switch (n.type) {
    case 'and':
    case 'or': {
      if (n.children.length === 0) return n.type === 'and' ? '1' : '0';
      const parts = n.children.map(node);
      return parts.length === 1
        ? parts[0]!
        : `(${parts.join(n.type === 'and' ? ' AND ' : ' OR ')})`;
    }
    case 'not':
      // A term on a missing (NULL) value is false, so NOT of it is true.
      return `(NOT coalesce(${node(n.child)}, 0))`;
    case 'term':
      return term(n);
    case 'keyword':
      return keyword(n);
    default:
      throw new Error('query AST: unknown node type');
  }
}

/**
 * A ClickHouse boolean expression (0/1, NULL on a missing value) for a query; null (the empty
 * query) is `1`. Throws only on an AST parseQuery cannot produce (a programming error).
 */
export function compileClickHouse(ast: QueryNode | null): string {
  return ast === null ? '1' : node(ast);
}
