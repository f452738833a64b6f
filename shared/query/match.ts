// Query AST -> a predicate on one record in memory: what compileQuery's SQL says, for records that
// are not in the store yet (the live tail filters them as they are published). The two must agree
// on every query; test/integration/query-match.test.ts runs the same queries through both. Terms
// on a missing value are false and NOT of them true, as in the SQL.
import { cidrRange, IPV4_MAPPED_BASE, ipToBigInt, ipv4Number } from '../ip.ts';
import type { FlowRecord } from '../record.ts';
import type { KeywordNode, QueryNode, TermNode, TermValue } from './ast.ts';
import { type ColumnKey, KEYWORD_COLUMNS, QUERY_FIELDS, type QueryFieldInfo } from './fields.ts';

/** A record and where it goes: what a query can name. */
export interface MatchRecord extends FlowRecord {
  topicId: string;
  streamId: string;
}

type Value = string | number | bigint | null;
type Getter = (r: MatchRecord) => Value;

const addr = (s: string | null): bigint | null => (s === null ? null : ipToBigInt(s));

const GET: Readonly<Record<ColumnKey, Getter>> = {
  topic: (r) => r.topicId,
  stream: (r) => r.streamId,
  version: (r) => r.version,
  'account-id': (r) => r.accountId,
  'interface-id': (r) => r.interfaceId,
  srcaddr: (r) => r.srcaddr,
  dstaddr: (r) => r.dstaddr,
  'src-ip': (r) => addr(r.srcaddr),
  'dst-ip': (r) => addr(r.dstaddr),
  srcport: (r) => r.srcport,
  dstport: (r) => r.dstport,
  protocol: (r) => r.protocol,
  packets: (r) => r.packets,
  bytes: (r) => r.bytes,
  start: (r) => r.start,
  end: (r) => r.end,
  action: (r) => r.action,
  'log-status': (r) => r.logStatus,
  ccnid: (r) => r.ccnId,
  srcregionid: (r) => r.srcRegion,
  dstregionid: (r) => r.dstRegion,
  'region-id': (r) => r.regionId,
};

export type RecordPredicate = (r: MatchRecord) => boolean;

// The predicates run once per record on the hot paths (the live tail, alert measures): no
// allocation per call, one column without a loop, IPv4 blocks compared as numbers.
function any(columns: readonly ColumnKey[], test: (v: Value) => boolean): RecordPredicate {
  if (columns.length === 1) {
    const get = GET[columns[0]!];
    return (r) => {
      const v = get(r);
      return v !== null && test(v);
    };
  }
  const gets = columns.map((c) => GET[c]);
  return (r) => {
    for (let i = 0; i < gets.length; i++) {
      const v = gets[i]!(r);
      if (v !== null && test(v)) return true;
    }
    return false;
  };
}

/** The address columns an IP column is read from (src-ip reads srcaddr). */
const TEXT_OF: Partial<Record<ColumnKey, ColumnKey>> = { 'src-ip': 'srcaddr', 'dst-ip': 'dstaddr' };

/**
 * An address in [lo, hi]: an IPv4 block tests the address text as a 32-bit number (no BigInt per
 * record); anything else (IPv6, an IPv4-mapped IPv6 text) goes through the 128-bit value.
 */
function inBlock(columns: readonly ColumnKey[], lo: bigint, hi: bigint): RecordPredicate {
  const slow = any(columns, (v) => (v as bigint) >= lo && (v as bigint) <= hi);
  const texts = columns.map((c) => TEXT_OF[c]);
  if (lo < IPV4_MAPPED_BASE || hi > (IPV4_MAPPED_BASE | 0xffff_ffffn) || texts.some((t) => !t))
    return slow;
  const lo4 = Number(lo & 0xffff_ffffn);
  const hi4 = Number(hi & 0xffff_ffffn);
  const gets = texts.map((t) => GET[t!]);
  return (r) => {
    for (let i = 0; i < gets.length; i++) {
      const text = gets[i]!(r) as string | null;
      if (text === null) continue;
      const v4 = ipv4Number(text);
      if (v4 >= 0) {
        if (v4 >= lo4 && v4 <= hi4) return true;
      } else if (text.includes(':')) {
        const v = ipToBigInt(text);
        if (v !== null && v >= lo && v <= hi) return true;
      }
    }
    return false;
  };
}

/** A term value in the column's type: bigint for addresses, number for numbers, else text. */
function typed(info: QueryFieldInfo, v: TermValue): Value {
  if (info.kind === 'addr') return ipToBigInt(String(v));
  if (info.kind === 'port' || info.kind === 'protocol' || info.kind === 'long') return Number(v);
  return String(v);
}

function term(t: TermNode): RecordPredicate {
  const info = QUERY_FIELDS.get(t.field);
  if (!info) throw new Error('query AST: unknown field');
  switch (t.op) {
    case 'exists':
      return any(info.columns, () => true);
    case 'eq': {
      if (info.kind === 'version') {
        const want = String(t.value).toUpperCase();
        return any(info.columns, (v) => String(v).toUpperCase() === want);
      }
      const want = typed(info, t.value);
      if (want === null) return () => false;
      const columns = info.kind === 'addr' ? info.ipColumns : info.columns;
      // One column compared by identity (the commonest term): one read, no test call.
      if (columns.length === 1 && typeof want !== 'bigint') {
        const get = GET[columns[0]!];
        return (r) => get(r) === want;
      }
      return any(columns, (v) => v === want);
    }
    case 'prefix': {
      const p = String(t.value);
      if (info.kind === 'version') {
        const lower = p.toLowerCase();
        return any(info.columns, (v) => String(v).toLowerCase().startsWith(lower));
      }
      return any(info.columns, (v) => String(v).startsWith(p));
    }
    case 'cidr': {
      const r = cidrRange(String(t.value));
      if (!r) throw new Error(`query AST: bad cidr on ${t.field}`);
      return inBlock(info.ipColumns, r.lo, r.hi);
    }
    case 'range': {
      const columns = info.kind === 'addr' ? info.ipColumns : info.columns;
      if (t.lo === null && t.hi === null) return any(info.columns, () => true);
      const lo = t.lo === null ? null : typed(info, t.lo);
      const hi = t.hi === null ? null : typed(info, t.hi);
      return any(columns, (v) => {
        const x = v as number | bigint;
        const a = lo as number | bigint | null;
        const b = hi as number | bigint | null;
        if (a !== null && (t.loInclusive ? x < a : x <= a)) return false;
        if (b !== null && (t.hiInclusive ? x > b : x >= b)) return false;
        return true;
      });
    }
  }
}

function keyword(k: KeywordNode): RecordPredicate {
  const value = String(k.value);
  if (k.prefix) {
    if (value === '') return () => true;
    const lower = value.toLowerCase();
    return any(KEYWORD_COLUMNS, (v) => String(v).toLowerCase().startsWith(lower));
  }
  const ip = ipToBigInt(value);
  const block = ip === null ? cidrRange(value) : null;
  if (ip !== null) return any(['src-ip', 'dst-ip'], (v) => v === ip);
  if (block) return inBlock(['src-ip', 'dst-ip'], block.lo, block.hi);
  const lower = value.toLowerCase();
  return any(KEYWORD_COLUMNS, (v) => String(v).toLowerCase() === lower);
}

function node(n: QueryNode): RecordPredicate {
  switch (n.type) {
    case 'and': {
      const parts = n.children.map(node);
      if (parts.length === 2) {
        const [a, b] = parts as [RecordPredicate, RecordPredicate];
        return (r) => a(r) && b(r);
      }
      return (r) => {
        for (let i = 0; i < parts.length; i++) if (!parts[i]!(r)) return false;
        return true;
      };
    }
    case 'or': {
      const parts = n.children.map(node);
      if (parts.length === 2) {
        const [a, b] = parts as [RecordPredicate, RecordPredicate];
        return (r) => a(r) || b(r);
      }
      return (r) => {
        for (let i = 0; i < parts.length; i++) if (parts[i]!(r)) return true;
        return false;
      };
    }
    case 'not': {
      const inner = node(n.child);
      return (r) => !inner(r);
    }
    case 'term':
      return term(n);
    case 'keyword':
      return keyword(n);
  }
}

/** The predicate of a parsed query; null (the empty query) matches every record. */
export function matchQuery(ast: QueryNode | null): RecordPredicate {
  return ast === null ? () => true : node(ast);
}

/** True when the query reads the record's topic or stream (a matcher needs them on the record). */
export function readsContext(ast: QueryNode | null): boolean {
  if (ast === null) return false;
  switch (ast.type) {
    case 'and':
    case 'or':
      return ast.children.some(readsContext);
    case 'not':
      return readsContext(ast.child);
    case 'term': {
      const cols = QUERY_FIELDS.get(ast.field)?.columns ?? [];
      return cols.includes('topic') || cols.includes('stream');
    }
    case 'keyword':
      return KEYWORD_COLUMNS.includes('topic') || KEYWORD_COLUMNS.includes('stream');
  }
}
