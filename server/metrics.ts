// One metrics registry (prom-client) for the whole app: /metrics serves it in the Prometheus text
// format and /api/health reads the same values as JSON. Counters are counted where things happen
// (ingest, publication, pushes, HTTP); gauges are read from their component when scraped.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** One metric in /api/health: its value, or its values by label set. */
export type HealthValue =
  number | Array<{ labels: Record<string, string | number>; value: number }>;

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'flowdeck_' });
  const registers = [registry];

  const lines = new Counter({
    name: 'flowdeck_ingest_lines_total',
    help: 'Lines taken in, by source (push, file, simulator), result (accepted, filtered, rejected) and reason',
    labelNames: ['source', 'result', 'reason'] as const,
    registers,
  });
  const recordsStored = new Counter({
    name: 'flowdeck_records_stored_total',
    help: 'Records committed to the store',
    registers,
  });
  const windowsPublished = new Counter({
    name: 'flowdeck_windows_published_total',
    help: 'Capture-window revisions published to the dashboards',
    registers,
  });
  const pushes = new Counter({
    name: 'flowdeck_push_requests_total',
    help: 'HTTP push requests, by status',
    labelNames: ['status'] as const,
    registers,
  });
  const commitSeconds = new Histogram({
    name: 'flowdeck_store_commit_seconds',
    help: 'Time from sending a write batch to the store worker to its commit',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const httpSeconds = new Histogram({
    name: 'flowdeck_http_request_duration_seconds',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  const querySeconds = new Histogram({
    name: 'flowdeck_query_duration_seconds',
    help: 'Store reads by operation',
    labelNames: ['op'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  const authRefused = new Counter({
    name: 'flowdeck_auth_refused_total',
    help: 'Requests refused for their token, by status (401, 403, 429)',
    labelNames: ['status'] as const,
    registers,
  });

  /** A gauge read from a component at scrape time. */
  function gauge(name: string, help: string, read: () => number) {
    return new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(read());
      },
    });
  }

  /** A gauge with labels, all read at scrape time. */
  function gauges<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    read: () => Array<[Record<L, string>, number]>,
  ) {
    return new Gauge({
      name,
      help,
      labelNames,
      registers,
      collect() {
        this.reset();
        for (const [labels, v] of read()) this.set(labels as never, v);
      },
    });
  }

  /** The registry as plain JSON for /api/health: name -> value, or label set -> value. */
  async function snapshot(): Promise<Record<string, HealthValue>> {
    const out: Record<string, HealthValue> = {};
    const all = (await registry.getMetricsAsJSON()) as unknown as Array<{
      name: string;
      type: string;
      values: Array<{ labels: Record<string, string | number>; value: number }>;
    }>;
    for (const m of all) {
      // Histograms stay in /metrics (their buckets mean little without a query language).
      if (!m.name.startsWith('flowdeck_') || m.type === 'histogram') continue;
      const values = m.values;
      const first = values[0];
      if (values.length === 1 && first && Object.keys(first.labels).length === 0)
        out[m.name] = first.value;
      else out[m.name] = values.map((v) => ({ labels: v.labels, value: v.value }));
    }
    return out;
  }

  return {
    registry,
    lines,
    recordsStored,
    windowsPublished,
    pushes,
    commitSeconds,
    httpSeconds,
    querySeconds,
    authRefused,
    gauge,
    gauges,
    snapshot,
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
