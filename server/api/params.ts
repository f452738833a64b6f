// Query-string parameters of the history API, validated once at the edge. Each problem names the
// parameter and what it takes; a bad `q` is reported with its position in the query text.
import { STEPS, autoStep } from '../../shared/api.ts';
import { windowLabel } from '../../shared/capture-window.ts';
import { parseQuery, type QueryNode } from '../../shared/query/index.ts';

export class BadRequest extends Error {
  constructor(
    message: string,
    readonly code: 'bad_request' | 'bad_query' = 'bad_request',
    readonly position?: number,
    readonly length?: number,
  ) {
    super(message);
    this.name = 'BadRequest';
  }
}

type Query = Record<string, unknown>;

const MAX_SPAN_MS = 400 * 86_400_000;

function single(query: Query, name: string): string | undefined {
  const v = query[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new BadRequest(`${name} must be given once`);
  return v;
}

/** A time given as epoch milliseconds or ISO 8601. */
export function parseTime(name: string, text: string): number {
  const t = /^-?\d+$/.test(text.trim()) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(t) || Math.abs(t) > 8.64e15)
    throw new BadRequest(
      `${name} must be an ISO 8601 time or epoch milliseconds, got ${JSON.stringify(text.slice(0, 64))}`,
    );
  return t;
}

/** `from` and `to` (default: the hour before now), checked to be in order and at most 400 days apart. */
export function parseRange(query: Query, now: number): { from: number; to: number } {
  const fromText = single(query, 'from');
  const toText = single(query, 'to');
  const to = toText === undefined || toText === '' ? now : parseTime('to', toText);
  const from =
    fromText === undefined || fromText === '' ? to - 3_600_000 : parseTime('from', fromText);
  if (from >= to) throw new BadRequest('from must be before to');
  if (to - from > MAX_SPAN_MS) throw new BadRequest('the range may span at most 400 days');
  return { from, to };
}

/**
 * `step`: 1m, 5m, 10m, 1h, or milliseconds, a whole number of the topic's windows (`windowMs`);
 * default from the range's span, never finer than the window.
 */
export function parseStep(query: Query, from: number, to: number, windowMs: number): number {
  const text = single(query, 'step');
  if (text === undefined || text === '' || text === 'auto') return autoStep(from, to, windowMs);
  const named = (STEPS as Record<string, number>)[text];
  const step = named ?? (/^\d+$/.test(text) ? Number(text) : NaN);
  if (!Number.isSafeInteger(step) || step < windowMs || step % windowMs !== 0)
    throw new BadRequest(
      `step must be a whole number of the topic's ${windowLabel(windowMs)} capture windows ` +
        `(${Object.keys(STEPS).join(', ')} or milliseconds, a multiple of ${windowMs}), got ${JSON.stringify(text.slice(0, 32))}`,
    );
  if ((to - from) / step > 20_000)
    throw new BadRequest('step is too fine for the range (over 20,000 points)');
  return step;
}

/** `q` parsed to the query AST the store filters by; null when empty. */
export function parseQ(query: Query): { text: string; where: QueryNode | null } {
  const text = single(query, 'q') ?? '';
  const r = parseQuery(text);
  if (!r.ok)
    throw new BadRequest(
      `bad query: ${r.error.message}`,
      'bad_query',
      r.error.position,
      r.error.length,
    );
  return { text: text.trim(), where: r.ast };
}

export function parseInt10(
  query: Query,
  name: string,
  min: number,
  max: number,
  fallback: number,
): number {
  const text = single(query, name);
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max)
    throw new BadRequest(`${name} must be an integer from ${min} to ${max}`);
  return n;
}

export function parseString(query: Query, name: string, maxLength: number): string | undefined {
  const text = single(query, name);
  if (text === undefined || text === '') return undefined;
  if (text.length > maxLength) throw new BadRequest(`${name} is too long`);
  return text;
}
