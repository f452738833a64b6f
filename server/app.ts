// createApp wires every component: catalog -> simulator -> ingest -> aggregator -> streamer, plus
// the HTTP API and the built client. main.ts only reads config and listens; tests call it on port 0.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import Fastify from 'fastify';
import { Server } from 'socket.io';
import type { LogsetInfo } from '../shared/catalog.ts';
import { fail } from '../shared/reply.ts';
import { registerApi } from './api/routes.ts';
import { createCatalog } from './catalog/catalog.ts';
import { defaultLogsets } from './catalog/default-catalog.ts';
import { systemClock, type Clock } from './clock.ts';
import type { Config } from './config.ts';
import { createIngest, defaultIngestConfig } from './ingest/pipeline.ts';
import { createSimulator } from './ingest/simulator.ts';
import {
  createStreamer,
  defaultStreamerConfig,
  type FlowServer,
  type StreamerConfig,
} from './stream/streamer.ts';
import {
  createAggregator,
  defaultAggregatorConfig,
  type AggregatorConfig,
} from './window/aggregator.ts';

export interface AppDeps {
  clock?: Clock;
  logsets?: LogsetInfo[];
  /** Overrides for tests and benchmarks. */
  aggregator?: Partial<AggregatorConfig>;
  streamer?: Partial<StreamerConfig>;
  log?: { info(msg: string): void; warn(msg: string): void };
}

export async function createApp(config: Readonly<Config>, deps: AppDeps = {}) {
  const clock = deps.clock ?? systemClock;
  const log = deps.log ?? {
    info: (m: string) => console.log(m),
    warn: (m: string) => console.warn(m),
  };
  const catalog = createCatalog(deps.logsets ?? defaultLogsets());

  const http = Fastify({ logger: false, bodyLimit: 1 << 20 });
  const io: FlowServer = new Server(http.server, {
    serveClient: false,
    maxHttpBufferSize: 16 * 1024,
    cors: undefined,
  });

  // The streamer is created before the aggregator publishes anything; onWindow only forwards.
  let publish: (
    agg: Parameters<ReturnType<typeof createStreamer>['publish']>[0],
  ) => void = () => {};
  const aggregator = createAggregator(
    { ...defaultAggregatorConfig, ...deps.aggregator },
    { clock, onWindow: (agg) => publish(agg) },
  );
  const streamer = createStreamer(
    { ...defaultStreamerConfig, ...deps.streamer },
    { io, catalog, windows: aggregator, clock },
  );
  publish = streamer.publish;
  const ingest = createIngest(defaultIngestConfig, {
    catalog,
    sink: aggregator,
    clock,
    warn: log.warn,
  });
  const simulator = config.simulator.enabled
    ? createSimulator(
        {
          seed: config.simulator.seed,
          publishDelaySec: config.simulator.publishDelaySec,
          jitterSec: config.simulator.jitterSec,
          backfillMinutes: config.simulator.backfillMinutes,
          tickMs: 250,
        },
        { catalog, clock, sink: (batch) => ingest.ingest(batch) },
      )
    : null;

  registerApi(http, {
    catalog,
    recentErrors: ingest.recentErrors,
    metrics: () => ({
      serverTime: clock.now(),
      ingest: ingest.metrics(),
      aggregator: aggregator.metrics(),
      stream: streamer.metrics(),
      simulator: simulator?.metrics() ?? null,
    }),
  });

  const clientDir = resolve(config.clientDir);
  const haveClient = existsSync(resolve(clientDir, 'index.html'));
  if (haveClient) {
    await http.register(fastifyStatic, { root: clientDir, wildcard: false, index: 'index.html' });
  }
  // Client routes (/topics/<id>...) get the app; unknown API paths get a JSON 404.
  http.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0] ?? '';
    if (req.method === 'GET' && !path.startsWith('/api/') && !path.startsWith('/socket.io')) {
      if (haveClient) return reply.type('text/html').sendFile('index.html');
      return reply
        .code(503)
        .type('text/plain')
        .send('flowdeck: the client is not built; run `npm run build` (npm start does it).\n');
    }
    return reply.code(404).send(fail('not_found', `no route ${req.method} ${path}`));
  });
  http.setErrorHandler((err: { statusCode?: number; message?: string }, _req, reply) => {
    const status =
      err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) log.warn(`http: ${err.message ?? String(err)}`);
    return reply
      .code(status)
      .send(
        fail(
          status === 500 ? 'internal' : 'bad_request',
          status === 500 ? 'internal error' : (err.message ?? 'bad request'),
        ),
      );
  });

  let started = false;
  return {
    catalog,
    aggregator,
    ingest,
    streamer,
    simulator,
    io,
    http,
    clock,
    /** Starts every component and listens; resolves to the bound address. */
    async listen(port = config.port, host = config.host) {
      streamer.start();
      aggregator.start();
      simulator?.start();
      started = true;
      await http.listen({ port, host });
      const addr = http.server.address();
      const boundPort = typeof addr === 'object' && addr ? addr.port : port;
      return {
        port: boundPort,
        url: `http://${host === '0.0.0.0' ? 'localhost' : host}:${boundPort}`,
      };
    },
    async close() {
      if (started) {
        simulator?.stop();
        aggregator.stop();
        streamer.stop();
      }
      io.disconnectSockets(true);
      await new Promise<void>((done) => io.close(() => done()));
      await http.close().catch(() => {});
    },
  };
}

export type App = Awaited<ReturnType<typeof createApp>>;
