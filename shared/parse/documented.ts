// A record under the documented field names of its format: what users see (NDJSON, detail pane).
import type { RecordKey } from '../fields.ts';
import { CCN_FIELDS, ENI_FIELDS, FIELDS } from '../fields.ts';
import type { FlowRecord } from '../record.ts';

export type DocumentedRecord = Record<string, string | number | null>;

type Getter = (r: FlowRecord) => string | number | null;

function getterOf(name: string): Getter {
  const info = FIELDS.get(name);
  if (info === undefined || info.key === 'extra') return (r) => r.extra?.[name] ?? null;
  const key: RecordKey = info.key;
  return (r) => r[key];
}

const plans = new WeakMap<readonly string[], Array<[string, Getter]>>();

function planOf(fields: readonly string[]): Array<[string, Getter]> {
  let plan = plans.get(fields);
  if (plan === undefined) {
    plan = fields.map((name) => [name, getterOf(name)]);
    plans.set(fields, plan);
  }
  return plan;
}

const CORE_ORDER: readonly string[] = [
  ...ENI_FIELDS,
  'ccnid',
  'srcregionid',
  'dstregionid',
  'region-id',
];

/**
 * The record's values keyed by the documented names of its format, in format order: eni and ccn
 * use their own field lists; custom uses `fields` (the parse result's `format.fields`), or without
 * it the non-null core fields followed by `extra`. Integers are numbers, `version` is text (`2`, `V1`), `-` is null.
 */
export function recordToDocumented(
  record: FlowRecord,
  fields?: readonly string[],
): DocumentedRecord {
  const list = record.format === 'eni' ? ENI_FIELDS : record.format === 'ccn' ? CCN_FIELDS : fields;
  const out: DocumentedRecord = {};
  if (list !== undefined) {
    for (const [name, get] of planOf(list)) out[name] = get(record);
    return out;
  }
  for (const [name, get] of planOf(CORE_ORDER)) {
    const value = get(record);
    if (value !== null) out[name] = value;
  }
  return Object.assign(out, record.extra);
}
