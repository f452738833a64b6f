// Printing queries: the canonical text of an AST, and string builders for drill-down filters.
// parseQuery(formatQuery(ast)) gives back an equivalent AST (the same one for an AST from parseQuery).
import { cidrRange, ipToBigInt } from '../ip.ts';
import type { QueryNode, TermNode, TermValue } from './ast.ts';
import { PROTOCOLS_BY_NAME, type QueryField } from './fields.ts';
import { parseQuery } from './parse.ts';

const SPECIAL = /[\s()"\\*]/;
const OPERATOR = /^(and|or|not|&&|\|\|)$/i;

function quoted(v: string): string {
  return `"${v.replace(/[\\"]/g, '\\$&')}"`;
}

/**
 * A field value as query text that parses back to exactly `v`, with no wildcard: numbers as they
 * are, plain words and addresses (IPv6 too) bare, anything else double-quoted with `\` escapes.
 */
export function quoteValue(v: string | number): string {
  if (typeof v === 'number') return String(v);
  if (v === '' || SPECIAL.test(v) || /^[<>[{]/.test(v)) return quoted(v);
  return v;
}

/** A keyword as query text: bare when that reads back the same, else quoted. */
function keywordText(v: string): string {
  if (v === '' || SPECIAL.test(v) || OPERATOR.test(v) || /^(!|&&|\|\|)/.test(v)) return quoted(v);
  // The parser reads an IPv6 address or block as a keyword, any other `word:` as a field name.
  if (/[:：]/.test(v) && ipToBigInt(v) === null && cidrRange(v) === null) return quoted(v);
  return v;
}

/** The start of a value, escaped for a bare `...*` prefix term. */
function prefixText(v: string, keyword: boolean): string {
  let out = v.replace(keyword ? /[\s()"\\*:：]/g : /[\s()"\\*]/g, '\\$&');
  if (/^[<>[{]/.test(out) || (keyword && /^(!|&&|\|\|)/.test(out))) out = `\\${out}`;
  return `${out}*`;
}

function valueText(field: QueryField, v: TermValue): string {
  if (typeof v === 'number') {
    return (field === 'protocol' && PROTOCOLS_BY_NAME.get(v)) || String(v);
  }
  return quoteValue(v);
}

function boundText(v: TermValue): string {
  if (typeof v === 'number') return String(v);
  return v === '*' || /^to$/i.test(v) || /[\s()"\\*\]}]/.test(v) ? quoted(v) : v;
}

function termText(t: TermNode): string {
  const f = t.field;
  switch (t.op) {
    case 'eq':
      return `${f}:${valueText(f, t.value)}`;
    case 'prefix':
      return `${f}:${prefixText(t.value, false)}`;
    case 'cidr':
      return `${f}:${quoteValue(t.value)}`;
    case 'exists':
      return `${f}:*`;
    case 'range': {
      if (t.lo === null && t.hi === null) return `${f}:*`;
      if (t.hi === null) return `${f}:${t.loInclusive ? '>=' : '>'}${boundText(t.lo!)}`;
      if (t.lo === null) return `${f}:${t.hiInclusive ? '<=' : '<'}${boundText(t.hi)}`;
      const open = t.loInclusive ? '[' : '{';
      const close = t.hiInclusive ? ']' : '}';
      return `${f}:${open}${boundText(t.lo)} TO ${boundText(t.hi)}${close}`;
    }
  }
}

// Binding strength: a child weaker than its parent gets parentheses.
const STRENGTH = { or: 1, and: 2, not: 3, term: 4, keyword: 4 } as const;

function nodeText(n: QueryNode, parent: number): string {
  let text: string;
  switch (n.type) {
    case 'and':
      // An empty AND matches everything, like `*`.
      if (n.children.length === 0) return '*';
      text = n.children.map((c) => nodeText(c, STRENGTH.and)).join(' AND ');
      break;
    case 'or':
      if (n.children.length === 0) return 'NOT *';
      text = n.children.map((c) => nodeText(c, STRENGTH.or)).join(' OR ');
      break;
    case 'not':
      return `NOT ${nodeText(n.child, STRENGTH.not)}`;
    case 'term':
      return termText(n);
    case 'keyword':
      return n.prefix ? prefixText(n.value, true) : keywordText(n.value);
  }
  return STRENGTH[n.type] < parent && n.children.length > 1 ? `(${text})` : text;
}

/** The canonical text of a query: upper-case operators, explicit AND, minimal parentheses. null -> ''. */
export function formatQuery(ast: QueryNode | null): string {
  return ast === null ? '' : nodeText(ast, 0);
}

type Part = string | null | undefined | false;

function parts(list: Part[]): string[] {
  return list
    .filter((p): p is string => typeof p === 'string' && p.trim() !== '')
    .map((p) => p.trim());
}

/** Query texts joined with AND; a part with a top-level OR (or one that does not parse) is parenthesized. */
export function and(...list: Part[]): string {
  const ps = parts(list);
  if (ps.length === 1) return ps[0]!;
  return ps
    .map((p) => {
      const r = parseQuery(p);
      return r.ok && r.ast?.type !== 'or' ? p : `(${p})`;
    })
    .join(' AND ');
}

/** Query texts joined with OR (AND binds tighter, so valid parts need no parentheses). */
export function or(...list: Part[]): string {
  const ps = parts(list);
  if (ps.length === 1) return ps[0]!;
  return ps.map((p) => (parseQuery(p).ok ? p : `(${p})`)).join(' OR ');
}

/** NOT of a query text; parenthesized unless it is a single term. '' for an empty part. */
export function not(part: Part): string {
  const [p] = parts([part]);
  if (p === undefined) return '';
  const r = parseQuery(p);
  const single =
    r.ok && (r.ast?.type === 'term' || r.ast?.type === 'keyword' || r.ast?.type === 'not');
  return single ? `NOT ${p}` : `NOT (${p})`;
}

/** Values of a drill-down filter by query field name; null, undefined and '' are left out. */
export type FilterValues = Partial<Record<QueryField, string | number | null | undefined>>;

/**
 * `field:value AND ...` in the order given, canonical where the value is valid (protocol 6 ->
 * `protocol:tcp`, `reject` -> `REJECT`); an invalid value or field is kept as typed so the query bar shows the error.
 */
export function buildFilter(values: FilterValues): string {
  const terms: string[] = [];
  for (const [field, value] of Object.entries(values)) {
    if (value === null || value === undefined || value === '') continue;
    const text = `${field}:${quoteValue(value)}`;
    const r = parseQuery(text);
    terms.push(r.ok && r.ast ? formatQuery(r.ast) : text);
  }
  return and(...terms);
}
