// Alert routes: GET /api/alerts[?topicId=] (what is pending or firing, recent notices); rules at
// GET /api/alerts/rules[?topicId=] and /api/alerts/rules/:id (read), POST, PATCH and DELETE (admin). Bodies go through the rule schema (rules.ts); a refused change gets
// its status, code and the problem of each field, as the catalog routes do.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { fail, ok } from '../../shared/reply.ts';
import { answerChange } from './change.ts';
import type { RuleBook } from '../alerts/rules.ts';
import type { AlertEngine } from '../alerts/engine.ts';
import type { Webhooks } from '../alerts/webhooks.ts';
import type { AlertRuleEntity } from '../../shared/catalog.ts';

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
  deps: { rules: RuleBook; alerts: AlertEngine; webhooks: Webhooks; warn: (msg: string) => void },
) {
  const { rules, alerts, webhooks } = deps;
  const run = <T>(reply: FastifyReply, status: number, task: () => Promise<T>) =>
    answerChange(reply, status, task, (m) => deps.warn(`alert rules: ${m}`));
  // What is pending or firing now, and the newest notices (firing, resolved), newest first.
  app.get<{ Querystring: { topicId?: string } }>('/api/alerts', async (req) => {
    const topic = typeof req.query.topicId === 'string' ? req.query.topicId : undefined;
    const mine = <T extends { topicId: string }>(x: T) =>
      topic === undefined || x.topicId === topic;
    return ok({
      active: alerts.status().filter((s) => s.state !== 'ok' && mine(s)),
      notices: alerts.notices().filter(mine).slice(-100).reverse(),
    });
  });
  app.get<{ Querystring: { topicId?: string } }>('/api/alerts/rules', async (req) =>
    ok(
      rules.list(typeof req.query.topicId === 'string' ? req.query.topicId : undefined).map(shown),
    ),
  );
  // The webhook deliveries, newest first (each attempt: delivered, retrying, failed, refused).
  app.get('/api/alerts/deliveries', async () => ok([...webhooks.deliveries()].reverse()));
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
