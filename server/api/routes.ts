// Small routes: the catalog tree, health and metrics (one registry, two shapes), recent rejects.
import type { FastifyInstance } from 'fastify';
import { ok } from '../../shared/reply.ts';
import type { Catalog } from '../catalog/catalog.ts';
import type { Metrics } from '../metrics.ts';

export interface ApiDeps {
  catalog: Catalog;
  /** What this process does: all, collector or frontend. */
  role: string;
  metrics: Metrics;
  /** 'ok', or what is wrong (the store is down...). */
  status: () => { status: 'ok' | 'degraded'; problems: string[] };
  serverTime: () => number;
  /** The process's memory (RSS, V8 heap) and DuckDB's (in use, spilled, its limit), bytes. */
  memory: () => {
    rssBytes: number;
    heapUsedBytes: number;
    heapTotalBytes: number;
    externalBytes: number;
    /** The store worker thread's own V8 heap. */
    storeWorkerHeapBytes: number;
    duckdb: { usedBytes: number; temporaryBytes: number; limitBytes: number };
  };
  /** Latest rejected input lines, for /api/ingest/errors. */
  recentErrors: () => readonly unknown[];
}

const started = Date.now();

export function registerApi(app: FastifyInstance, deps: ApiDeps) {
  app.get('/api/topics', async () => ok(deps.catalog.logsets));
  app.get('/api/health', async () =>
    ok({
      ...deps.status(),
      role: deps.role,
      serverTime: deps.serverTime(),
      uptimeSeconds: Math.round((Date.now() - started) / 1000),
      memory: deps.memory(),
      metrics: await deps.metrics.snapshot(),
    }),
  );
  app.get('/metrics', async (_req, reply) =>
    reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics()),
  );
  app.get('/api/ingest/errors', async () => ok(deps.recentErrors()));
}
