// JSON items as shippers send them: `{"message": "<line>"}` (Vector, Logstash, syslog-ng; other
// keys such as a timestamp or a host are ignored), `{"log": "<line>"}` (Fluent Bit's tail input),
// or an object keyed by the documented field names. Both become a line for the one line parser, so a
// JSON record is checked exactly as a text line is. No Node, no DOM.
import { CCN_FIELDS, ENI_FIELDS } from '../fields.ts';
import { checkFieldList } from './format.ts';
import type { LogFormat, ParseErrorCode } from './types.ts';

/** What one JSON item is: a text line, a line in a format of its own, or an error. */
export type JsonItem =
  | { kind: 'line'; line: string }
  | { kind: 'fields'; line: string; format: LogFormat }
  | { kind: 'error'; code: ParseErrorCode; reason: string };

const sameSet = (keys: readonly string[], fields: readonly string[]) =>
  keys.length === fields.length && fields.every((f) => keys.includes(f));

/**
 * One JSON value (an element of an array, or a parsed NDJSON line). Keys of a field object are
 * documented field names (`srcaddr`, `log-status`...); values are strings without white space,
 * integers, or null (`-`). The 14 ENI or 16 CCN fields, in any order, are read as that format.
 */
export function jsonItem(value: unknown): JsonItem {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { kind: 'error', code: 'bad-json', reason: 'an item is not a JSON object' };
  }
  const obj = value as Record<string, unknown>;
  const lineKey = 'message' in obj ? 'message' : 'log' in obj ? 'log' : null;
  if (lineKey !== null) {
    const line = obj[lineKey];
    if (typeof line !== 'string')
      return { kind: 'error', code: 'bad-json', reason: `"${lineKey}" is not a string` };
    return { kind: 'line', line };
  }
  const keys = Object.keys(obj);
  if (keys.length === 0) return { kind: 'error', code: 'bad-json', reason: 'an empty object' };
  const order = sameSet(keys, ENI_FIELDS)
    ? ENI_FIELDS
    : sameSet(keys, CCN_FIELDS)
      ? CCN_FIELDS
      : keys;
  const checked = checkFieldList(order);
  if (!checked.ok) return { kind: 'error', code: 'bad-header', reason: checked.error.message };
  const tokens: string[] = [];
  for (const name of order) {
    const v = obj[name];
    if (v === null || v === '-') tokens.push('-');
    else if (typeof v === 'number' && Number.isSafeInteger(v)) tokens.push(String(v));
    else if (typeof v === 'string' && v !== '' && !/\s/.test(v)) tokens.push(v);
    else {
      return {
        kind: 'error',
        code: 'bad-json',
        reason: `${name}: ${JSON.stringify(v)?.slice(0, 60)} is not a value (a word without spaces, an integer or null)`,
      };
    }
  }
  return { kind: 'fields', line: tokens.join(' '), format: checked.data };
}
