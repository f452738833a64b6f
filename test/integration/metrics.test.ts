// /metrics in the Prometheus text format and /api/health as JSON, from one registry: after a push,
// both tell the same line counts; the process, HTTP, store and socket figures are there too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reply } from '../../shared/reply.ts';
import { bearer, startApp } from '../helpers/app.ts';

interface Health {
  status: string;
  memory: {
    rssBytes: number;
    heapUsedBytes: number;
    heapTotalBytes: number;
    storeWorkerHeapBytes: number;
    duckdb: { usedBytes: number; temporaryBytes: number; limitBytes: number };
  };
  metrics: Record<string, number | Array<{ labels: Record<string, string>; value: number }>>;
}

describe('metrics', () => {
  let ctx: Awaited<ReturnType<typeof startApp>>;
  beforeAll(async () => {
    ctx = await startApp(['--no-simulator', '--db-memory', '1GiB', '--db-threads', '2']);
  });
  afterAll(async () => {
    await ctx?.stop();
  });

  it('counts pushed lines by source, result and reason, the same in /metrics and /api/health', async () => {
    const t = Math.floor(Date.now() / 1000) - 120;
    const good = `2 1300428518 nat-4fq8l2tw 10.0.2.1 203.0.113.9 30000 443 6 3 100 ${t} ${t + 50} ACCEPT OK`;
    const res = await fetch(`${ctx.url}/api/topics/topic-nat-prod/records`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', ...bearer('ingest') },
      body: [good, '', good.replace('30000', '30001'), 'garbage'].join('\n'),
    });
    expect(res.status).toBe(200);

    const text = await (await fetch(`${ctx.url}/metrics`)).text();
    expect(text).toContain('# TYPE flowdeck_ingest_lines_total counter');
    expect(text).toMatch(
      /flowdeck_ingest_lines_total\{source="push",result="accepted",reason=""\} 2\b/,
    );
    expect(text).toMatch(
      /flowdeck_ingest_lines_total\{source="push",result="rejected",reason="unknown-format"\} 1\b/,
    );
    expect(text).toMatch(
      /flowdeck_ingest_lines_total\{source="push",result="filtered",reason="blank"\} 1\b/,
    );
    expect(text).toMatch(/flowdeck_records_stored_total 2\b/);
    expect(text).toMatch(/flowdeck_push_requests_total\{status="200"\} 1\b/);
    expect(text).toMatch(/flowdeck_store_commit_seconds_bucket\{le="[\d.]+"\} \d+/);
    expect(text).toMatch(
      /flowdeck_http_request_duration_seconds_bucket\{.*route="\/api\/topics\/:id\/records"/,
    );
    expect(text).toMatch(/flowdeck_process_cpu_user_seconds_total \d/);
    expect(text).toMatch(/flowdeck_nodejs_eventloop_lag_seconds \d/);
    expect(text).toMatch(/flowdeck_store_queue_records \d/);
    expect(text).toMatch(/flowdeck_socket_clients 0/);

    const health = (await (await fetch(`${ctx.url}/api/health`)).json()) as Reply<Health>;
    if (!health.ok) throw new Error(health.error.message);
    expect(health.data.status).toBe('ok');
    const lines = health.data.metrics.flowdeck_ingest_lines_total as Array<{
      labels: Record<string, string>;
      value: number;
    }>;
    const accepted = lines.find(
      (l) => l.labels.source === 'push' && l.labels.result === 'accepted',
    );
    expect(accepted?.value).toBe(2);
    expect(health.data.metrics.flowdeck_records_stored_total).toBe(2);
  });

  it("reports the process's RSS and V8 heap and DuckDB's memory against its configured limit", async () => {
    const health = (await (await fetch(`${ctx.url}/api/health`)).json()) as Reply<Health>;
    if (!health.ok) throw new Error(health.error.message);
    const mem = health.data.memory;
    expect(mem.rssBytes).toBeGreaterThan(mem.heapUsedBytes);
    expect(mem.heapUsedBytes).toBeGreaterThan(0);
    expect(mem.heapTotalBytes).toBeGreaterThanOrEqual(mem.heapUsedBytes);
    // The store worker is a thread with a V8 heap of its own, reported beside the main one.
    await ctx.app.store.flush();
    expect(ctx.app.store.metrics().workerHeap.usedBytes).toBeGreaterThan(0);
    // --db-memory 1GiB is DuckDB's memory_limit, and what it uses stays under it.
    expect(mem.duckdb.limitBytes).toBe(1024 ** 3);
    expect(mem.duckdb.usedBytes).toBeLessThan(mem.duckdb.limitBytes);
    const text = await (await fetch(`${ctx.url}/metrics`)).text();
    expect(text).toContain(`flowdeck_duckdb_memory_bytes{kind="limit"} ${1024 ** 3}`);
    expect(text).toMatch(/^flowdeck_duckdb_memory_bytes\{kind="used"\} \d+$/m);
    expect(text).toMatch(/^flowdeck_process_resident_memory_bytes \d+$/m);
    expect(text).toMatch(/^flowdeck_nodejs_heap_size_used_bytes \d+$/m);
    expect(ctx.app.store.metrics().memory.threads).toBe(2);
  });

  it('never answers /metrics-like paths with HTML', async () => {
    const r = await fetch(`${ctx.url}/metrics`);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
  });
});

describe('metrics with a viewer token', () => {
  it('need the token, as every read does', async () => {
    const ctx = await startApp(['--no-simulator', '--viewer-token', 'viewer-token-for-metrics']);
    try {
      expect((await fetch(`${ctx.url}/metrics`)).status).toBe(401);
      const ok = await fetch(`${ctx.url}/metrics`, {
        headers: { authorization: 'Bearer viewer-token-for-metrics' },
      });
      expect(ok.status).toBe(200);
    } finally {
      await ctx.stop();
    }
  });
});
