// Capture-window aggregation throughput on generated traffic: 3 topics (2 ENI, 1 CCN), 8 log
// streams each, Zipf-skewed quintuples (a few thousand distinct per window), batches of 500
// records, a flush every 20 batches, 2 % of records arriving one window late. Only aggregator
// calls are timed; generating the records is not.
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { quintupleKey, type FlowRecord } from '../shared/record.ts';
import { manualClock } from '../server/clock.ts';
import { createAggregator } from '../server/window/aggregator.ts';
import { defaultAggregatorConfig } from '../server/window/config.ts';
import { createTopTracker } from '../server/window/top.ts';

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  target?: string;
}

const WINDOW_MS = 60_000;
const STREAMS = 8;
const BATCH = 500;
const FLUSH_EVERY = 20;
const RECORDS_PER_TOPIC_WINDOW = 24_000;
const QUINTUPLES_PER_TOPIC = 6_000;
const REGIONS = ['ap-guangzhou', 'ap-shanghai', 'ap-beijing', 'ap-singapore', 'na-siliconvalley'];

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Quintuple {
  srcaddr: string;
  srcport: number;
  dstaddr: string;
  dstport: number;
  protocol: number;
}

/** Samples indexes 0..n-1 with P(i) ~ 1 / (i + 1)^s. */
function zipf(n: number, s: number, rand: () => number): () => number {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) cdf[i] = sum += 1 / (i + 1) ** s;
  return () => {
    const x = rand() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

interface TopicGen {
  topicId: string;
  ccn: boolean;
  pool: Quintuple[];
  pick: () => number;
}

function makeTopics(rand: () => number): TopicGen[] {
  const services = [443, 80, 3306, 6379, 53, 22, 8080, 9092];
  return ['topic-eni-web', 'topic-nat-egress', 'topic-ccn-backbone'].map((topicId, t) => {
    const pool: Quintuple[] = [];
    for (let i = 0; i < QUINTUPLES_PER_TOPIC; i++) {
      const udp = rand() < 0.15;
      pool.push({
        srcaddr: `10.${t}.${Math.floor(rand() * 64)}.${Math.floor(rand() * 254) + 1}`,
        srcport: 32768 + Math.floor(rand() * 28000),
        dstaddr: `172.16.${Math.floor(rand() * 32)}.${Math.floor(rand() * 254) + 1}`,
        dstport: services[Math.floor(rand() * services.length)]!,
        protocol: udp ? 17 : 6,
      });
    }
    return { topicId, ccn: t === 2, pool, pick: zipf(pool.length, 1.05, rand) };
  });
}

/** One topic's records of one window, already cut into per-stream batches. */
function windowBatches(
  g: TopicGen,
  windowStart: number,
  rand: () => number,
): Array<{ streamId: string; records: FlowRecord[] }> {
  const perStream: FlowRecord[][] = Array.from({ length: STREAMS }, () => []);
  const startSec = windowStart / 1000;
  for (let i = 0; i < RECORDS_PER_TOPIC_WINDOW; i++) {
    const q = g.pool[g.pick()]!;
    const packets = 1 + Math.floor(rand() * rand() * 2000);
    const start = startSec + Math.floor(rand() * 60);
    const stream = i % STREAMS;
    const src = REGIONS[stream % REGIONS.length]!;
    perStream[stream]!.push({
      format: g.ccn ? 'ccn' : 'eni',
      version: '2',
      accountId: '100000000001',
      interfaceId: g.ccn ? null : `eni-${stream}`,
      srcaddr: q.srcaddr,
      dstaddr: q.dstaddr,
      srcport: q.srcport,
      dstport: q.dstport,
      protocol: q.protocol,
      packets,
      bytes: packets * (64 + Math.floor(rand() * 1400)),
      start,
      end: start + 59,
      action: rand() < 0.04 ? 'REJECT' : 'ACCEPT',
      logStatus: 'OK',
      ccnId: g.ccn ? 'ccn-bench' : null,
      srcRegion: g.ccn ? src : null,
      dstRegion: g.ccn ? REGIONS[(stream + 1 + (i % 3)) % REGIONS.length]! : null,
      regionId: g.ccn ? src : null,
      extra: null,
    });
  }
  const out: Array<{ streamId: string; records: FlowRecord[] }> = [];
  perStream.forEach((records, s) => {
    for (let i = 0; i < records.length; i += BATCH) {
      out.push({ streamId: `stream-${s}`, records: records.slice(i, i + BATCH) });
    }
  });
  return out;
}

/** A gc() if one can be had (for the memory figure); otherwise undefined. */
function gcFunction(): (() => void) | undefined {
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
}

async function throughput(windows: number): Promise<BenchResult[]> {
  const rand = prng(42);
  const topics = makeTopics(rand);
  const t0 = Math.floor(Date.UTC(2025, 0, 15, 12, 0, 0) / WINDOW_MS) * WINDOW_MS;
  const clock = manualClock(t0);
  let published = 0;
  const agg = createAggregator(
    { ...defaultAggregatorConfig, flushIntervalMs: 0 },
    { clock, windowMsOf: () => 60_000, onWindow: () => void published++ },
  );

  let records = 0;
  let addMs = 0;
  let flushMs = 0;
  let flushes = 0;
  let batchesSinceFlush = 0;
  let late: Array<{ topicId: string; streamId: string; records: FlowRecord[] }> = [];
  let distinct = 0;

  const flush = () => {
    const a = performance.now();
    agg.flush();
    flushMs += performance.now() - a;
    flushes++;
    batchesSinceFlush = 0;
  };

  for (let w = 0; w < windows; w++) {
    const windowStart = t0 + w * WINDOW_MS;
    // The window's records are delivered over the 60 s after it ends.
    const batches = topics.flatMap((g) =>
      windowBatches(g, windowStart, rand).map((b) => ({ topicId: g.topicId, ...b })),
    );
    if (w === 0)
      distinct = distinctQuintuples(batches.filter((b) => b.topicId === topics[0]!.topicId));
    // Interleave topics and streams, and hold 2 % of the records back to the next window.
    batches.sort(() => rand() - 0.5);
    const nextLate: typeof late = [];
    for (const b of batches) {
      if (rand() < 0.02) nextLate.push(b);
    }
    const due = [...late, ...batches.filter((b) => !nextLate.includes(b))];
    late = nextLate;
    for (let i = 0; i < due.length; i++) {
      clock.set(windowStart + WINDOW_MS + Math.floor((i / due.length) * WINDOW_MS));
      const b = due[i]!;
      const a = performance.now();
      const res = agg.add(b.topicId, b.streamId, b.records);
      addMs += performance.now() - a;
      records += res.aggregated;
      if (++batchesSinceFlush >= FLUSH_EVERY) flush();
    }
    flush();
    if (w % 5 === 4) await new Promise((r) => setImmediate(r));
  }
  const m = agg.metrics();
  const totalMs = addMs + flushMs;
  return [
    {
      name: 'aggregate: records/s incl. flush',
      value: Math.round(records / (totalMs / 1000)),
      unit: 'records/s',
      target: '>= 500000',
    },
    {
      name: 'aggregate: add() alone',
      value: Math.round(records / (addMs / 1000)),
      unit: 'records/s',
    },
    {
      name: 'aggregate: flush, per published window',
      value: +(flushMs / Math.max(1, published)).toFixed(3),
      unit: 'ms',
      target: '<= 5',
    },
    { name: 'aggregate: flushes', value: flushes, unit: 'count' },
    {
      name: 'aggregate: distinct quintuples per topic window',
      value: distinct,
      unit: 'quintuples',
    },
    { name: 'aggregate: windows published (revisions)', value: m.windowsPublished, unit: 'count' },
    {
      name: 'aggregate: tracked quintuples at end',
      value: m.trackedQuintuples,
      unit: 'quintuples',
    },
  ];
}

function distinctQuintuples(batches: ReadonlyArray<{ records: FlowRecord[] }>): number {
  const keys = new Set<string>();
  for (const b of batches) for (const r of b.records) keys.add(quintupleKey(r));
  return keys.size;
}

/** Cost of the top-N selection over a full tracker (10,000 quintuples). */
function topSelection(): BenchResult[] {
  const rand = prng(3);
  const tracker = createTopTracker(defaultAggregatorConfig.topCapacity);
  const base: Omit<FlowRecord, 'srcport'> = {
    format: 'eni',
    version: '2',
    accountId: null,
    interfaceId: null,
    srcaddr: '10.0.0.1',
    dstaddr: '10.0.0.2',
    dstport: 443,
    protocol: 6,
    packets: 1,
    bytes: 1,
    start: 0,
    end: 0,
    action: 'ACCEPT',
    logStatus: 'OK',
    ccnId: null,
    srcRegion: null,
    dstRegion: null,
    regionId: null,
    extra: null,
  };
  for (let i = 0; i < defaultAggregatorConfig.topCapacity; i++) {
    tracker.add({ ...base, srcport: i }, Math.floor(rand() * 1e6), 1, false);
  }
  const rounds = 200;
  const a = performance.now();
  for (let i = 0; i < rounds; i++) tracker.top(defaultAggregatorConfig.topN);
  const ms = (performance.now() - a) / rounds;
  return [
    {
      name: `top ${defaultAggregatorConfig.topN} of ${defaultAggregatorConfig.topCapacity} quintuples`,
      value: +ms.toFixed(3),
      unit: 'ms',
      target: '<= 2',
    },
  ];
}

/**
 * Heap held per live window (full tracker) and per settled window (compacted to topKeep), published
 * aggregate included. Address strings are shared with the generator here; parsed records bring their
 * own, so real figures are somewhat higher.
 */
async function memory(): Promise<BenchResult[]> {
  const gc = gcFunction();
  if (!gc) return [];
  const rand = prng(11);
  const [g] = makeTopics(rand);
  const t0 = Math.floor(Date.UTC(2025, 0, 15, 12, 0, 0) / WINDOW_MS) * WINDOW_MS;
  const windows = 30;
  const perWindow = windowBatches(g!, t0, rand);
  const clock = manualClock(t0 + windows * WINDOW_MS);
  gc();
  const before = process.memoryUsage().heapUsed;
  const settleMs = 60 * WINDOW_MS;
  const agg = createAggregator(
    { ...defaultAggregatorConfig, flushIntervalMs: 0, settleMs },
    { clock, windowMsOf: () => 60_000, onWindow: () => {} },
  );
  for (let w = 0; w < windows; w++) {
    const shift = w * 60;
    for (const b of perWindow) {
      agg.add(
        g!.topicId,
        b.streamId,
        b.records.map((r) => ({ ...r, start: r.start! + shift })),
      );
    }
  }
  agg.flush();
  gc();
  const live = process.memoryUsage().heapUsed - before;
  clock.advance(settleMs + WINDOW_MS);
  agg.flush(); // all settled: compacted
  gc();
  const settled = process.memoryUsage().heapUsed - before;
  const trackedAfter = agg.metrics().trackedQuintuples;
  await Promise.resolve();
  return [
    {
      name: 'memory: live window (full tracker)',
      value: Math.round(live / windows / 1024),
      unit: 'KiB',
    },
    {
      name: 'memory: settled window (compacted)',
      value: Math.round(settled / windows / 1024),
      unit: 'KiB',
      target: `<= 64 (x ${(24 * 60).toLocaleString('en')} windows/topic in 24 h)`,
    },
    {
      name: 'memory: tracked quintuples after compaction',
      value: trackedAfter,
      unit: 'quintuples',
    },
  ];
}

export async function benchAggregate(): Promise<BenchResult[]> {
  await throughput(3); // warm-up
  return [...(await throughput(30)), ...topSelection(), ...(await memory())];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.table(await benchAggregate());
}
