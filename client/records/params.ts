// What the record explorer asks GET /api/records and /api/records/export for: the range, query,
// topic and sort, as query parameters. Pure.
import type { ApiRecord, RecordsPage, SortDir, SortField } from '../../shared/api.ts';
import { apiUrl, type QueryParams } from '../lib/api.ts';

export { isSortField, SORT_FIELDS, type SortDir, type SortField } from '../../shared/api.ts';

export interface SortSpec {
  field: SortField;
  dir: SortDir;
}

/** The server's default order: newest capture window first. */
export const DEFAULT_SORT: SortSpec = Object.freeze({ field: 'window', dir: 'desc' });

/** Fields whose first click sorts largest / newest first. */
const DESC_FIRST = new Set<SortField>(['window', 'seq', 'bytes', 'packets', 'start', 'end']);

/** The order after a click on a column header: the same field flips, another starts at its natural direction. */
export function nextSort(current: SortSpec, field: SortField): SortSpec {
  if (current.field === field) return { field, dir: current.dir === 'asc' ? 'desc' : 'asc' };
  return { field, dir: DESC_FIRST.has(field) ? 'desc' : 'asc' };
}

/** `window:desc`. */
export function sortParam(sort: SortSpec): string {
  return `${sort.field}:${sort.dir}`;
}

export interface RecordSearch {
  /** Omitted: every topic. */
  topicId?: string | undefined;
  /** Capture-window start range [from, to), epoch ms. */
  from: number;
  to: number;
  /** Query text; '' matches everything. */
  q: string;
  sort: SortSpec;
}

/** Query parameters shared by the page and export requests. */
export function searchParams(s: RecordSearch): QueryParams {
  return {
    topic: s.topicId,
    from: Math.round(s.from),
    to: Math.round(s.to),
    q: s.q.trim(),
    sort: sortParam(s.sort),
  };
}

/** A stable key of a search, to tell whether a new one differs from the current. */
export function searchKey(s: RecordSearch): string {
  return apiUrl('', searchParams(s));
}

export type ExportFormat = 'csv' | 'ndjson';

/** The download link of every matching record. */
export function exportHref(format: ExportFormat, s: RecordSearch): string {
  return apiUrl('/api/records/export', { format, ...searchParams(s) });
}

// ---------------------------------------------------------------------------------------------
// Edge check of a page (habit: validate at the edge once; the table then trusts the shapes).

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function isApiRecord(v: unknown): v is ApiRecord {
  if (!isObj(v)) return false;
  if (typeof v.topic !== 'string' || typeof v.stream !== 'string') return false;
  if (!isNum(v.window) || !isNum(v.seq)) return false;
  for (const key in v) {
    const x = v[key];
    if (x !== null && typeof x !== 'string' && !isNum(x)) return false;
  }
  return true;
}

export function isRecordsPage(v: unknown): v is RecordsPage {
  return (
    isObj(v) &&
    Array.isArray(v.records) &&
    isNum(v.total) &&
    isObj(v.sum) &&
    isNum(v.sum.bytes) &&
    isNum(v.sum.packets) &&
    (v.next === null || typeof v.next === 'string') &&
    v.records.every(isApiRecord)
  );
}
