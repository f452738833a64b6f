// Ingest routes: a topic's ingest health (lines per minute, streams, last errors) and the
// rejected lines kept in quarantine, filterable by reason and source.
import type { FastifyInstance } from 'fastify';
import type { TopicIngestHealth } from '../../shared/api.ts';
import type { WindowAggregate } from '../../shared/events.ts';
import { fail, ok } from '../../shared/reply.ts';
import type { Catalog } from '../catalog/catalog.ts';
import type { Clock } from '../clock.ts';
import type { IngestHealth } from '../ingest/health.ts';
import type { Store } from '../store/store.ts';
import { BadRequest, parseInt10, parseString } from './params.ts';

export interface IngestApiDeps {
  catalog: Catalog;
  store: Store;
  clock: Clock;
  health: IngestHealth;
  windows: { windows(topicId: string, fromMs: number, toMs: number): WindowAggregate[] };
}

export function registerIngestApi(app: FastifyInstance, deps: IngestApiDeps) {
  const { catalog, store, clock, health } = deps;

  app.get<{ Params: { id: string } }>('/api/topics/:id/ingest', async (req, reply) => {
    const topic = catalog.topic(req.params.id);
    if (!topic)
      return reply
        .code(404)
        .send(fail('not_found', `no topic ${JSON.stringify(req.params.id.slice(0, 80))}`));
    const now = clock.now();
    // NODATA / SKIPDATA over the last hour, from the published windows.
    const status = new Map<string, { nodata: number; skipdata: number }>();
    for (const w of deps.windows.windows(topic.id, now - 3_600_000, now + 600_000)) {
      for (const s of w.streams) {
        const e = status.get(s.streamId) ?? { nodata: 0, skipdata: 0 };
        e.nodata += s.nodata;
        e.skipdata += s.skipdata;
        status.set(s.streamId, e);
      }
    }
    const view = health.view(topic.id, (id) => status.get(id) ?? { nodata: 0, skipdata: 0 });
    const lastErrors = await store.rejectedLines({ topicId: topic.id, limit: 10 });
    const totals = { accepted: 0, filtered: 0, rejected: 0 };
    for (const m of view.minutes) {
      totals.accepted += m.accepted;
      totals.filtered += m.filtered;
      totals.rejected += m.rejected;
    }
    const data: TopicIngestHealth = {
      topicId: topic.id,
      serverTime: now,
      minutes: view.minutes,
      countedSince: view.countedSince,
      totals,
      streams: view.streams,
      lastErrors: lastErrors.lines,
    };
    return ok(data);
  });

  app.get<{ Querystring: Record<string, unknown> }>('/api/ingest/rejected', async (req, reply) => {
    try {
      const topicId = parseString(req.query, 'topic', 200);
      if (topicId !== undefined && !catalog.topic(topicId))
        return reply
          .code(404)
          .send(fail('not_found', `no topic ${JSON.stringify(topicId.slice(0, 80))}`));
      const page = await store.rejectedLines({
        ...(topicId !== undefined ? { topicId } : {}),
        ...optional('reason', parseString(req.query, 'reason', 64)),
        ...optional('source', parseString(req.query, 'source', 64)),
        ...optional('origin', parseString(req.query, 'origin', 2048)),
        before: parseString(req.query, 'before', 200) ?? null,
        limit: parseInt10(req.query, 'limit', 1, 1000, 100),
      });
      return ok(page);
    } catch (err) {
      if (err instanceof BadRequest) return reply.code(400).send(fail(err.code, err.message));
      if ((err as { kind?: string }).kind === 'query')
        return reply.code(400).send(fail('bad_request', 'bad cursor'));
      throw err;
    }
  });
}

const optional = <K extends string>(key: K, v: string | undefined) =>
  (v === undefined ? {} : { [key]: v }) as Partial<Record<K, string>>;
