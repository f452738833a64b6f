// Flow-log management routes: logsets, topics and flow logs, as the console has them. Bodies go
// through the zod schemas of shared/catalog-schema.ts (in manage.ts); every answer has the one reply
// shape, a refused change its status, code and the problem of each field.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { fail, ok } from '../../shared/reply.ts';
import type { CatalogManager } from '../catalog/manage.ts';
import { answerChange } from './change.ts';
import type { Catalog } from '../catalog/catalog.ts';

export interface CatalogApiDeps {
  catalog: Catalog;
  manager: CatalogManager;
  warn: (msg: string) => void;
}

type IdParams = { Params: { id: string } };

export function registerCatalogApi(app: FastifyInstance, deps: CatalogApiDeps) {
  const { catalog, manager } = deps;

  const run = <T>(reply: FastifyReply, status: number, task: () => Promise<T>) =>
    answerChange(reply, status, task, (m) => deps.warn(`catalog: ${m}`));
  const missing = (reply: FastifyReply, what: string, id: string) =>
    reply.code(404).send(fail('not_found', `no ${what} ${JSON.stringify(id.slice(0, 80))}`));

  // Flow logs
  app.get('/api/flowlogs', async () => ok(catalog.flowLogs()));
  app.post('/api/flowlogs', (req, reply) => run(reply, 201, () => manager.createFlowLog(req.body)));
  app.get<IdParams>('/api/flowlogs/:id', async (req, reply) => {
    const fl = catalog.flowLog(req.params.id);
    return fl ? ok(fl) : missing(reply, 'flow log', req.params.id);
  });
  app.patch<IdParams>('/api/flowlogs/:id', (req, reply) =>
    run(reply, 200, () => manager.updateFlowLog(req.params.id, req.body)),
  );
  app.delete<IdParams>('/api/flowlogs/:id', (req, reply) =>
    run(reply, 200, async () => {
      await manager.deleteFlowLog(req.params.id);
      return { id: req.params.id };
    }),
  );

  // Logsets
  app.post('/api/logsets', (req, reply) => run(reply, 201, () => manager.createLogset(req.body)));
  app.patch<IdParams>('/api/logsets/:id', (req, reply) =>
    run(reply, 200, () => manager.updateLogset(req.params.id, req.body)),
  );
  app.delete<IdParams>('/api/logsets/:id', (req, reply) =>
    run(reply, 200, async () => {
      await manager.deleteLogset(req.params.id);
      return { id: req.params.id };
    }),
  );

  // Topics (GET /api/topics, the whole tree, is in routes.ts)
  app.post('/api/topics', (req, reply) => run(reply, 201, () => manager.createTopic(req.body)));
  app.get<IdParams>('/api/topics/:id', async (req, reply) => {
    const t = catalog.topic(req.params.id);
    return t ? ok(t) : missing(reply, 'topic', req.params.id);
  });
  app.get<IdParams>('/api/topics/:id/usage', (req, reply) =>
    run(reply, 200, () => manager.topicDeletion(req.params.id)),
  );
  app.patch<IdParams>('/api/topics/:id', (req, reply) =>
    run(reply, 200, () => manager.updateTopic(req.params.id, req.body)),
  );
  app.delete<IdParams & { Querystring: { confirm?: string } }>('/api/topics/:id', (req, reply) =>
    run(reply, 200, async () => ({
      id: req.params.id,
      removed: await manager.deleteTopic(req.params.id, req.query.confirm === 'true'),
    })),
  );
}
