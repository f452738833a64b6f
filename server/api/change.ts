// One way to answer a stored change (catalog, alert rules): its result with `status`; a refusal
// (CatalogRefusal) with its status, code and the problem of each field; a read the queue refused
// (a preview) with its status and Retry-After; anything else, a store that failed, as 503
// "nothing changed, try again" (said in the log, never the raw error).
import type { FastifyReply } from 'fastify';
import { fail, ok } from '../../shared/reply.ts';
import { CatalogRefusal } from '../catalog/manage.ts';
import { ReadRefused } from './read-queue.ts';

export async function answerChange<T>(
  reply: FastifyReply,
  status: number,
  task: () => Promise<T>,
  warn: (msg: string) => void,
) {
  try {
    return reply.code(status).send(ok(await task()));
  } catch (err) {
    if (err instanceof CatalogRefusal) {
      const body = fail(err.code, err.message);
      if (!body.ok) {
        if (err.fields.length > 0) body.error.fields = err.fields;
        if (err.details) body.error.details = err.details;
      }
      return reply.code(err.status).send(body);
    }
    if (err instanceof ReadRefused) {
      reply.header('retry-after', String(err.retryAfterSec));
      return reply.code(err.status).send(fail(err.code, err.message));
    }
    warn((err as Error).message);
    return reply
      .code(503)
      .send(fail('unavailable', 'the change could not be stored; nothing changed, try again'));
  }
}
