// The HTTP push source's body: read (gunzipped when sent so) up to a limit that a gzip bomb cannot
// pass, then cut into the items of one batch: text lines, NDJSON items or the elements of a JSON
// array. A bad line is an item with its error (it is rejected and kept, its neighbours go on); a
// body that cannot be read at all is a PushError (nothing is stored).
import { isUtf8 } from 'node:buffer';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { jsonItem } from '../../shared/parse/object.ts';
import { textItems } from './lines.ts';
import type { LineItem } from './pipeline.ts';

export type PushKind = 'text' | 'ndjson' | 'json';

/** A request that cannot be taken at all: its status, code and message go to the answer. */
export class PushError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'PushError';
  }
}

const KINDS: Record<string, PushKind> = {
  'text/plain': 'text',
  'application/x-ndjson': 'ndjson',
  'application/ndjson': 'ndjson',
  'application/jsonl': 'ndjson',
  'application/json': 'json',
};

export const PUSH_CONTENT_TYPES = ['text/plain', 'application/x-ndjson', 'application/json'];

/** The body's kind by its Content-Type (parameters such as charset=utf-8 ignored), or null. */
export function pushKindOf(contentType: string | undefined): PushKind | null {
  if (!contentType) return null;
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return KINDS[type] ?? null;
}

/**
 * The body, decompressed when `encoding` is gzip, at most `limit` bytes after decompression (a
 * larger one is cut off at the limit: 413, and nothing more is read or inflated).
 */
export async function readBody(
  body: Readable,
  encoding: string | undefined,
  limit: number,
): Promise<Buffer> {
  const enc = (encoding ?? 'identity').trim().toLowerCase();
  if (enc !== 'identity' && enc !== 'gzip' && enc !== 'x-gzip') {
    body.resume();
    throw new PushError(
      415,
      'unsupported_encoding',
      `Content-Encoding ${JSON.stringify(enc.slice(0, 40))} is not supported: send gzip or nothing`,
    );
  }
  const gunzip = enc === 'identity' ? null : createGunzip();
  const source: Readable = gunzip ? body.pipe(gunzip) : body;
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of source.iterator({
      destroyOnReturn: false,
    }) as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) break;
      chunks.push(chunk);
    }
    if (size > limit) {
      // Nothing more is kept or inflated; what the client still sends is read and dropped (up
      // to the limit again), so that it reads the answer instead of a reset connection.
      if (gunzip) {
        body.unpipe(gunzip);
        gunzip.destroy();
      }
      await discard(body, limit);
      throw new PushError(
        413,
        'too_large',
        `the body is over the limit of ${Math.floor(limit / 1048576)} MiB${gunzip ? ' after decompression' : ''}: send smaller batches`,
      );
    }
  } catch (err) {
    if (err instanceof PushError) throw err;
    const code = (err as { code?: string }).code ?? '';
    if (code.startsWith('Z_') || /incorrect header|unexpected end/i.test((err as Error).message))
      throw new PushError(400, 'bad_gzip', 'the body is not valid gzip');
    throw new PushError(400, 'bad_request', 'the body could not be read to its end');
  }
  return Buffer.concat(chunks, size);
}

/** Reads and drops the rest of `body`, at most `max` bytes (then the connection is cut). */
async function discard(body: Readable, max: number): Promise<void> {
  let seen = 0;
  if (body.readableEnded || body.destroyed) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      body.off('data', onData);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > max) {
        body.destroy();
        done();
      }
    };
    body.on('data', onData);
    body.once('end', done);
    body.once('error', done);
    body.once('close', done);
    body.resume();
  });
}

/** The body's items, in order, and the raw text of each (what a rejected item quarantines). */
export function itemsOf(kind: PushKind, body: Buffer): { items: LineItem[]; raw?: string[] } {
  if (kind === 'json') return jsonItems(body);
  const lines = textItems(body);
  if (kind === 'text') return { items: lines };
  const items: LineItem[] = [];
  const raw: string[] = [];
  for (const text of lines) {
    if (typeof text !== 'string') {
      items.push(text);
      raw.push((text as { raw: string }).raw);
      continue;
    }
    raw.push(text);
    if (text.trim() === '') {
      items.push('');
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      items.push({ error: { code: 'bad-json', reason: 'the line is not JSON' }, raw: text });
      continue;
    }
    items.push(toLineItem(value, text));
  }
  return { items, raw };
}

function toLineItem(value: unknown, raw: string): LineItem {
  const item = jsonItem(value);
  if (item.kind === 'line') return item.line;
  if (item.kind === 'fields') return { line: item.line, format: item.format };
  return { error: { code: item.code, reason: item.reason }, raw };
}

function jsonItems(body: Buffer): { items: LineItem[]; raw: string[] } {
  if (!isUtf8(body)) throw new PushError(400, 'bad_encoding', 'the body is not valid UTF-8');
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (err) {
    const at = /position (\d+)/.exec((err as Error).message)?.[1];
    throw new PushError(
      400,
      'bad_json',
      `the body is not valid JSON${at === undefined ? '' : ` (at byte ${at})`}: nothing was stored`,
    );
  }
  if (!Array.isArray(value))
    throw new PushError(
      400,
      'bad_json',
      'the body must be a JSON array of objects ({"message": "<line>"} or keyed by field names)',
    );
  const raw = value.map((v) => JSON.stringify(v) ?? String(v));
  return { items: value.map((v, i) => toLineItem(v, raw[i]!)), raw };
}
