// Child process of the fan-out benchmark: the real app (no simulator) on a loopback port. On each
// "publish" message it folds one synthetic capture window into the aggregator and flushes it, then
// reports the high-resolution publication time to the parent.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../server/app.ts';
import { loadConfig } from '../server/config.ts';
import type { FlowRecord } from '../shared/record.ts';

// A data directory of its own, removed on stop; fixed tokens (none is needed to subscribe).
const dataDir = await mkdtemp(join(tmpdir(), 'flowdeck-bench-fanout-'));
const config = loadConfig(
  [
    ...['--port', '0', '--host', '127.0.0.1', '--no-simulator', '--data', dataDir],
    ...['--ingest-token', 'bench-ingest-token-0001', '--admin-token', 'bench-admin-token-00001'],
  ],
  {},
);
const app = await createApp(config, {
  log: { info: () => {}, warn: () => {} },
  aggregator: { flushIntervalMs: 0 },
});
const { port } = await app.listen();
const topic = app.catalog.topics().find((t) => t.format === 'ccn') ?? app.catalog.topics()[0]!;
const streamId = topic.streams[0]?.id ?? 'bench';

function windowRecords(windowStart: number): FlowRecord[] {
  const start = windowStart / 1000;
  const regions = topic.regions.length > 1 ? topic.regions : ['ap-guangzhou', 'ap-shanghai'];
  return Array.from({ length: 2000 }, (_, i) => ({
    format: 'ccn',
    version: '1',
    accountId: null,
    interfaceId: null,
    srcaddr: `10.${i % 7}.${(i >> 3) & 255}.${i & 255}`,
    dstaddr: `10.${(i + 3) % 7}.1.${(i * 7) & 255}`,
    srcport: 32768 + (i % 20000),
    dstport: [443, 80, 3306, 22][i % 4]!,
    protocol: 6,
    packets: 10 + (i % 500),
    bytes: 1000 + ((i * 7919) % 1_000_000),
    start,
    end: start + 60,
    action: i % 50 === 0 ? 'REJECT' : 'ACCEPT',
    logStatus: 'OK',
    ccnId: 'ccn-bench',
    srcRegion: regions[i % regions.length]!,
    dstRegion: regions[(i + 1) % regions.length]!,
    regionId: regions[i % regions.length]!,
    extra: null,
  }));
}

let next = Math.floor(Date.now() / 60_000) * 60_000 - 30 * 60_000;
process.on('message', (msg: { type: string }) => {
  if (msg.type === 'publish') {
    app.aggregator.add(topic.id, streamId, windowRecords(next));
    const publishedAt = performance.timeOrigin + performance.now();
    app.aggregator.flush();
    process.send!({ type: 'published', windowStart: next, publishedAt });
    next += 60_000;
  } else if (msg.type === 'stop') {
    void app
      .close()
      .then(() => rm(dataDir, { recursive: true, force: true }))
      .then(() => process.exit(0));
  }
});
process.send!({ type: 'ready', port, topicId: topic.id });
