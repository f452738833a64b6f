// History and drill-down routes over the store: per-topic series and charts for a range and a
// query, and the raw records behind any number, paged or exported.
import type { FastifyInstance, FastifyReply } from 'fastify';
import {
  isSortField,
  SORT_FIELDS,
  type ApiRecord,
  type RecordsPage,
  type SortDir,
  type SortField,
  type TopicWindows,
} from '../../shared/api.ts';
import { CCN_FIELDS, ENI_FIELDS, STORAGE_FIELDS } from '../../shared/fields.ts';
import { recordToDocumented } from '../../shared/parse/index.ts';
import { fail, ok } from '../../shared/reply.ts';
import type { Catalog } from '../catalog/catalog.ts';
import type { Clock } from '../clock.ts';
import type { Store } from '../store/store.ts';
import type { RecordPage, RecordQuery, StoredRecord } from '../store/types.ts';
import { BadRequest, parseInt10, parseQ, parseRange, parseStep, parseString } from './params.ts';
import { ReadRefused, type ReadQueue } from './read-queue.ts';

export interface HistoryDeps {
  catalog: Catalog;
  store: Store;
  clock: Clock;
  warn: (msg: string) => void;
  /** The fair queue every history read waits in (deadline, cancellation when the client goes). */
  reads: ReadQueue;
}

/** Aborts when the client closes the connection before its answer was written. */
export function goneSignal(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort(new Error('the client went away'));
  });
  return controller.signal;
}

/** Rows one export may hold. */
export const EXPORT_MAX_ROWS = 1_000_000;

function parseSort(text: string | undefined): { field: SortField; dir: SortDir } {
  if (text === undefined) return { field: 'window', dir: 'desc' };
  const [field = '', dir = 'desc'] = text.split(':');
  if (!isSortField(field) || (dir !== 'asc' && dir !== 'desc'))
    throw new BadRequest(
      `sort must be <field>:asc|desc with field one of ${SORT_FIELDS.join(', ')}`,
    );
  return { field, dir };
}

export function toApiRecord(r: StoredRecord): ApiRecord {
  return {
    ...recordToDocumented(r),
    topic: r.topicId,
    stream: r.streamId,
    window: r.windowStart,
    seq: r.seq,
  };
}

export function registerHistoryApi(app: FastifyInstance, deps: HistoryDeps) {
  const { catalog, store, clock, reads } = deps;

  const topicOrThrow = (id: string | undefined) => {
    if (id === undefined) return undefined;
    const topic = catalog.topic(id);
    if (!topic) throw new NotFound(`no topic ${JSON.stringify(id.slice(0, 200))}`);
    return topic;
  };

  app.get<{ Params: { id: string }; Querystring: Record<string, unknown> }>(
    '/api/topics/:id/windows',
    async (req, reply) =>
      handle(reply, deps, async () => {
        const topic = topicOrThrow(req.params.id)!;
        const { from, to } = parseRange(req.query, clock.now());
        const step = parseStep(req.query, from, to, topic.windowSec * 1000);
        const { text, where } = parseQ(req.query);
        const topN = parseInt10(req.query, 'top', 1, 1000, 20);
        const r = await reads.run(req.ip, goneSignal(reply), (signal) =>
          store.aggregate(
            { topicId: topic.id, fromMs: from, toMs: to, where, stepMs: step, topN },
            { signal },
          ),
        );
        const data: TopicWindows = {
          topicId: topic.id,
          from,
          to,
          step,
          q: text,
          series: r.series,
          accept: r.accept,
          reject: r.reject,
          byProtocol: r.byProtocol,
          top: r.top,
          regionPairs: r.regionPairs,
        };
        return data;
      }),
  );

  app.get<{ Querystring: Record<string, unknown> }>('/api/records', async (req, reply) =>
    handle(reply, deps, async () => {
      const topic = topicOrThrow(parseString(req.query, 'topic', 200));
      const { from, to } = parseRange(req.query, clock.now());
      const { where } = parseQ(req.query);
      const q = {
        topicId: topic?.id,
        fromMs: from,
        toMs: to,
        where,
        limit: parseInt10(req.query, 'limit', 1, 1000, 100),
        cursor: parseString(req.query, 'cursor', 1024) ?? null,
        order: parseSort(parseString(req.query, 'sort', 40)),
      };
      const page = await reads.run(req.ip, goneSignal(reply), (signal) =>
        store.queryRecords(q, { signal }),
      );
      const data: RecordsPage = { ...page, records: page.records.map(toApiRecord) };
      return data;
    }),
  );

  app.get<{ Querystring: Record<string, unknown> }>('/api/records/export', async (req, reply) => {
    let params;
    try {
      const format = parseString(req.query, 'format', 10) ?? 'csv';
      if (format !== 'csv' && format !== 'ndjson')
        throw new BadRequest('format must be csv or ndjson');
      const topic = topicOrThrow(parseString(req.query, 'topic', 200));
      const { from, to } = parseRange(req.query, clock.now());
      const { where } = parseQ(req.query);
      params = {
        format,
        topic,
        from,
        to,
        where,
        order: parseSort(parseString(req.query, 'sort', 40)),
      };
    } catch (err) {
      return sendError(reply, deps, err);
    }
    const { format, topic, from, to, where, order } = params;
    const name = `flowdeck-${topic?.id ?? 'all'}-${new Date(from).toISOString().replace(/[:.]/g, '')}.${format}`;
    // Written to the socket directly (streamed), so the headers onSend adds are set here.
    reply.raw.writeHead(200, {
      'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson',
      'content-disposition': `attachment; filename="${name}"`,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    });
    let cursor: string | null = null;
    let rows = 0;
    const gone = goneSignal(reply);
    // One header for every row: the fields of the topic's format (every core field across
    // topics), then where the record is stored. Custom fields are in the NDJSON export.
    const header = csvHeader(topic?.format);
    if (format === 'csv') reply.raw.write(`${header.map(csvCell).join(',')}\n`);
    try {
      do {
        // Each page waits its turn with its own deadline; the export stops when the client goes.
        const q: RecordQuery = {
          topicId: topic?.id,
          fromMs: from,
          toMs: to,
          where,
          limit: 10_000,
          cursor,
          order,
        };
        const page: RecordPage = await reads.run(req.ip, gone, (signal) =>
          store.queryRecords(q, { signal }),
        );
        let chunk = '';
        for (const r of page.records) {
          const rec = toApiRecord(r);
          if (format === 'ndjson') chunk += `${JSON.stringify(rec)}\n`;
          else {
            chunk += `${header.map((k) => csvCell(rec[k])).join(',')}\n`;
          }
          if (++rows >= EXPORT_MAX_ROWS) break;
        }
        if (!reply.raw.write(chunk)) await new Promise((r) => reply.raw.once('drain', r));
        if (reply.raw.destroyed) break;
        cursor = page.next;
      } while (cursor !== null && rows < EXPORT_MAX_ROWS);
    } catch (err) {
      deps.warn(`export: ${(err as Error).message}`);
    }
    reply.raw.end();
    return reply;
  });
}

class NotFound extends Error {}

/** CSV columns: the documented fields of `format` (all core fields when omitted), then storage. */
export function csvHeader(format: 'eni' | 'ccn' | undefined): string[] {
  const core =
    format === 'eni'
      ? ENI_FIELDS
      : format === 'ccn'
        ? CCN_FIELDS
        : [...ENI_FIELDS, ...CCN_FIELDS.filter((f) => !ENI_FIELDS.includes(f))];
  return [...core, ...STORAGE_FIELDS.keys()];
}

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  // Quote what CSV needs, and defuse formulas for spreadsheet users.
  const safe = /^[=+\-@\t\r]/.test(s) && typeof v === 'string' ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function sendError(reply: FastifyReply, deps: HistoryDeps, err: unknown) {
  if (err instanceof BadRequest) {
    const body = fail(err.code, err.message);
    if (err.position !== undefined && !body.ok)
      Object.assign(body.error, { position: err.position, length: err.length });
    return reply.code(400).send(body);
  }
  if (err instanceof NotFound) return reply.code(404).send(fail('not_found', err.message));
  if (err instanceof ReadRefused) {
    reply.header('retry-after', String(err.retryAfterSec));
    return reply.code(err.status).send(fail(err.code, err.message));
  }
  const e = err as { kind?: string; message?: string };
  if (e.kind === 'query')
    return reply.code(400).send(fail('bad_request', e.message ?? 'bad request'));
  deps.warn(`api: ${e.message ?? String(err)}`);
  return reply.code(503).send(fail('unavailable', 'the store could not answer; try again'));
}

async function handle<T>(reply: FastifyReply, deps: HistoryDeps, run: () => Promise<T>) {
  try {
    return ok(await run());
  } catch (err) {
    return sendError(reply, deps, err);
  }
}
