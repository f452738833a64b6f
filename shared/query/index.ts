// The query language: parse (with positioned errors), print, build and compile to parameterized SQL.
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
  type ColumnMap,
  type CompiledQuery,
  compileQuery,
  likePrefix,
  RECORD_COLUMNS,
  type SqlParam,
} from './compile.ts';
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
