// The record table's columns: the catalog, the defaults, and the user's choice (persisted in
// localStorage as JSON, read back through parseColumnChoices). Pure apart from the two storage helpers.
import type { ApiRecord } from '../../shared/api.ts';
import { RECORD_FIELDS, type CellKind } from '../../shared/fields.ts';
import { isSortField, type SortField } from './params.ts';

export type { CellKind };

export interface ColumnDef {
  /** The record field (documented name). */
  key: string;
  label: string;
  /** Minimum width, CSS px; wider columns grow in proportion. */
  width: number;
  kind: CellKind;
  /** The server sort field, when the column can be sorted. */
  sort: SortField | null;
}

function col(key: string, label: string, width: number, kind: CellKind): ColumnDef {
  return { key, label, width, kind, sort: isSortField(key) ? key : null };
}

/** Every column the chooser offers (plus custom fields seen in the records), in table order. */
export const COLUMN_CATALOG: readonly ColumnDef[] = [...RECORD_FIELDS.values()].flatMap((f) =>
  f.show ? [col(f.name, f.show.label, f.show.width, f.show.cell)] : [],
);

const CATALOG_KEYS = new Set(COLUMN_CATALOG.map((c) => c.key));

/** Custom fields beyond this many are not offered as columns (they stay in the detail pane). */
export const MAX_EXTRA_COLUMNS = 32;
/** Records looked at to find custom fields and CCN records. */
const SAMPLE = 500;

const BASE_DEFAULTS = [
  'window',
  'topic',
  'stream',
  'srcaddr',
  'srcport',
  'dstaddr',
  'dstport',
  'protocol',
  'packets',
  'bytes',
  'action',
  'log-status',
];

/** True when some of the first records are CCN records (they carry regions). */
export function hasCcnRecords(records: readonly ApiRecord[]): boolean {
  const n = Math.min(records.length, SAMPLE);
  for (let i = 0; i < n; i++) {
    const r = records[i]!;
    if (r.srcregionid != null || r.dstregionid != null) return true;
  }
  return false;
}

/** Columns shown when the user has not chosen: the topic only across topics, regions for CCN. */
export function defaultColumns(opts: { allTopics: boolean; ccn: boolean }): Set<string> {
  const keys = new Set(BASE_DEFAULTS);
  if (!opts.allTopics) keys.delete('topic');
  if (opts.ccn) {
    keys.add('srcregionid');
    keys.add('dstregionid');
  }
  return keys;
}

/** The columns on offer: the catalog (no topic for a single topic) and custom fields seen in the records. */
export function availableColumns(
  records: readonly ApiRecord[],
  opts: { allTopics: boolean },
): ColumnDef[] {
  const out = COLUMN_CATALOG.filter((c) => opts.allTopics || c.key !== 'topic');
  const extra = new Set<string>();
  const n = Math.min(records.length, SAMPLE);
  for (let i = 0; i < n && extra.size < MAX_EXTRA_COLUMNS; i++) {
    for (const key of Object.keys(records[i]!)) {
      if (!CATALOG_KEYS.has(key) && isColumnName(key)) extra.add(key);
      if (extra.size >= MAX_EXTRA_COLUMNS) break;
    }
  }
  for (const key of [...extra].sort()) out.push({ ...col(key, key, 100, 'text') });
  return out;
}

/** The user's explicit choices (column -> shown); anything not chosen follows the defaults. */
export type ColumnChoices = Readonly<Record<string, boolean>>;

/** The columns to draw, in catalog order. */
export function shownColumns(
  available: readonly ColumnDef[],
  choices: ColumnChoices,
  defaults: ReadonlySet<string>,
): ColumnDef[] {
  return available.filter((c) => choices[c.key] ?? defaults.has(c.key));
}

/** CSS grid-template-columns: every column at least its width, growing in proportion. */
export function gridTemplate(columns: readonly ColumnDef[]): string {
  return columns.map((c) => `minmax(${c.width}px, ${c.width}fr)`).join(' ');
}

/** The table's minimum width, px. */
export function minTableWidth(columns: readonly ColumnDef[]): number {
  return columns.reduce((w, c) => w + c.width, 0);
}

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const isColumnName = (s: string): boolean => NAME.test(s);
const MAX_CHOICES = 200;

/** Stored choices -> choices; anything malformed is ignored (bad storage is never fatal). */
export function parseColumnChoices(text: string | null): Record<string, boolean> {
  if (!text) return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return {};
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return {};
  const choices = (v as { choices?: unknown }).choices;
  if (typeof choices !== 'object' || choices === null || Array.isArray(choices)) return {};
  const out: Record<string, boolean> = {};
  let n = 0;
  for (const [key, shown] of Object.entries(choices)) {
    if (n >= MAX_CHOICES) break;
    if (typeof shown === 'boolean' && isColumnName(key)) {
      out[key] = shown;
      n++;
    }
  }
  return out;
}

export function serializeColumnChoices(choices: ColumnChoices): string {
  return JSON.stringify({ v: 1, choices });
}

export const COLUMNS_STORAGE_KEY = 'flowdeck:record-columns';

export function loadColumnChoices(): Record<string, boolean> {
  try {
    return parseColumnChoices(localStorage.getItem(COLUMNS_STORAGE_KEY));
  } catch {
    return {};
  }
}

export function saveColumnChoices(choices: ColumnChoices): void {
  try {
    localStorage.setItem(COLUMNS_STORAGE_KEY, serializeColumnChoices(choices));
  } catch {
    // Private mode or storage disabled: the choice lasts for this page only.
  }
}
