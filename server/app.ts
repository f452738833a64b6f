// createApp wires every component: catalog -> simulator -> ingest -> aggregator and store ->
// streamer, plus the HTTP API and the built client. main.ts only reads config and listens; tests
// call it on port 0 with a temporary data directory.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import fastifyCompress from '@fastify/compress';
import fastifyStatic from '@fastify/static';
import Fastify from 'fastify';
import { Server } from 'socket.io';
import { windowStartOf } from '../shared/capture-window.ts';
import { entitiesOf, logsetsOf, type LogsetInfo } from '../shared/catalog.ts';
import { matchRoute } from '../shared/routes.ts';
import type { WindowAggregate } from '../shared/events.ts';
import type { FlowRecord } from '../shared/record.ts';
import { fail, ok } from '../shared/reply.ts';
import { registerHistoryApi } from './api/history.ts';
import { registerApi } from './api/routes.ts';
import { createLiveCatalog } from './catalog/catalog.ts';
import { createCatalogManager } from './catalog/manage.ts';
import { registerCatalogApi } from './api/catalog.ts';
import { registerAlertsApi } from './api/alerts.ts';
import { createRuleBook } from './alerts/rules.ts';
import { createAlertEngine, defaultAlertEngineConfig } from './alerts/engine.ts';
import { createAlertHistory, historyOf } from './alerts/history.ts';
import { alertLink } from '../shared/alerts/link.ts';
import { createWebhooks, defaultWebhookConfig } from './alerts/webhooks.ts';
import { registerAuth, socketRole } from './api/auth.ts';
import { registerPush } from './api/push.ts';
import { createFailureThrottle, defaultThrottleConfig, loadTokens } from './api/tokens.ts';
import { defaultLogsets } from './catalog/default-catalog.ts';
import { systemClock, type Clock } from './clock.ts';
import type { Config } from './config.ts';
import { createIngest, defaultIngestConfig } from './ingest/pipeline.ts';
import { createSimulator, resumeKey } from './ingest/simulator.ts';
import { createFileSource, defaultFileSourceConfig } from './ingest/file-source.ts';
import { createMetrics } from './metrics.ts';
import { createReadQueue, defaultReadQueueConfig } from './api/read-queue.ts';
import { createOriginCheck, registerSecurity } from './api/security.ts';
import { READ_CONNECTIONS } from './store/config.ts';
import { createIngestHealth } from './ingest/health.ts';
import { registerIngestApi } from './api/ingest.ts';
import { defaultStoreConfig, openStore, type StoreConfig } from './store/store.ts';
import {
  createStreamer,
  defaultStreamerConfig,
  type FlowServer,
  type StreamerConfig,
} from './stream/streamer.ts';
import { createTail, defaultTailConfig, type TailConfig } from './stream/tail.ts';
import {
  createWindowCheckpoint,
  defaultCheckpointConfig,
  type CheckpointConfig,
} from './window/checkpoint.ts';
import {
  createAggregator,
  defaultAggregatorConfig,
  type AggregatorConfig,
} from './window/aggregator.ts';
import { createLateWindows, defaultLateWindowsConfig } from './window/late-windows.ts';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { connectRedis } from './cluster/redis.ts';
import { createBus, defaultBusConfig, type Bus, type BusMessage } from './cluster/bus.ts';
import { clusterInstance } from './cluster/instance.ts';
import { createCollectorLease, defaultLeaseConfig, LEASE_KEY } from './cluster/lease.ts';
import { serveStandby } from './cluster/standby.ts';
import { hostname } from 'node:os';
import { createTailRegistry } from './cluster/tail-registry.ts';
import { createWindowCache } from './stream/window-cache.ts';

export interface AppDeps {
  clock?: Clock;
  /** The catalog written on the first start of an empty data directory (default: defaultLogsets). */
  logsets?: LogsetInfo[];
  /** Overrides for tests and benchmarks. */
  aggregator?: Partial<AggregatorConfig>;
  streamer?: Partial<StreamerConfig>;
  tail?: Partial<TailConfig>;
  checkpoint?: Partial<CheckpointConfig>;
  store?: Partial<StoreConfig>;
  log?: { info(msg: string): void; warn(msg: string): void; debug?(msg: string): void };
}

const MINUTE_MS = 60_000;

/** Alert changes reach browsers at most this often. */
const ALERTS_NOTE_MS = 250;
const ALERT_TICK_MS = 5_000;
/** How long a shutdown waits for answers still being sent. */
const CLOSE_GRACE_MS = 5_000;

export async function createApp(config: Readonly<Config>, deps: AppDeps = {}) {
  const clock = deps.clock ?? systemClock;
  const log = deps.log ?? {
    info: (m: string) => console.log(m),
    warn: (m: string) => console.warn(m),
  };
  const aggregatorConfig = {
    ...defaultAggregatorConfig,
    horizonMs: config.windowMemoryHours * 3_600_000,
    ...deps.aggregator,
  };
  const storeConfig = {
    ...defaultStoreConfig(config.dataDir),
    ...config.retention,
    quarantineDays: config.quarantineDays,
    ...(config.db.memoryLimit !== null ? { memoryLimit: config.db.memoryLimit } : {}),
    ...(config.db.threads !== null ? { threads: config.db.threads } : {}),
    ...(config.store !== null ? { url: config.store } : {}),
    ...deps.store,
  };
  // History reads take turns per client, at most all read connections but one at a time.
  const reads = createReadQueue({
    ...defaultReadQueueConfig,
    maxActive: READ_CONNECTIONS - 1,
    timeoutMs: config.queryTimeoutSec * 1000,
  });
  const metrics = createMetrics();
  // Roles: a collector runs the sources, the aggregator and the writes; a front end the API, the
  // sockets and the client; `all` both (one process).
  const collects = config.role !== 'frontend';
  const serves = config.role !== 'collector';
  const redis =
    config.redis === null
      ? null
      : await connectRedis(config.redis, config.role, { warn: log.warn });
  const bus: Bus | null = redis ? createBus(defaultBusConfig, { redis, warn: log.warn }) : null;
  const cluster = redis ? { instance: await clusterInstance(redis) } : undefined;
  /** This process, for telling its own catalog notices from others'. */
  const processId = `${process.pid.toString(36)}-${Date.now().toString(36)}`;
  // One active collector per cluster: a standby waits here, before it opens anything, until the
  // active one's lease is gone; then it starts as after a crash (below), from what is stored.
  const lease =
    redis && collects
      ? createCollectorLease(defaultLeaseConfig, {
          redis,
          id: `${hostname()}:${resolve(config.dataDir)}`,
          info: log.info,
          warn: log.warn,
          onLost: () => {
            log.warn('cluster: stopping, another collector may be active now');
            process.kill(process.pid, 'SIGTERM');
          },
        })
      : null;
  if (lease) {
    // Health and metrics while on standby (an orchestrator sees it alive), on the same port.
    const standby = await serveStandby(config.port, config.host, () => redis!.get(LEASE_KEY));
    try {
      await lease.acquire();
    } finally {
      await standby.close();
    }
  }
  const store = await openStore(storeConfig, {
    clock,
    warn: log.warn,
    onCommit: (s, records) => {
      metrics.commitSeconds.observe(s);
      if (records > 0)
        log.debug?.(`store: committed ${records} records in ${Math.round(s * 1000)} ms`);
    },
    onRead: (op, s) => metrics.querySeconds.observe({ op }, s),
  });

  // The catalog lives in the store; an empty data directory starts with the default one.
  let stored = await store.loadCatalog();
  if (stored === null) {
    stored = entitiesOf(deps.logsets ?? defaultLogsets(clock.now()));
    await store.saveCatalog({ upsert: stored });
  }
  const catalog = createLiveCatalog(logsetsOf(stored), (err) =>
    log.warn(`catalog listener: ${(err as Error).message}`),
  );
  const rules = createRuleBook({ store, catalog, clock }, stored.alertRules ?? []);
  // Episodes, silences and the webhook delivery log, kept with the catalog.
  const history = createAlertHistory(
    { store, catalog, clock, rule: (id) => rules.get(id), warn: log.warn },
    historyOf(stored),
  );
  // Notices go to the rules' webhooks; each links to the records that made it.
  let publicBase = config.publicUrl ?? `http://localhost:${config.port}`;
  const webhooks = createWebhooks(defaultWebhookConfig, {
    rule: (id) => rules.get(id),
    topicName: (id) => catalog.topic(id)?.name ?? id,
    windowMs: (id) => (catalog.topic(id) ? catalog.windowMs(id) : 60_000),
    link: (n) => {
      const rule = rules.get(n.ruleId);
      const to = n.windowStart + (catalog.topic(n.topicId) ? catalog.windowMs(n.topicId) : 60_000);
      const q = rule?.query ?? '';
      return alertLink(publicBase, n.topicId, n.since, to, q, `${n.ruleName}: records`);
    },
    now: () => clock.now(),
    warn: log.warn,
    record: (d) => history.delivered(d),
  });
  // Rules are judged where the records are: on a collector (or the one process).
  const alerts = createAlertEngine(defaultAlertEngineConfig, {
    rules,
    catalog,
    clock,
    onNotice: (n) => {
      const rule = rules.get(n.ruleId);
      const silence = rule ? history.silencing(rule) : undefined;
      log.info(
        `alert ${n.kind}: ${n.ruleName} (${n.topicId}${n.group ? ` ${n.group}` : ''}) value ${n.value} against ${n.threshold}, episode ${n.episode}${silence ? ' (silenced)' : ''}`,
      );
      history.record(n, silence !== undefined);
      webhooks.send(n, silence);
    },
    onFiringWindow: (ruleId, group, windowStart, value) =>
      history.firingWindow(ruleId, group, windowStart, value),
    onRetired: (ruleId) => history.retire(ruleId),
    // A query's measures are read back from the store after a start, and for a new query.
    stored: (topicId, where, fromMs, toMs, stepMs) =>
      store.aggregate({ topicId, fromMs, toMs, where, stepMs, topN: 1 }).then((r) => r.series),
    storedPorts: (topicId, where, fromMs, toMs) =>
      store.sourcePorts({ topicId, fromMs, toMs, where, minPorts: 1, lists: true, limit: 100_000 }),
    warn: log.warn,
  });
  // What was firing before a restart goes on as the same episodes.
  alerts.resume(history.active());
  const retentionOfTopics = () =>
    Object.fromEntries(
      catalog.topics().flatMap((t) => (t.retention ? [[t.id, { ...t.retention }]] : [])),
    );
  await store.setRetention(retentionOfTopics());

  // Tokens: given ones, or generated once into the data directory (and said once, where to find them).
  const { tokens, generated, file: tokensFile } = loadTokens(config.dataDir, config.tokens);
  if (generated.length > 0)
    log.info(
      `flowdeck: generated ${generated.map((k) => `an ${k} token: ${tokens[k]}`).join(' and ')}; ` +
        `they are kept in ${tokensFile} (readable only by you) and \`npx flowdeck tokens --data ${config.dataDir}\` prints them again`,
    );
  const throttle = createFailureThrottle(defaultThrottleConfig, () => clock.now());
  const auth = {
    tokens,
    throttle,
    onRefused: (status: number) => metrics.authRefused.inc({ status: String(status) }),
  };

  const http = Fastify({ logger: false, bodyLimit: 1 << 20, trustProxy: config.trustProxy });
  // Host and origin first (a rebinding page or another site gets a 403 before any token check).
  const originCheck = createOriginCheck({
    allowedOrigins: config.allowedOrigins,
    allowedHosts: config.allowedHosts,
    trustProxy: config.trustProxy,
  });
  await registerSecurity(http, originCheck);
  // API answers (JSON, CSV, NDJSON exports) go out br or gzip when the client takes it and they are
  // over 1 KiB; static files are pre-compressed by the build. Request bodies are not touched: the
  // push route gunzips its own, bounded after decompression.
  await http.register(fastifyCompress, {
    globalDecompression: false,
    threshold: 1024,
    encodings: ['br', 'gzip'],
  });
  registerAuth(http, auth);
  http.addHook('onResponse', async (req, reply) => {
    metrics.httpSeconds.observe(
      {
        method: req.method,
        route: req.routeOptions.url ?? 'unmatched',
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });
  const io: FlowServer = new Server(http.server, {
    serveClient: false,
    maxHttpBufferSize: 16 * 1024,
    // The same host and origin checks for the handshake and the websocket upgrade. A collector
    // takes no browsers: its windows reach them through the front ends.
    allowRequest: (req, callback) => {
      if (!serves) return callback('this is a collector; open dashboards on a front end', false);
      const refused = originCheck.checkRaw(req);
      callback(refused ? refused.message : null, refused === null);
    },
    // Clustered: rooms span the processes (Redis streams), and a browser that lost its front end
    // gets what it missed from another one (the session and its packets are kept in Redis).
    ...(redis
      ? {
          adapter: createAdapter(redis, { streamName: 'flowdeck:sio', maxLen: 100_000 }),
          connectionStateRecovery: { maxDisconnectionDuration: 2 * 60_000 },
        }
      : {}),
    ...(config.allowedOrigins.length > 0
      ? { cors: { origin: config.allowedOrigins, credentials: true } }
      : {}),
  });
  // Sockets read what dashboards show: a viewer token when one is set.
  io.use((socket, next) => {
    const r = socketRole(auth, socket.handshake);
    if ('error' in r) return next(new Error(r.error));
    socket.data.role = r.role;
    next();
  });

  // Every published revision goes to the browsers and into the store (and, clustered, on the bus
  // to the front ends' snapshots).
  let publish: (agg: WindowAggregate) => void = () => {};
  const onWindow = (agg: WindowAggregate) => {
    metrics.windowsPublished.inc();
    alerts.onWindow(agg);
    store.saveWindow(agg);
    if (!bus) return publish(agg);
    // Clustered, a revision goes out once it is stored: a collector that takes over after this
    // one died starts from the stored revisions, and its next one is above any a browser holds.
    void store.flush().then(
      () => {
        publish(agg);
        void bus.publish({ kind: 'window', window: agg });
      },
      (err: Error) => log.warn(`cluster: window ${agg.topicId} not published: ${err.message}`),
    );
  };
  const aggregator = createAggregator(aggregatorConfig, {
    clock,
    onWindow,
    windowMsOf: (topicId) => catalog.windowMs(topicId),
  });
  const late = createLateWindows(
    { ...defaultLateWindowsConfig, topN: aggregatorConfig.topN },
    { store, clock, onWindow, warn: log.warn },
  );
  const tail = createTail(
    { ...defaultTailConfig, ...deps.tail },
    {
      io,
      catalog,
      clock,
      windowMs: (id) => catalog.windowMs(id),
      ...(redis
        ? { cluster: { registry: createTailRegistry(redis), collects, warn: log.warn } }
        : {}),
    },
  );
  const streamerConfig = { ...defaultStreamerConfig, ...deps.streamer };
  // A front end serves snapshots from the store, kept current by the bus; a collector from its
  // aggregator.
  const cache = collects
    ? null
    : createWindowCache({ keepMs: (streamerConfig.snapshotMinutes + 10) * MINUTE_MS }, { clock });
  const streamer = createStreamer(streamerConfig, {
    io,
    catalog,
    windows: cache ?? aggregator,
    clock,
    warn: log.warn,
    tail,
    ...(cluster ? { cluster } : {}),
  });
  publish = streamer.publish;

  // Committed records go to the aggregator; a record older than its horizon updates its window
  // through the store (recomputed from the raw records).
  const sink = {
    add(topicId: string, streamId: string, records: readonly FlowRecord[]) {
      const windowMs = catalog.windowMs(topicId);
      tail.add(topicId, streamId, records);
      alerts.add(topicId, streamId, records);
      const r = aggregator.add(topicId, streamId, records);
      for (const s of r.skipped) {
        if (s.reason === 'beyond-horizon' && s.record.start !== null)
          late.schedule(topicId, windowStartOf(s.record.start, windowMs), windowMs);
        else log.warn(`aggregator skipped a stored record (${s.reason}): ${topicId}/${streamId}`);
      }
    },
  };
  const health = createIngestHealth({ catalog, clock });
  const rawRetentionMs = (topicId: string) =>
    (catalog.topic(topicId)?.retention?.rawDays ?? config.retention.rawDays) * 86_400_000;
  const ingest = createIngest(
    { ...defaultIngestConfig, futureToleranceMs: aggregatorConfig.futureToleranceMs },
    {
      catalog,
      store,
      sink,
      clock,
      rawRetentionMs,
      warn: log.warn,
      onCommitted: (batch, out, streams) => {
        health.committed(batch.topicId, out, streams);
        const source = batch.source;
        metrics.lines.inc({ source, result: 'accepted', reason: '' }, out.accepted);
        for (const [reason, n] of Object.entries(out.filteredBy))
          metrics.lines.inc({ source, result: 'filtered', reason }, n ?? 0);
        for (const [reason, n] of Object.entries(out.rejectedBy))
          metrics.lines.inc({ source, result: 'rejected', reason }, n);
        metrics.recordsStored.inc(out.accepted);
      },
    },
  );

  // A sped-up clock carries on from the newest stored window (a restart with --speed would
  // otherwise put what the last run stored in the future, and publish nothing for a while).
  const positions = await store.lastWindows();
  const newestEnd = positions.reduce(
    (t, p) =>
      Math.max(t, p.windowStart + (catalog.topic(p.topicId) ? catalog.windowMs(p.topicId) : 0)),
    -Infinity,
  );
  if (clock.carryOnFrom?.(newestEnd))
    log.info(
      `flowdeck: the clock carries on from the newest stored window, ${new Date(newestEnd).toISOString()}`,
    );

  // After a kill: windows whose records came after the last clean mark are recomputed from their
  // raw records before anything is served (checkpoint.ts), so live and history agree.
  const checkpoint = createWindowCheckpoint(
    { ...defaultCheckpointConfig, topN: aggregatorConfig.topN, ...deps.checkpoint },
    {
      store,
      publishPending: () => aggregator.flush(),
      lateIdle: () => late.idle(),
      warn: log.warn,
    },
  );
  if (collects) {
    const t = performance.now();
    const rebuilt = await checkpoint.rebuild(
      (id) => (catalog.topic(id) ? catalog.windowMs(id) : null),
      clock.now() - aggregatorConfig.horizonMs,
      clock.now(),
    );
    if (rebuilt.windows > 0)
      log.warn(
        `flowdeck: the last stop was not clean; ${rebuilt.windows} windows recomputed from their raw records (records after seq ${rebuilt.cleanSeq ?? 'none'} up to ${rebuilt.seq}) in ${Math.round(performance.now() - t)} ms`,
      );
  }

  // After a restart: the recent windows come back into memory, and the simulator carries on after
  // what is stored instead of generating it again.
  const now = clock.now();
  if (collects)
    for (const topic of catalog.topics())
      aggregator.restore(
        await store.loadWindows(topic.id, now - aggregatorConfig.horizonMs, now + 60 * MINUTE_MS),
      );
  const resumeAfter = new Map(
    positions.map((p) => [resumeKey(p.topicId, p.streamId), p.windowStart]),
  );
  for (const p of positions) health.seed(p.topicId, p.streamId, p.windowStart);

  const simulator =
    config.simulator.enabled && collects
      ? createSimulator(
          {
            seed: config.simulator.seed,
            publishDelaySec: config.simulator.publishDelaySec,
            jitterSec: config.simulator.jitterSec,
            backfillMinutes: config.simulator.backfillMinutes,
            tickMs: 250,
            // Up to an hour is emitted before listen() (dashboards open full); a longer backfill
            // goes in slices that wait for the store, whose queue would overflow otherwise.
            backfillSliceMs: config.simulator.backfillMinutes > 60 ? 25 : 0,
          },
          {
            catalog,
            clock,
            sink: (batch) => {
              const done = ingest.ingest(batch);
              done?.catch((err: Error) =>
                log.warn(`simulator: a window was not stored: ${err.message}`),
              );
              return done !== null;
            },
            resumeAfter,
            // Generate only while the store has room for a large window.
            busy: () => !store.hasRoom(100_000),
          },
        )
      : null;

  const fileSource = createFileSource(
    { ...defaultFileSourceConfig, watches: collects ? config.watches : [] },
    {
      ingest,
      clock,
      topicExists: (id) => catalog.topic(id) !== undefined,
      loadOffsets: (prefix) => store.loadOffsets(prefix),
      warn: log.warn,
    },
  );

  // Gauges read from their component at every scrape.
  const g = metrics.gauge;
  g('flowdeck_store_queue_records', 'Records and rejected lines queued, not yet committed', () =>
    store.backlog(),
  );
  g(
    'flowdeck_store_queue_capacity_records',
    'Capacity of the write queue',
    () => store.metrics().maxQueued,
  );
  metrics.gauges(
    'flowdeck_duckdb_memory_bytes',
    "DuckDB's memory (duckdb_memory()): used (in memory), temporary (spilled to disk), limit (its memory_limit)",
    ['kind'],
    () => {
      const mem = store.metrics().memory;
      return [
        [{ kind: 'used' }, mem.usedBytes],
        [{ kind: 'temporary' }, mem.tempBytes],
        [{ kind: 'limit' }, mem.limitBytes],
      ];
    },
  );
  g('flowdeck_store_file_bytes', 'Database file and WAL size', () => store.metrics().fileBytes);
  g(
    'flowdeck_store_rows_records',
    'Raw records stored (estimate)',
    () => store.metrics().rows.records,
  );
  g(
    'flowdeck_store_writes_refused_records',
    'Records of writes refused because the queue was full (their sources waited)',
    () => store.metrics().writesRefused,
  );
  g(
    'flowdeck_store_records_failed',
    'Records of writes that failed (their sources were told)',
    () => store.metrics().recordsFailed,
  );
  g(
    'flowdeck_store_lines_quarantined',
    'Rejected lines kept in quarantine since start',
    () => store.metrics().quarantined,
  );
  g(
    'flowdeck_store_worker_restarts',
    'Restarts of the store worker',
    () => store.metrics().workerRestarts,
  );
  g('flowdeck_history_queries_running', 'History queries running', () => reads.metrics().running);
  g(
    'flowdeck_history_queries_waiting',
    'History queries waiting their turn',
    () => reads.metrics().waiting,
  );
  metrics.gauges(
    'flowdeck_history_queries_stopped',
    'History queries not answered, by reason: refused (a client had too many waiting), timeout (past --query-timeout), gone (the client went away)',
    ['reason'],
    () => {
      const r = reads.metrics();
      return [
        [{ reason: 'refused' }, r.refused],
        [{ reason: 'timeout' }, r.timedOut],
        [{ reason: 'gone' }, r.abandoned],
      ];
    },
  );
  g(
    'flowdeck_store_reads_cancelled',
    'Store reads whose queries were interrupted (deadline, client gone)',
    () => store.metrics().readsCancelled,
  );
  g('flowdeck_socket_clients', 'Connected socket.io clients', () => io.engine.clientsCount);
  g(
    'flowdeck_socket_slow_clients',
    'Clients whose transport is backed up',
    () => streamer.metrics().slowClients,
  );
  metrics.gauges(
    'flowdeck_socket_refused',
    'Socket requests refused or connections closed, by reason: rate_limited (subscribes over the allowance), too_slow (connection closed: its queue passed the bound)',
    ['reason'],
    () => {
      const m = streamer.metrics();
      return [
        [{ reason: 'rate_limited' }, m.subscribesLimited],
        [{ reason: 'too_slow' }, m.droppedTooSlow],
      ];
    },
  );
  metrics.gauges(
    'flowdeck_socket_snapshots',
    'Subscribe answers: built (encoded anew) or shared (an encoded snapshot reused)',
    ['how'],
    () => {
      const m = streamer.metrics();
      return [
        [{ how: 'built' }, m.snapshotsBuilt],
        [{ how: 'shared' }, m.snapshotsShared],
      ];
    },
  );
  metrics.gauges(
    'flowdeck_tail_records',
    'Live tail records matched by a tailed query: sent, or skipped (more than a batch holds)',
    ['result'],
    () => {
      const m = tail.metrics();
      return [
        [{ result: 'sent' }, m.sent],
        [{ result: 'skipped' }, m.skipped],
      ];
    },
  );
  g('flowdeck_tail_rooms', 'Distinct (topic, query) live tails', () => tail.metrics().rooms);
  g(
    'flowdeck_windows_rebuilt',
    'Windows recomputed from raw records at start, after a stop that was not clean',
    () => checkpoint.metrics().rebuilt,
  );
  g(
    'flowdeck_windows_clean_seq',
    'Records up to this seq are counted in the stored window aggregates',
    () => checkpoint.metrics().markedSeq,
  );
  g(
    'flowdeck_windows_in_memory',
    'Capture windows held by the aggregator',
    () => aggregator.metrics().windowsInMemory,
  );
  g(
    'flowdeck_late_windows_pending',
    'Old windows waiting to be recomputed from the store',
    () => late.metrics().pending,
  );
  g('flowdeck_files_open', 'Files the file source follows', () => fileSource.metrics().open);
  g(
    'flowdeck_files_rotations',
    'Rotations the file source followed',
    () => fileSource.metrics().rotations,
  );
  g(
    'flowdeck_files_truncations',
    'Truncations (copytruncate) the file source followed',
    () => fileSource.metrics().truncations,
  );
  g(
    'flowdeck_simulator_windows_emitted',
    'Capture windows the simulator wrote',
    () => simulator?.metrics().windowsEmitted ?? 0,
  );
  g('flowdeck_catalog_flow_logs', 'Flow logs in the catalog', () => catalog.flowLogs().length);

  if (bus)
    metrics.gauges(
      'flowdeck_cluster_bus_messages',
      'Cluster bus entries: published (written by this process), publish_failed, read, bad (not a flowdeck message), gaps (fell behind the stream: reloaded from the store)',
      ['result'],
      () => {
        const m = bus.metrics();
        return [
          [{ result: 'published' }, m.published],
          [{ result: 'publish_failed' }, m.publishFailed],
          [{ result: 'read' }, m.read],
          [{ result: 'bad' }, m.bad],
          [{ result: 'gaps' }, m.gaps],
        ];
      },
    );
  if (cache)
    g('flowdeck_window_cache_windows', 'Windows a front end holds for snapshots', () =>
      cache.size(),
    );

  registerApi(http, {
    catalog,
    role: config.role,
    metrics,
    recentErrors: ingest.recentErrors,
    serverTime: () => clock.now(),
    memory: () => {
      const p = process.memoryUsage();
      const d = store.metrics().memory;
      return {
        rssBytes: p.rss,
        heapUsedBytes: p.heapUsed,
        heapTotalBytes: p.heapTotal,
        externalBytes: p.external,
        storeWorkerHeapBytes: store.metrics().workerHeap.usedBytes,
        duckdb: { usedBytes: d.usedBytes, temporaryBytes: d.tempBytes, limitBytes: d.limitBytes },
      };
    },
    status: () => {
      const problems: string[] = [];
      const s = store.metrics();
      if (s.workerRestarts > 0)
        problems.push(`the store worker restarted ${s.workerRestarts} times`);
      if (s.queued > s.maxQueued * 0.9) problems.push('the store write queue is nearly full');
      if (redis && redis.status !== 'ready') problems.push(`Redis is ${redis.status}`);
      return { status: problems.length === 0 ? 'ok' : 'degraded', problems };
    },
  });
  registerHistoryApi(http, { catalog, store, clock, warn: log.warn, reads });
  registerIngestApi(http, { catalog, store, clock, health, windows: aggregator });
  const manager = createCatalogManager({ catalog, store, clock });
  registerCatalogApi(http, { catalog, manager, warn: log.warn });
  registerAlertsApi(http, {
    rules,
    alerts,
    history,
    store,
    catalog,
    clock,
    reads,
    warn: log.warn,
  });
  if (collects)
    registerPush(
      http,
      {
        maxBodyBytes: config.maxBodyBytes,
        maxConcurrent: 4,
        maxLines: Math.floor(storeConfig.maxQueuedRecords / 2),
      },
      {
        catalog,
        ingest,
        clock,
        warn: log.warn,
        onPushed: (status) => metrics.pushes.inc({ status: String(status) }),
      },
    );
  else
    http.post('/api/topics/:id/records', { config: { access: 'ingest' } }, async (_req, reply) =>
      reply
        .code(421)
        .send(
          fail(
            'misdirected',
            'this flowdeck server is a front end: push records to a collector (--role collector or all)',
          ),
        ),
    );

  // Clustered: a front end's snapshots come from the store, then from the bus in order; every
  // process hears of catalog changes made elsewhere and reloads the catalog from the store.
  let applyingRemoteCatalog = false;
  /** The recent windows of `topicIds` (default: every topic) from the store into the cache. */
  async function loadRecentWindows(
    topicIds: readonly string[] = catalog.topics().map((t) => t.id),
  ): Promise<void> {
    if (!cache) return;
    const t = clock.now();
    const keep = (streamerConfig.snapshotMinutes + 10) * MINUTE_MS;
    for (const id of topicIds)
      cache.load(id, await store.loadWindows(id, t - keep, t + 60 * MINUTE_MS));
  }
  /** Another process changed alert episodes or silences: only those are taken again. */
  async function reloadAlerts(): Promise<void> {
    const stored = await store.loadCatalog();
    if (stored === null) return;
    applyingRemoteCatalog = true;
    try {
      history.replace(historyOf(stored));
    } finally {
      applyingRemoteCatalog = false;
    }
  }
  async function reloadCatalog(): Promise<void> {
    const stored = await store.loadCatalog();
    if (stored === null) return;
    applyingRemoteCatalog = true;
    try {
      catalog.replace(logsetsOf(stored));
      rules.replace(stored.alertRules ?? []);
      history.replace(historyOf(stored));
    } finally {
      applyingRemoteCatalog = false;
    }
  }
  const onBus = (m: BusMessage) => {
    if (m.kind === 'window') {
      if (cache?.put(m.window)) streamer.note(m.window);
    } else if (m.kind === 'alerts') {
      if (m.origin !== processId)
        void reloadAlerts().catch((err: Error) =>
          log.warn(`cluster: the alerts were not reloaded: ${err.message}`),
        );
    } else if (m.origin !== processId) {
      void reloadCatalog().catch((err: Error) =>
        log.warn(`cluster: the catalog was not reloaded: ${err.message}`),
      );
    }
  };
  let busFrom: string | null = null;
  if (bus) {
    // The bus position first, then the store: what is published in between comes twice, and
    // the newer revision wins; nothing falls between the two.
    busFrom = await bus.lastId();
    await loadRecentWindows();
  }

  // A catalog change takes effect everywhere at once: retention, the windows of deleted topics,
  // the simulator's streams, and every open page.
  catalog.onChange(({ before, after }) => {
    for (const t of before.topics())
      if (!after.topic(t.id)) {
        aggregator.forget(t.id);
        health.forget(t.id);
      }
    void store
      .setRetention(retentionOfTopics())
      .catch((err: Error) => log.warn(`retention settings: ${err.message}`));
    simulator?.refresh();
    streamer.catalogChanged();
    // A front end loads the windows of new topics only (a rename changes no window).
    if (cache) {
      for (const t of before.topics()) if (!after.topic(t.id)) cache.forget(t.id);
      const added = after
        .topics()
        .filter((t) => !before.topic(t.id))
        .map((t) => t.id);
      if (added.length > 0) void loadRecentWindows(added).catch(() => {});
    }
    if (bus && !applyingRemoteCatalog)
      void bus.publish({ kind: 'catalog', version: catalog.version, origin: processId });
    // The alert rules of a deleted topic go with it.
    if (!applyingRemoteCatalog)
      void rules
        .dropOrphans()
        .catch((err: Error) => log.warn(`alert rules of deleted topics: ${err.message}`));
  });
  // Rule changes reach the other processes as catalog changes do.
  rules.onChange(() => {
    if (bus && !applyingRemoteCatalog)
      void bus.publish({ kind: 'catalog', version: catalog.version, origin: processId });
  });
  // Alert changes (an episode fired, moved, resolved or was acknowledged; a silence) are told to
  // this process's browsers (they read GET /api/alerts again) and, clustered, to the other
  // processes; at most every ALERTS_NOTE_MS.
  let alertsNote: ReturnType<typeof setTimeout> | null = null;
  history.onChange(() => {
    const remote = applyingRemoteCatalog;
    alertsNote ??= setTimeout(() => {
      alertsNote = null;
      io.local.emit('alerts:changed', { version: history.version() });
      if (bus && !remote) void bus.publish({ kind: 'alerts', origin: processId });
    }, ALERTS_NOTE_MS);
  });
  // Windows that never came (every stream silent) are judged by the clock, once overdue.
  const alertTick = collects ? setInterval(() => alerts.tick(), ALERT_TICK_MS).unref() : null;

  const clientDir = resolve(config.clientDir);
  const haveClient = existsSync(resolve(clientDir, 'index.html'));
  if (haveClient) {
    // wildcard: files are looked up per request, so a rebuilt client is served without a restart.
    await http.register(fastifyStatic, {
      root: clientDir,
      wildcard: true,
      index: 'index.html',
      // br / gzip files written beside each one by the build, chosen by Accept-Encoding.
      preCompressed: true,
      cacheControl: false,
      setHeaders: (res, path) => {
        res.setHeader('vary', 'accept-encoding');
        // Hashed file names never change content: cached for a year. The page is checked each time.
        res.setHeader(
          'cache-control',
          /[\\/]assets[\\/]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache',
        );
      },
    });
  }
  // The client's build: a wall reloads itself when it changes (a new deploy or rebuild).
  http.get('/api/version', async () => {
    const read = (): string | null => {
      try {
        return readFileSync(resolve(clientDir, '.source-hash'), 'utf8').trim() || null;
      } catch {
        try {
          return String(statSync(resolve(clientDir, 'index.html')).mtimeMs);
        } catch {
          return null;
        }
      }
    };
    return ok({ build: read() });
  });
  // Client routes (/topics/<id>...) get the app; unknown API paths get a JSON 404.
  http.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0] ?? '';
    if (req.method === 'GET' && isPagePath(path)) {
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
  let closed = false;
  return {
    catalog,
    auth,
    manager,
    reads,
    metrics,
    aggregator,
    ingest,
    store,
    late,
    checkpoint,
    streamer,
    simulator,
    fileSource,
    io,
    http,
    clock,
    /** Starts every component and listens; resolves to the bound address. */
    async listen(port = config.port, host = config.host) {
      streamer.start();
      tail.start();
      if (collects) {
        aggregator.start();
        store.start();
        // The rules' measures from the store, before any source adds to them.
        await alerts.start();
        simulator?.start();
        await fileSource.start();
        // Publish what the backfill stored, so the first subscribers get it in their snapshot.
        await ingest.idle();
        aggregator.flush();
        checkpoint.start();
      }
      if (bus && busFrom !== null)
        bus.start(busFrom, {
          onMessage: onBus,
          onGap: async (reason) => {
            log.warn(`cluster: ${reason}; reloading windows and catalog from the store`);
            await reloadCatalog();
            await loadRecentWindows();
          },
        });
      started = true;
      await http.listen({ port, host });
      const addr = http.server.address();
      const boundPort = typeof addr === 'object' && addr ? addr.port : port;
      if (config.publicUrl === null)
        publicBase = `http://${host === '0.0.0.0' ? 'localhost' : host}:${boundPort}`;
      return {
        port: boundPort,
        url: `http://${host === '0.0.0.0' ? 'localhost' : host}:${boundPort}`,
      };
    },
    /** Stops sources first, publishes and stores what is pending, then closes the store. */
    async close() {
      if (closed) return;
      closed = true;
      if (started && collects) {
        simulator?.stop();
        await fileSource.stop();
        // What sources handed over is committed and counted before the windows are published.
        await store.flush().catch(() => {});
        await ingest.idle();
        aggregator.stop();
        // Everything committed is counted in stored aggregates: the next start rebuilds nothing.
        await checkpoint.stop();
        // A standby takes over at once.
        await lease?.release();
      }
      streamer.stop();
      tail.stop();
      late.stop();
      webhooks.stop();
      if (alertTick) clearInterval(alertTick);
      if (alertsNote) clearTimeout(alertsNote);
      await bus?.stop();
      // Only this process's sockets: clustered, a plain disconnectSockets() would close every front end's.
      io.local.disconnectSockets(true);
      // Answers in flight get CLOSE_GRACE_MS to finish; a client that stopped reading its answer
      // does not hold the shutdown (its connection is closed).
      const force = setTimeout(() => http.server.closeAllConnections(), CLOSE_GRACE_MS);
      await new Promise<void>((done) => io.close(() => done()));
      await http.close().catch(() => {});
      clearTimeout(force);
      // The alert history's last changes (a delivery just logged) go in before the store closes.
      await history.stored();
      await store.close();
      redis?.disconnect();
    },
  };
}

export type App = Awaited<ReturnType<typeof createApp>>;

/**
 * Paths the client app answers: its pages (/, /topics/..., /search...). Anything else (/api/...,
 * /metrics-like paths, files) is a 404, never the app's HTML.
 */
export function isPagePath(path: string): boolean {
  return matchRoute(path).name !== 'not-found';
}
