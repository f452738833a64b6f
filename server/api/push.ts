// POST /api/topics/:id/records: flow-log lines from shippers (Vector, Fluent Bit, Logstash,
// syslog-ng, curl, `flowdeck ingest`). One request is one batch and one store transaction: the
// answer comes after every accepted record is committed, with accepted + filtered + rejected =
// lines; nothing is half-stored, and when the store is full the sender is told to come back
// (503 + Retry-After) before anything of the request was taken.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Readable } from 'node:stream';
import { parseFormatSpec } from '../../shared/parse/index.ts';
import { fail, ok } from '../../shared/reply.ts';
import type { Catalog } from '../catalog/catalog.ts';
import type { Clock } from '../clock.ts';
import type { Ingest, IngestOutcome } from '../ingest/pipeline.ts';
import {
  itemsOf,
  PUSH_CONTENT_TYPES,
  pushKindOf,
  PushError,
  readBody,
} from '../ingest/push-body.ts';

export interface PushConfig {
  /** Largest body, bytes after decompression. */
  maxBodyBytes: number;
  /** Requests read and parsed at once; more are answered 503 (each holds its body in memory). */
  maxConcurrent: number;
  /** Largest batch the store can take in one transaction, lines. */
  maxLines: number;
}

/** What a push answers: the outcome of its one batch. */
export type PushResult = IngestOutcome;

export interface PushDeps {
  catalog: Catalog;
  ingest: Ingest;
  clock: Clock;
  warn: (msg: string) => void;
  /** Told of every answered push (metrics): status and outcome. */
  onPushed?: (status: number, outcome: IngestOutcome | null) => void;
}

let requests = 0;

export function registerPush(app: FastifyInstance, config: PushConfig, deps: PushDeps) {
  let active = 0;

  const unavailable = (reply: FastifyReply, retryAfter: number, code: string, message: string) => {
    deps.onPushed?.(503, null);
    reply.header('retry-after', String(retryAfter));
    return reply.code(503).send(fail(code, message));
  };

  // An encapsulated context: here the body stays a stream (read, gunzipped and bounded below).
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_req, payload, done) => done(null, payload));

    scope.post<{ Params: { id: string } }>(
      '/api/topics/:id/records',
      { config: { access: 'ingest' } },
      async (req, reply) => {
        const body = req.body as Readable | undefined;
        const drain = () => body?.resume();
        const topic = deps.catalog.topic(req.params.id);
        if (!topic) {
          drain();
          deps.onPushed?.(404, null);
          return reply
            .code(404)
            .send(fail('not_found', `no topic ${JSON.stringify(req.params.id.slice(0, 80))}`));
        }
        const kind = pushKindOf(req.headers['content-type']);
        if (kind === null) {
          drain();
          deps.onPushed?.(415, null);
          return reply
            .code(415)
            .send(
              fail(
                'unsupported_media_type',
                `Content-Type must be one of ${PUSH_CONTENT_TYPES.join(', ')} (gzip allowed)`,
              ),
            );
        }
        let initial = null;
        const formatHeader = req.headers['x-flowdeck-format'];
        if (typeof formatHeader === 'string' && formatHeader.trim() !== '') {
          const spec = parseFormatSpec(formatHeader);
          if (!spec.ok) {
            drain();
            return reply
              .code(400)
              .send(fail('bad_format', `X-Flowdeck-Format: ${spec.error.message}`));
          }
          initial = spec.data === 'auto' ? null : spec.data;
        }
        if (active >= config.maxConcurrent) {
          drain();
          return unavailable(
            reply,
            1,
            'busy',
            `${active} pushes are being read already: try again in a second`,
          );
        }
        active++;
        const origin = `push #${++requests} from ${req.ip} at ${new Date(deps.clock.now()).toISOString()}`;
        try {
          const raw = await readBody(body!, req.headers['content-encoding'], config.maxBodyBytes);
          const { items, raw: rawItems } = itemsOf(kind, raw);
          if (items.length > config.maxLines) {
            deps.onPushed?.(413, null);
            return reply
              .code(413)
              .send(
                fail(
                  'too_many_lines',
                  `the request holds ${items.length} lines, more than one batch can take (${config.maxLines}): send smaller batches`,
                ),
              );
          }
          if (initial) deps.ingest.restoreOrigin(origin, { lineNo: 0, header: null }, initial);
          const done = deps.ingest.ingest({
            topicId: topic.id,
            source: 'push',
            origin,
            lines: items,
            urgent: true,
            ...(rawItems ? { raw: rawItems } : {}),
          });
          if (done === null)
            return unavailable(
              reply,
              2,
              'store_busy',
              'the store is catching up: nothing of this request was taken; send it again',
            );
          let outcome: IngestOutcome;
          try {
            outcome = await done;
          } catch (err) {
            deps.warn(`push: ${(err as Error).message}`);
            return unavailable(
              reply,
              2,
              'store_failed',
              'the store could not commit: nothing of this request was stored; send it again',
            );
          }
          deps.onPushed?.(200, outcome);
          return ok(outcome);
        } catch (err) {
          if (err instanceof PushError) {
            deps.onPushed?.(err.status, null);
            if (err.status === 413) reply.header('connection', 'close');
            return reply.code(err.status).send(fail(err.code, err.message));
          }
          throw err;
        } finally {
          active--;
          deps.ingest.release(origin);
        }
      },
    );
  });
}
