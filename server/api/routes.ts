// HTTP API routes. Every answer uses the one reply shape of shared/reply.ts.
import type { FastifyInstance } from 'fastify';
import { ok } from '../../shared/reply.ts';
import type { Catalog } from '../catalog/catalog.ts';

export interface ApiDeps {
  catalog: Catalog;
  /** Counters of every component, for /api/health. */
  metrics: () => Record<string, unknown>;
  /** Latest rejected input lines, for /api/ingest/errors. */
  recentErrors: () => readonly unknown[];
}

export function registerApi(app: FastifyInstance, deps: ApiDeps) {
  app.get('/api/topics', async () => ok(deps.catalog.logsets));
  app.get('/api/health', async () => ok({ status: 'ok', ...deps.metrics() }));
  app.get('/api/ingest/errors', async () => ok(deps.recentErrors()));
}
