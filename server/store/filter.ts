// What a store is asked to filter by: the query language's AST (shared/query), never SQL. Each
// backend compiles it to its own dialect; what a backend may answer from its rollups is decided
// here, on the AST, for every backend alike, and so is the LIKE pattern of a prefix.
import { cidrRange, ipToBigInt } from '../../shared/ip.ts';
import type { QueryField, QueryNode } from '../../shared/query/index.ts';

/** A record filter: a parsed query, or null for every record. */
export type Filter = QueryNode | null;

/**
 * The fields the hourly rollups keep with the same values as the records (the dimensions a
 * dashboard filters by). Addresses, ports, counters and times are not kept.
 */
export const ROLLUP_FIELDS: ReadonlySet<QueryField> = new Set<QueryField>([
  'topic',
  'stream',
  'version',
  'account-id',
  'interface-id',
  'protocol',
  'action',
  'log-status',
  'ccnid',
  'srcregionid',
  'dstregionid',
  'region-id',
]);

/**
 * Whether `filter` gives the same answer on a rollup row as on each of its records: every term
 * reads a field the rollup keeps, and every bare word is one the rollup can look for. A word is
 * looked for in every text field, addresses included; the rollup keeps the texts that are not
 * addresses, and an address text never equals a word that is not an address, so such a word
 * gives the same answer. An address or block word, or a trailing-`*` word (which can match the
 * start of an address), needs the records.
 */
export function rollupSafe(filter: Filter | undefined): boolean {
  if (!filter) return true;
  switch (filter.type) {
    case 'and':
    case 'or':
      return filter.children.every(rollupSafe);
    case 'not':
      return rollupSafe(filter.child);
    case 'term':
      return ROLLUP_FIELDS.has(filter.field);
    case 'keyword':
      if (filter.prefix) return filter.value === '';
      return ipToBigInt(filter.value) === null && cidrRange(filter.value) === null;
    default:
      return false;
  }
}

/** A LIKE pattern matching every text that starts with `prefix` (`%`, `_` and `\` escaped with `\`). */
export function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, '\\$&')}%`;
}
