// Query AST -> a parameterized SQL boolean expression for DuckDB. User text never becomes SQL
// text: the SQL holds only fixed keywords, `?` placeholders and column identifiers from a ColumnMap.
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

/** SQL identifier of each stored column, by the documented name of its field. */
export type ColumnMap = Readonly<Record<ColumnKey, string>>;

/** The store's `records` table. */
export const RECORD_COLUMNS: ColumnMap = COLUMN_NAMES;

export type SqlParam = string | number | bigint;

/**
 * `sql` is a boolean expression with one `?` per entry of `params`, in order, so it can be spliced
 * into a larger statement whose own `?` parameters come before and after it.
 */
export interface CompiledQuery {
  sql: string;
  params: SqlParam[];
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const quotedMaps = new WeakMap<ColumnMap, Map<ColumnKey, string>>();

/** The map's identifiers double-quoted (`t.col` -> `"t"."col"`); throws on anything but plain identifiers. */
function quoteColumns(columns: ColumnMap): Map<ColumnKey, string> {
  let quoted = quotedMaps.get(columns);
  if (quoted) return quoted;
  quoted = new Map();
  for (const key of Object.keys(RECORD_COLUMNS) as ColumnKey[]) {
    const name = columns[key];
    const parts = typeof name === 'string' ? name.split('.') : [];
    if (parts.length < 1 || parts.length > 2 || !parts.every((p) => IDENTIFIER.test(p))) {
      throw new Error(`column map: '${key}' is not a plain SQL identifier`);
    }
    quoted.set(key, parts.map((p) => `"${p}"`).join('.'));
  }
  quotedMaps.set(columns, quoted);
  return quoted;
}

const LIKE = `LIKE ? ESCAPE '\\'`;
const ILIKE = `ILIKE ? ESCAPE '\\'`;
// node-api binds a JS bigint as a signed HUGEINT, which cannot hold addresses from 8000:: up
// (fc00::/7, fe80::/10...): address values are passed as decimal strings and cast here.
const IP = 'CAST(? AS UHUGEINT)';

class Compiler {
  readonly params: SqlParam[] = [];
  constructor(readonly cols: Map<ColumnKey, string>) {}

  col(key: ColumnKey): string {
    return this.cols.get(key)!;
  }

  p(value: SqlParam): void {
    this.params.push(value);
  }

  node(n: QueryNode): string {
    switch (n.type) {
      case 'and':
      case 'or': {
        if (n.children.length === 0) return n.type === 'and' ? 'TRUE' : 'FALSE';
        const parts = n.children.map((c) => this.node(c));
        return parts.length === 1
          ? parts[0]!
          : `(${parts.join(n.type === 'and' ? ' AND ' : ' OR ')})`;
      }
      case 'not':
        // A term on a missing (NULL) value is false, so NOT of it is true.
        return `(NOT coalesce(${this.node(n.child)}, FALSE))`;
      case 'term':
        return this.term(n);
      case 'keyword':
        return this.keyword(n);
      default:
        throw new Error('query AST: unknown node type');
    }
  }

  /** One predicate per column, ORed (pseudo-fields read two columns). */
  any(columns: readonly ColumnKey[], predicate: (col: string) => string): string {
    const parts = columns.map((c) => predicate(this.col(c)));
    return parts.length === 1 ? parts[0]! : `(${parts.join(' OR ')})`;
  }

  term(t: TermNode): string {
    const info = QUERY_FIELDS.get(t.field);
    if (!info) throw new Error('query AST: unknown field');
    switch (t.op) {
      case 'exists':
        return this.any(info.columns, (c) => `${c} IS NOT NULL`);
      case 'eq':
        return this.eq(info, t.value);
      case 'prefix':
        if (info.kind !== 'text' && info.kind !== 'addr' && info.kind !== 'version') break;
        return this.any(info.columns, (c) => {
          this.p(likePrefix(String(t.value)));
          return `${c} ${info.kind === 'version' ? ILIKE : LIKE}`;
        });
      case 'cidr': {
        const r = info.kind === 'addr' ? cidrRange(String(t.value)) : null;
        if (!r) break;
        return this.any(info.ipColumns, (c) => {
          this.p(r.lo.toString());
          this.p(r.hi.toString());
          return `${c} BETWEEN ${IP} AND ${IP}`;
        });
      }
      case 'range':
        return this.range(info, t.lo, t.hi, t.loInclusive, t.hiInclusive);
    }
    throw new Error(`query AST: bad ${t.op} term on ${t.field}`);
  }

  /** A term value as a parameter and its placeholder; throws on a value of the wrong type. */
  value(info: QueryFieldInfo, v: TermValue): [SqlParam, string] {
    if (info.kind === 'addr') {
      const n = ipToBigInt(String(v));
      if (n === null) throw new Error(`query AST: bad address on ${info.name}`);
      return [n.toString(), IP];
    }
    if (info.kind === 'port' || info.kind === 'protocol' || info.kind === 'long') {
      if (typeof v !== 'number' || !Number.isSafeInteger(v)) {
        throw new Error(`query AST: ${info.name} needs an integer`);
      }
      return [v, '?'];
    }
    return [String(v), '?'];
  }

  eq(info: QueryFieldInfo, v: TermValue): string {
    if (info.kind === 'version') {
      return this.any(info.columns, (c) => {
        this.p(String(v).toUpperCase());
        return `upper(${c}) = ?`;
      });
    }
    const [param, placeholder] = this.value(info, v);
    const columns = info.kind === 'addr' ? info.ipColumns : info.columns;
    return this.any(columns, (c) => {
      this.p(param);
      return `${c} = ${placeholder}`;
    });
  }

  range(
    info: QueryFieldInfo,
    lo: TermValue | null,
    hi: TermValue | null,
    loInclusive: boolean,
    hiInclusive: boolean,
  ): string {
    if (info.kind === 'text' || info.kind === 'version' || info.kind === 'enum') {
      throw new Error(`query AST: range on ${info.name}`);
    }
    const columns = info.kind === 'addr' ? info.ipColumns : info.columns;
    if (lo === null && hi === null) return this.any(info.columns, (c) => `${c} IS NOT NULL`);
    const low = lo === null ? null : this.value(info, lo);
    const high = hi === null ? null : this.value(info, hi);
    return this.any(columns, (c) => {
      if (low && high && loInclusive && hiInclusive) {
        this.p(low[0]);
        this.p(high[0]);
        return `${c} BETWEEN ${low[1]} AND ${high[1]}`;
      }
      const parts: string[] = [];
      if (low) {
        this.p(low[0]);
        parts.push(`${c} ${loInclusive ? '>=' : '>'} ${low[1]}`);
      }
      if (high) {
        this.p(high[0]);
        parts.push(`${c} ${hiInclusive ? '<=' : '<'} ${high[1]}`);
      }
      return parts.length === 1 ? parts[0]! : `(${parts.join(' AND ')})`;
    });
  }

  keyword(k: KeywordNode): string {
    const value = String(k.value);
    if (k.prefix) {
      if (value === '') return 'TRUE';
      return this.any(KEYWORD_COLUMNS, (c) => {
        this.p(likePrefix(value));
        return `${c} ${ILIKE}`;
      });
    }
    // An address or a block is looked for in both address columns, as numbers.
    const ip = ipToBigInt(value);
    const block = ip === null ? cidrRange(value) : null;
    if (ip !== null || block) {
      return this.any(['src-ip', 'dst-ip'], (c) => {
        if (ip !== null) {
          this.p(ip.toString());
          return `${c} = ${IP}`;
        }
        this.p(block!.lo.toString());
        this.p(block!.hi.toString());
        return `${c} BETWEEN ${IP} AND ${IP}`;
      });
    }
    this.p(value);
    return `lower(?) IN (${KEYWORD_COLUMNS.map((c) => `lower(${this.col(c)})`).join(', ')})`;
  }
}

/**
 * A SQL boolean expression for a query and its parameters; null (the empty query) is `TRUE`.
 * Terms on a missing value (NULL) are false, and NOT of them true. Throws only on an AST that
 * parseQuery cannot produce or on a bad column map (programming errors, not user errors).
 */
export function compileQuery(
  ast: QueryNode | null,
  columns: ColumnMap = RECORD_COLUMNS,
): CompiledQuery {
  const compiler = new Compiler(quoteColumns(columns));
  if (ast === null) return { sql: 'TRUE', params: [] };
  const sql = compiler.node(ast);
  return { sql, params: compiler.params };
}
