// The query language: parse (with positioned errors), print and build. Each store backend compiles
// the AST to its own SQL (server/store/duckdb/compile.ts); match.ts runs it on records in memory.
export type {
  AndNode,
  KeywordNode,
  NotNode,
  OrNode,
  ParseResult,
  QueryError,
  QueryNode,
  TermNode,
  TermValue,
} from './ast.ts';
export {
  type ColumnKey,
  KEYWORD_COLUMNS,
  QUERY_FIELDS,
  type QueryField,
  type QueryFieldInfo,
  type QueryFieldKind,
  queryField,
} from './fields.ts';
export { and, buildFilter, type FilterValues, formatQuery, not, or, quoteValue } from './format.ts';
export {
  MAX_QUERY_DEPTH,
  MAX_QUERY_LENGTH,
  MAX_QUERY_TERMS,
  MAX_QUERY_WILDCARDS,
  parseQuery,
  suggestField,
} from './parse.ts';
