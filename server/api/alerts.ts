// Alert routes (reads need what dashboards need; changes the admin token):
//   GET  /api/alerts[?topicId=]            firing episodes, pending groups, silences, recent notices
//   GET  /api/alerts/episodes[?topicId=&ruleId=&state=&from=&to=&limit=]   the history
//   POST /api/alerts/episodes/:id/ack      { by }: acknowledged, and by whom
//   GET|POST /api/alerts/silences, DELETE /api/alerts/silences/:id
//   GET|POST /api/alerts/rules, GET|PATCH|DELETE /api/alerts/rules/:id
//   GET  /api/alerts/presets?topicId=      ready-made rules for a topic
//   POST /api/alerts/preview               a rule body: how often it would have fired in 24 h
//   GET  /api/alerts/deliveries            the webhook delivery log
// Bodies go through their zod schemas; a refused change gets its status, code and the problem of
// each field, as the catalog routes do.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { fail, ok } from '../../shared/reply.ts';
import { answerChange } from './change.ts';
import type { RuleBook } from '../alerts/rules.ts';
import type { AlertEngine } from '../alerts/engine.ts';
import type { AlertRuleEntity } from '../../shared/catalog.ts';
import { rulePresets } from '../../shared/alerts/presets.ts';
import { ruleInputSchema, STREAM_MEASURES } from '../../shared/alerts/rule.ts';
import { parseQuery } from '../../shared/query/index.ts';
import type { AlertHistory, EpisodeFilter } from '../alerts/history.ts';
import {
  minPortsFor,
  previewFromSeries,
  previewFromSourcePorts,
  previewFromStreams,
} from '../alerts/preview.ts';
import type { Catalog } from '../catalog/catalog.ts';
import { CatalogRefusal, invalid, parse } from '../catalog/manage.ts';
import type { Clock } from '../clock.ts';
import type { Store } from '../store/contract.ts';
import { goneSignal } from './history.ts';
import type { ReadQueue } from './read-queue.ts';

/** The preview's range: the last 24 hours. */
const PREVIEW_MS = 24 * 3_600_000;
/** Source-windows a per-source preview reads at most (the busiest). */
const PREVIEW_SOURCE_WINDOWS = 100_000;

/** A rule as the API shows it: webhook secrets are never sent back, only that one is set. */
function shown(r: AlertRuleEntity) {
  return {
    ...r,
    notify: (r.notify ?? []).map(({ secret, ...h }) => ({ ...h, hasSecret: Boolean(secret) })),
  };
}

type IdParams = { Params: { id: string } };

export function registerAlertsApi(
  app: FastifyInstance,
  deps: {
    rules: RuleBook;
    alerts: AlertEngine;
    history: AlertHistory;
    store: Store;
    catalog: Catalog;
    clock: Clock;
    reads: ReadQueue;
    warn: (msg: string) => void;
  },
) {
  const { rules, alerts, history, store, catalog, clock, reads } = deps;
  const run = <T>(reply: FastifyReply, status: number, task: () => Promise<T>) =>
    answerChange(reply, status, task, (m) => deps.warn(`alert rules: ${m}`));
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const num = (v: unknown) => {
    const n = typeof v === 'string' && v !== '' ? Number(v) : NaN;
    return Number.isFinite(n) ? n : undefined;
  };
  // What fires now (episodes), what is pending (groups on their way), the silences holding, and
  // the newest notices, newest first.
  app.get<{ Querystring: { topicId?: string } }>('/api/alerts', async (req) => {
    const topic = str(req.query.topicId);
    const mine = <T extends { topicId: string }>(x: T) =>
      topic === undefined || x.topicId === topic;
    return ok({
      version: history.version(),
      firing: history.active(topic),
      pending: alerts.status().filter((s) => s.state === 'pending' && mine(s)),
      silences: history
        .silences()
        .filter(
          (s) =>
            topic === undefined ||
            s.topicId === topic ||
            rules.get(s.ruleId ?? '')?.topicId === topic,
        ),
      notices: alerts.notices().filter(mine).slice(-100).reverse(),
    });
  });
  app.get<{ Querystring: Record<string, unknown> }>('/api/alerts/episodes', async (req) => {
    const q = req.query;
    const state = q.state === 'firing' || q.state === 'resolved' ? q.state : undefined;
    const f = {
      topicId: str(q.topicId),
      ruleId: str(q.ruleId),
      state,
      from: num(q.from),
      to: num(q.to),
      limit: Math.min(Math.max(num(q.limit) ?? 200, 1), 2_000),
    };
    return ok(
      history.episodes(
        Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined)) as EpisodeFilter,
      ),
    );
  });
  app.post<IdParams>('/api/alerts/episodes/:id/ack', (req, reply) =>
    run(reply, 200, () => history.ack(req.params.id, req.body)),
  );
  app.get('/api/alerts/silences', async () => ok(history.silences()));
  app.post('/api/alerts/silences', (req, reply) =>
    run(reply, 201, () => history.silence(req.body)),
  );
  app.delete<IdParams>('/api/alerts/silences/:id', (req, reply) =>
    run(reply, 200, () => history.unsilence(req.params.id)),
  );
  app.get<{ Querystring: { topicId?: string } }>('/api/alerts/presets', async (req, reply) => {
    const topicId = str(req.query.topicId);
    if (!topicId || !catalog.topic(topicId))
      return reply.code(404).send(fail('not_found', 'presets are per topic: ?topicId='));
    return ok(rulePresets(topicId));
  });
  // How often a rule (a POSTed rule body, saved or not) would have fired over the last 24 hours.
  app.post('/api/alerts/preview', (req, reply) =>
    run(reply, 200, async () => {
      const rule = parse(ruleInputSchema, req.body);
      const q = parseQuery(rule.query);
      if (!q.ok)
        throw new CatalogRefusal(400, 'invalid', `query: ${q.error.message}`, [
          { path: 'query', message: q.error.message },
        ]);
      const topic = catalog.topic(rule.topicId);
      if (!topic) throw invalid([{ path: 'topicId', message: 'no such topic' }]);
      if (rule.measure === 'distinct_dstports_per_src' && rule.change)
        return {
          available: false as const,
          reason: 'a change rule on ports per source is judged live only',
        };
      const windowMs = catalog.windowMs(topic.id);
      const to = Math.floor(clock.now() / windowMs) * windowMs;
      const from = to - PREVIEW_MS;
      if (rule.measure === 'distinct_dstports_per_src') {
        const rows = await reads.run(req.ip, goneSignal(reply), (signal) =>
          store.sourcePorts(
            {
              topicId: topic.id,
              fromMs: from,
              toMs: to,
              where: q.ast,
              minPorts: minPortsFor(rule),
              lists: false,
              limit: PREVIEW_SOURCE_WINDOWS,
            },
            { signal },
          ),
        );
        return {
          available: true as const,
          ...previewFromSourcePorts(
            rule,
            windowMs,
            from,
            to,
            rows,
            rows.length >= PREVIEW_SOURCE_WINDOWS,
          ),
        };
      }
      if (STREAM_MEASURES.has(rule.measure)) {
        // Through the read queue, as every history read (bounded, and dropped if the client goes).
        const windows = await reads.run(req.ip, goneSignal(reply), () =>
          store.loadWindows(topic.id, from, to),
        );
        const ids = topic.streams.filter((s) => s.enabled).map((s) => s.id);
        return {
          available: true as const,
          ...previewFromStreams(rule, windowMs, from, to, ids, windows),
        };
      }
      const back = rule.change ? (rule.change.against === 'hour' ? 3_600_000 : 86_400_000) : 0;
      const series = await reads
        .run(req.ip, goneSignal(reply), (signal) =>
          store.aggregate(
            {
              topicId: topic.id,
              fromMs: from - back,
              toMs: to,
              where: q.ast,
              stepMs: windowMs,
              topN: 1,
            },
            { signal },
          ),
        )
        .then((r) => r.series);
      return { available: true as const, ...previewFromSeries(rule, windowMs, from, to, series) };
    }),
  );
  app.get<{ Querystring: { topicId?: string } }>('/api/alerts/rules', async (req) =>
    ok(
      rules.list(typeof req.query.topicId === 'string' ? req.query.topicId : undefined).map(shown),
    ),
  );
  // The webhook deliveries, newest first (each attempt: delivered, retrying, failed, refused).
  app.get('/api/alerts/deliveries', async () => ok(history.deliveries().reverse()));
  app.get<IdParams>('/api/alerts/rules/:id', async (req, reply) => {
    const r = rules.get(req.params.id);
    return r
      ? ok(shown(r))
      : reply
          .code(404)
          .send(fail('not_found', `no alert rule ${JSON.stringify(req.params.id.slice(0, 80))}`));
  });
  app.post('/api/alerts/rules', (req, reply) =>
    run(reply, 201, async () => shown(await rules.create(req.body))),
  );
  app.patch<IdParams>('/api/alerts/rules/:id', (req, reply) =>
    run(reply, 200, async () => shown(await rules.update(req.params.id, req.body))),
  );
  app.delete<IdParams>('/api/alerts/rules/:id', (req, reply) =>
    run(reply, 200, () => rules.remove(req.params.id)),
  );
}
