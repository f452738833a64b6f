// Format specs: `auto`, `eni`, `ccn` or a list of field names, resolved to a LogFormat.
import { CCN_FIELDS, ENI_FIELDS, FIELDS } from '../fields.ts';
import type { Reply } from '../reply.ts';
import { fail, ok } from '../reply.ts';
import type { FormatSpec, LogFormat } from './types.ts';

export const ENI_FORMAT: LogFormat = Object.freeze({ kind: 'eni', fields: ENI_FIELDS });
export const CCN_FORMAT: LogFormat = Object.freeze({ kind: 'ccn', fields: CCN_FIELDS });

function sameFields(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name, i) => name === b[i]);
}

/** The LogFormat of a field list that is known to be valid (no duplicates, not empty). */
export function formatOf(fields: readonly string[]): LogFormat {
  if (sameFields(fields, ENI_FIELDS)) return ENI_FORMAT;
  if (sameFields(fields, CCN_FIELDS)) return CCN_FORMAT;
  return Object.freeze({ kind: 'custom', fields: Object.freeze([...fields]) });
}

const NAME = /^[a-z0-9][a-z0-9_-]*$/;

/** Damerau-Levenshtein distance of at most one: one insertion, deletion, substitution or swap. */
function nearlyEqual(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1 || a === b) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true;
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
  }
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

function closeKnownName(name: string): string | undefined {
  for (const known of FIELDS.keys()) if (nearlyEqual(name, known)) return known;
  return undefined;
}

/**
 * Checks a field-name list. Unknown names are accepted (their values are kept as strings in
 * `extra`), except one a single edit away from a known name, which is taken for a typo.
 */
export function checkFieldList(names: readonly string[]): Reply<LogFormat> {
  if (names.length === 0) return fail('bad_format', 'the format names no field');
  const seen = new Map<string, number>();
  for (const [i, name] of names.entries()) {
    const at = `field ${i + 1}`;
    if (!NAME.test(name)) {
      return fail(
        'bad_format',
        `${at}: ${JSON.stringify(name)} is not a field name (a-z, 0-9, - and _)`,
      );
    }
    const first = seen.get(name);
    if (first !== undefined) {
      return fail('bad_format', `${at}: ${JSON.stringify(name)} is already field ${first + 1}`);
    }
    seen.set(name, i);
    if (!FIELDS.has(name)) {
      const close = closeKnownName(name);
      if (close !== undefined) {
        return fail(
          'bad_format',
          `${at}: unknown field ${JSON.stringify(name)}; did you mean ${JSON.stringify(close)}?`,
        );
      }
    }
  }
  return ok(formatOf(names));
}

/**
 * Reads a --format value: `auto`, `eni`, `ccn`, or field names separated by spaces or commas,
 * each optionally written the AWS way as `${name}`.
 */
export function parseFormatSpec(spec: string): Reply<'auto' | LogFormat> {
  const trimmed = spec.trim();
  const keyword = trimmed.toLowerCase();
  if (keyword === 'auto') return ok('auto');
  if (keyword === 'eni') return ok(ENI_FORMAT);
  if (keyword === 'ccn') return ok(CCN_FORMAT);
  if (trimmed === '') return fail('bad_format', 'empty format: use auto, eni, ccn or field names');
  const names = trimmed
    .split(/[\s,]+/)
    .filter((t) => t !== '')
    .map((t) => (t.startsWith('${') && t.endsWith('}') ? t.slice(2, -1) : t));
  return checkFieldList(names);
}

/** The fixed format of a spec, or null for auto. Throws on an invalid field list (a programming error). */
export function resolveFormatSpec(spec: FormatSpec): LogFormat | null {
  if (spec === 'auto') return null;
  if (spec === 'eni' || spec === ENI_FORMAT) return ENI_FORMAT;
  if (spec === 'ccn' || spec === CCN_FORMAT) return CCN_FORMAT;
  const fields: readonly string[] = 'fields' in spec ? spec.fields : spec;
  const checked = checkFieldList(fields);
  if (!checked.ok) throw new TypeError(`createLineParser: ${checked.error.message}`);
  return checked.data;
}
