import { beforeAll, describe, expect, it } from 'vitest';
import { createLineParser } from '../../shared/parse/index.ts';
import { quintupleKey, streamIdOf, type FlowRecord } from '../../shared/record.ts';
import { createCatalog, createLiveCatalog } from '../../server/catalog/catalog.ts';
import { entitiesOf, logsetsOf } from '../../shared/catalog.ts';
import { DEFAULT_TOPIC_IDS, defaultLogsets } from '../../server/catalog/default-catalog.ts';
import { logsetsWithWindow } from '../helpers/catalog.ts';
import { manualClock } from '../../server/clock.ts';
import {
  SIMULATOR_SOURCE,
  SimulatorConfigError,
  createSimulator,
  type SimulatorConfig,
} from '../../server/ingest/simulator.ts';
import type { LineBatch } from '../../server/ingest/types.ts';

const MIN = 60_000;
/** 2025-01-15 20:00 UTC = 04:00 in Beijing, the quiet hours: light backfills keep the tests fast. */
const NIGHT = Date.UTC(2025, 0, 15, 20, 0);
/** Timing and content tests run on 1-minute windows; the default windows have tests of their own. */
const catalog = createCatalog(logsetsWithWindow(60));
const streamCount = catalog.topics().reduce((n, t) => n + t.streams.length, 0);
const base: SimulatorConfig = {
  seed: 7,
  publishDelaySec: 10,
  jitterSec: 20,
  backfillMinutes: 60,
  tickMs: 250,
  backfillSliceMs: 0,
  accountId: '1300428518',
};

interface Emitted extends LineBatch {
  /** Clock time when the batch reached the sink. */
  at: number;
}

function setup(config: Partial<SimulatorConfig>, start: number) {
  const clock = manualClock(start);
  const batches: Emitted[] = [];
  const sim = createSimulator(
    { ...base, ...config },
    { catalog, clock, sink: (b) => batches.push({ ...b, at: clock.now() }) > 0 },
  );
  return { clock, batches, sim };
}

/** A batch through the real parser. */
function parseBatch(b: LineBatch): { records: FlowRecord[]; errors: string[] } {
  const parser = createLineParser('auto');
  const records: FlowRecord[] = [];
  const errors: string[] = [];
  (b.lines as string[]).forEach((line, i) => {
    const r = parser.parse(line, i + 1);
    if (r.kind === 'record') records.push(r.record);
    else errors.push(r.kind === 'error' ? `${r.error.reason}: ${line}` : `${r.kind}: ${line}`);
  });
  return { records, errors };
}

/** The capture window (epoch ms) of a batch, from its first line's start field. */
const windowOf = (b: LineBatch): number => {
  const r = parseBatch({ ...b, lines: b.lines.slice(0, 1) }).records[0];
  return (r?.start ?? NaN) * 1000;
};
const key = (b: LineBatch) => `${b.topicId}|${b.streamId}|${windowOf(b)}`;

describe('simulator: backfill and publication timing', () => {
  it('backfills the last 60 complete windows of every stream, in time order, one (stream, window) per batch', async () => {
    // 45 s into the minute: every complete window is past end + delay + jitter (at most 30 s).
    const { batches, sim } = setup({}, NIGHT + 45_000);
    sim.start(); // synchronous by default: a server started next has its history
    sim.stop();

    expect(batches).toHaveLength(60 * streamCount);
    const byStream = new Map<string, number[]>();
    const wrong: string[] = [];
    for (const b of batches) {
      const w = windowOf(b);
      const list = byStream.get(`${b.topicId}|${b.streamId}`) ?? [];
      list.push(w);
      byStream.set(`${b.topicId}|${b.streamId}`, list);
      const { records, errors } = parseBatch(b);
      wrong.push(...errors);
      if (b.source !== SIMULATOR_SOURCE) wrong.push(`source ${b.source}`);
      for (const r of records) {
        if (r.start !== w / 1000 || r.end !== w / 1000 + 60)
          wrong.push(`${r.start}-${r.end} in window ${w}`);
        if (streamIdOf(r) !== b.streamId) wrong.push(`stream ${streamIdOf(r)} in ${b.streamId}`);
      }
    }
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(byStream.size).toBe(streamCount);
    const expected = Array.from({ length: 60 }, (_, i) => NIGHT - (60 - i) * MIN);
    for (const windows of byStream.values()) expect(windows).toEqual(expected);
    // Time order: with jitter under a minute, windows never interleave.
    const starts = batches.map(windowOf);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));

    const m = sim.metrics();
    expect(m.backfilling).toBe(false);
    expect(m.windowsEmitted).toBe(batches.length);
    expect(m.linesEmitted).toBe(batches.reduce((n, b) => n + b.lines.length, 0));
    expect(m.streams).toHaveLength(streamCount);
    for (const s of m.streams)
      expect(s).toMatchObject({ lastWindowStart: NIGHT - MIN, windows: 60 });
  });

  it('publishes nothing before end + delay (+ jitter), then every stream, staggered', () => {
    const { clock, batches, sim } = setup({}, NIGHT + 5_000);
    sim.tick(); // the backfill, synchronously: the window that ended 5 s ago is not due
    expect(batches).toHaveLength(59 * streamCount);
    expect(new Set(batches.map(windowOf)).has(NIGHT - MIN)).toBe(false);
    batches.length = 0;

    for (let t = NIGHT + 5_000; t <= NIGHT + 2 * MIN + 45_000; t += 1000) {
      clock.set(t);
      sim.tick();
    }
    const seen = new Set<string>();
    for (const b of batches) {
      const end = windowOf(b) + MIN;
      expect(b.at).toBeGreaterThanOrEqual(end + 10_000);
      expect(b.at).toBeLessThan(end + 10_000 + 20_000 + 1000);
      expect(seen.has(key(b))).toBe(false);
      seen.add(key(b));
    }
    // The window that ended at NIGHT, then the next two, for every stream.
    for (const w of [NIGHT - MIN, NIGHT, NIGHT + MIN]) {
      const of = batches.filter((b) => windowOf(b) === w);
      expect(of).toHaveLength(streamCount);
      // Staggered: the streams of one window do not all land at the same second.
      expect(new Set(of.map((b) => b.at)).size).toBeGreaterThan(streamCount / 2);
    }
    expect(batches).toHaveLength(3 * streamCount);
  });

  it('ticks on its timer until stopped', async () => {
    const { clock, batches, sim } = setup({ backfillMinutes: 2, tickMs: 10 }, NIGHT + 45_000);
    sim.start();
    await sim.backfilled();
    expect(batches).toHaveLength(2 * streamCount);
    clock.advance(MIN);
    await new Promise((r) => setTimeout(r, 80));
    expect(batches).toHaveLength(3 * streamCount);
    sim.stop();
    clock.advance(MIN);
    await new Promise((r) => setTimeout(r, 80));
    expect(batches).toHaveLength(3 * streamCount);
  });

  it('can backfill in slices between event-loop turns, then ticks', async () => {
    const { clock, batches, sim } = setup(
      { backfillMinutes: 30, backfillSliceMs: 1, tickMs: 10 },
      NIGHT + 45_000,
    );
    sim.start();
    expect(batches).toHaveLength(0);
    expect(sim.metrics().backfilling).toBe(true);
    expect(sim.tick()).toBe(0); // ticks wait for the backfill
    let turns = 0;
    const counting = setInterval(() => turns++, 0);
    await sim.backfilled();
    clearInterval(counting);
    expect(turns).toBeGreaterThan(0);
    expect(sim.metrics().backfilling).toBe(false);
    expect(batches).toHaveLength(30 * streamCount);
    const starts = batches.map(windowOf);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    clock.advance(MIN);
    await new Promise((r) => setTimeout(r, 80));
    sim.stop();
    expect(batches).toHaveLength(31 * streamCount);
  });

  it('emits every window once, never early, when the jitter spans several windows', () => {
    const { clock, batches, sim } = setup(
      { backfillMinutes: 10, jitterSec: 150, publishDelaySec: 30 },
      NIGHT,
    );
    for (let t = NIGHT; t <= NIGHT + 10 * MIN; t += 5000) {
      clock.set(t);
      sim.tick();
    }
    const seen = new Set(batches.map(key));
    expect(seen.size).toBe(batches.length);
    const wrong: string[] = [];
    for (const b of batches) {
      const end = windowOf(b) + MIN;
      const early = b.at < end + 30_000;
      // Live batches (after the first tick, which emits the backfill) land within a 5 s tick of due.
      const overdue = b.at > NIGHT && b.at >= end + 30_000 + 150_000 + 5000;
      if (early || overdue) wrong.push(`${key(b)} at ${b.at - end}`);
    }
    expect(wrong).toEqual([]);
    // Every window that ended at least delay + jitter ago is out, for every stream.
    for (let w = NIGHT - 10 * MIN; w + MIN + 180_000 <= NIGHT + 10 * MIN; w += MIN) {
      expect(
        batches.filter((b) => windowOf(b) === w),
        `window ${w}`,
      ).toHaveLength(streamCount);
    }
  });

  it('skips what is older than the backfill after a long pause, and counts it', () => {
    const { clock, batches, sim } = setup({ backfillMinutes: 3 }, NIGHT + 45_000);
    sim.tick();
    expect(batches).toHaveLength(3 * streamCount);
    batches.length = 0;
    clock.advance(120 * MIN);
    sim.tick();
    const windows = new Set(batches.map(windowOf));
    expect(Math.min(...windows)).toBeGreaterThanOrEqual(NIGHT + 120 * MIN - 5 * MIN);
    expect(Math.max(...windows)).toBe(NIGHT + 119 * MIN);
    expect(sim.metrics().windowsSkipped).toBeGreaterThan(100 * streamCount);
  });

  it('keeps going when the sink throws', () => {
    const clock = manualClock(NIGHT + 45_000);
    let calls = 0;
    const errors: unknown[] = [];
    const sim = createSimulator(
      { ...base, backfillMinutes: 2 },
      {
        catalog,
        clock,
        sink: () => {
          if (calls++ === 0) throw new Error('sink down');
          return true;
        },
        onError: (err) => errors.push(err),
      },
    );
    expect(sim.tick()).toBe(2 * streamCount);
    expect(calls).toBe(2 * streamCount);
    expect(errors).toHaveLength(1);
    expect(sim.metrics()).toMatchObject({ sinkErrors: 1, windowsEmitted: 2 * streamCount });
  });

  it('waits while the sink is full, then emits every window in order, none lost', () => {
    const clock = manualClock(NIGHT + 45_000);
    let full = true;
    const got: LineBatch[] = [];
    const sim = createSimulator(
      { ...base, backfillMinutes: 3 },
      { catalog, clock, sink: (b) => !full && got.push(b) > 0 },
    );
    expect(sim.tick()).toBe(0);
    clock.advance(2 * MIN);
    expect(sim.tick()).toBe(0);
    expect(sim.metrics().sinkRefused).toBeGreaterThan(0);
    full = false;
    expect(sim.tick()).toBe(5 * streamCount);
    expect(sim.metrics().windowsSkipped).toBe(0);
    for (const s of new Set(got.map((b) => b.streamId))) {
      const starts = got.filter((b) => b.streamId === s).map(windowOf);
      expect(starts).toEqual([...starts].sort((a, b) => a - b));
      expect(new Set(starts).size).toBe(5);
    }
  });

  it('lists every bad config value in one error', () => {
    const make = () =>
      createSimulator(
        {
          seed: 1.5,
          publishDelaySec: -1,
          jitterSec: Number.NaN,
          backfillMinutes: 2.5,
          tickMs: 0,
          backfillSliceMs: -1,
        },
        { catalog, clock: manualClock(0), sink: () => true },
      );
    expect(make).toThrow(SimulatorConfigError);
    try {
      make();
    } catch (err) {
      expect((err as SimulatorConfigError).problems.map((p) => p.split(' ')[0])).toEqual([
        'seed',
        'publishDelaySec',
        'jitterSec',
        'backfillMinutes',
        'tickMs',
        'backfillSliceMs',
      ]);
    }
  });
});

describe('simulator: determinism', () => {
  const run = (seed: number, at: number, backfillMinutes = 5) => {
    const { batches, sim } = setup({ seed, backfillMinutes }, at);
    sim.tick();
    return batches.map(({ at: _at, ...b }) => b);
  };

  it('gives identical lines for the same seed and different lines for another', () => {
    const a = run(7, NIGHT + 45_000);
    expect(run(7, NIGHT + 45_000)).toEqual(a);
    // Another seed: the same (stream, window) batches (in another order: the jitter differs), other lines.
    const other = new Map(run(8, NIGHT + 45_000).map((b) => [key(b), b.lines.join('\n')]));
    expect([...other.keys()].sort()).toEqual(a.map(key).sort());
    const same = a.filter((b) => other.get(key(b)) === b.lines.join('\n'));
    expect(same.length).toBeLessThan(a.length / 10);
  });

  it('replays the same window the same way after a restart at another time', () => {
    const early = run(7, NIGHT + 45_000, 5);
    const later = run(7, NIGHT + 3 * MIN + 45_000, 5);
    const byKey = new Map(later.map((b) => [key(b), b.lines]));
    const overlap = early.filter((b) => byKey.has(key(b)));
    expect(overlap).toHaveLength(2 * streamCount);
    for (const b of overlap) expect(byKey.get(key(b))).toEqual(b.lines);
  });
});

describe('simulator: the capture windows of the default flow logs', () => {
  const defaults = createCatalog(defaultLogsets());
  const clock = manualClock(NIGHT + 45_000);
  const got: LineBatch[] = [];
  const sim = createSimulator(
    { ...base, backfillMinutes: 30 },
    { catalog: defaults, clock, sink: (b) => got.push(b) > 0 },
  );
  beforeAll(() => sim.tick());

  it('writes ENI streams in 5-minute windows, NAT and CCN streams in 1-minute windows', () => {
    for (const topic of defaults.topics()) {
      const windowMs = topic.range === 'ENI' ? 5 * MIN : MIN;
      expect(topic.windowSec * 1000).toBe(windowMs);
      for (const stream of topic.streams) {
        const mine = got.filter((b) => b.topicId === topic.id && b.streamId === stream.id);
        // The last 30 minutes of complete windows, one batch per window.
        expect(mine).toHaveLength(30 / (windowMs / MIN));
        const starts = mine.map(windowOf);
        for (const [i, b] of mine.entries()) {
          const from = Math.floor(starts[i]! / windowMs) * windowMs;
          for (const r of parseBatch(b).records) {
            // Every record starts and ends inside its capture window.
            expect(r.start! * 1000).toBeGreaterThanOrEqual(from);
            expect(r.end! * 1000).toBeLessThanOrEqual(from + windowMs);
          }
        }
      }
    }
  });

  it('writes one record per quintuple and action for a whole 5-minute window', () => {
    const eni = got.filter((b) => b.topicId === DEFAULT_TOPIC_IDS.eni);
    let spanning = 0;
    for (const b of eni) {
      const records = parseBatch(b).records.filter((r) => r.logStatus === 'OK');
      const keys = records.map((r) => `${quintupleKey(r)}|${r.action}`);
      expect(new Set(keys).size).toBe(keys.length);
      spanning += records.filter((r) => r.end! - r.start! > 60).length;
    }
    // Long-lived conversations (the same ports minute after minute) span several minutes.
    expect(spanning).toBeGreaterThan(0);
  });
});

describe('simulator: what the lines hold', () => {
  // Three hours of windows (03:00 to 06:00 in Beijing): 2,700 stream-windows.
  const { batches, sim } = setup(
    { backfillMinutes: 180, seed: 11 },
    Date.UTC(2025, 0, 15, 22, 0) + 45_000,
  );
  const topics = new Map(catalog.topics().map((t) => [t.id, t]));
  const parsed: Array<{ batch: LineBatch; records: FlowRecord[]; errors: string[] }> = [];
  beforeAll(() => {
    sim.tick();
    for (const b of batches) parsed.push({ batch: b, ...parseBatch(b) });
  });
  const records = (topicId: string) =>
    parsed.filter((p) => p.batch.topicId === topicId).flatMap((p) => p.records);

  it('writes only lines the real parser accepts, in the format of the topic', () => {
    expect(batches).toHaveLength(180 * streamCount);
    expect(parsed.flatMap((p) => p.errors)).toEqual([]);
    const wrong: string[] = [];
    for (const p of parsed) {
      const topic = topics.get(p.batch.topicId)!;
      for (const r of p.records) {
        if (r.format !== topic.format) wrong.push(`format ${r.format} in ${topic.id}`);
        if (streamIdOf(r) !== p.batch.streamId)
          wrong.push(`stream ${streamIdOf(r)} in ${p.batch.streamId}`);
        if (r.format === 'eni' && r.accountId !== '1300428518')
          wrong.push(`account ${r.accountId}`);
        // At least one packet, and at least an IP + UDP header (28 bytes) per packet.
        if (r.logStatus === 'OK' && !(r.packets! > 0 && r.bytes! >= r.packets! * 28)) {
          wrong.push(`${r.packets} packets, ${r.bytes} bytes`);
        }
      }
    }
    expect(wrong.slice(0, 5)).toEqual([]);
  });

  it('writes a few hundred to ~2,000 records per main stream and window', () => {
    for (const p of parsed) {
      expect(p.records.length).toBeLessThanOrEqual(2500);
      if (p.batch.topicId === DEFAULT_TOPIC_IDS.eni && p.records.length > 1) {
        expect(p.records.length).toBeGreaterThan(80);
      }
    }
  });

  it('has the common services on both directions', () => {
    const eni = records(DEFAULT_TOPIC_IDS.eni);
    const has = (proto: number, port: number) =>
      eni.some((r) => r.protocol === proto && r.dstport === port) &&
      eni.some((r) => r.protocol === proto && r.srcport === port && r.dstport! >= 32768);
    for (const port of [443, 80, 22, 3306, 8080]) expect(has(6, port), `tcp/${port}`).toBe(true);
    for (const port of [53, 123]) expect(has(17, port), `udp/${port}`).toBe(true);
  });

  it('packs ICMP type and code into dstport (ENI) and writes no ports for CCN ICMP', () => {
    const icmp = [...records(DEFAULT_TOPIC_IDS.eni), ...records(DEFAULT_TOPIC_IDS.nat)].filter(
      (r) => r.protocol === 1,
    );
    expect(icmp.length).toBeGreaterThan(0);
    expect(new Set(icmp.map((r) => `${r.srcport}/${r.dstport}`))).toEqual(
      new Set(['0/2048', '0/0', '0/771']),
    );
    const ccnIcmp = records(DEFAULT_TOPIC_IDS.ccn).filter((r) => r.protocol === 1);
    expect(ccnIcmp.length).toBeGreaterThan(0);
    expect(ccnIcmp.filter((r) => r.srcport !== null || r.dstport !== null)).toEqual([]);
  });

  it('has REJECTs in every topic: scans, blocked ports, CCN throttling', () => {
    for (const id of Object.values(DEFAULT_TOPIC_IDS)) {
      expect(
        records(id).some((r) => r.action === 'REJECT'),
        id,
      ).toBe(true);
    }
    // Internet scanners probing telnet, RDP, SMB, Redis...; app hosts blocked from MySQL.
    const rejected = new Set(
      records(DEFAULT_TOPIC_IDS.eni)
        .filter((r) => r.action === 'REJECT')
        .map((r) => r.dstport),
    );
    for (const port of [23, 3389, 445, 6379, 3306])
      expect(rejected.has(port), `port ${port}`).toBe(true);
  });

  it('has NODATA and SKIPDATA windows, each a single record', () => {
    const status = parsed.filter((p) => p.records.some((r) => r.logStatus !== 'OK'));
    const of = (s: string) => status.filter((p) => p.records[0]!.logStatus === s);
    expect(of('NODATA').length).toBeGreaterThan(0);
    expect(of('SKIPDATA').length).toBeGreaterThan(0);
    expect(status.length).toBeLessThan(parsed.length * 0.05);
    for (const p of status) {
      expect(p.records).toHaveLength(1);
      expect(p.records[0]).toMatchObject({ action: null, packets: null, srcaddr: null });
    }
  });

  it('covers CCN region pairs, written by the source region', () => {
    const ccn = records(DEFAULT_TOPIC_IDS.ccn).filter((r) => r.logStatus === 'OK');
    const regions = new Set(ccn.map((r) => r.regionId));
    const pairs = new Set(ccn.map((r) => `${r.srcRegion}>${r.dstRegion}`));
    expect(regions.size).toBeGreaterThanOrEqual(5);
    expect(pairs.size).toBeGreaterThanOrEqual(10);
    expect(ccn.filter((r) => r.srcRegion !== r.regionId || r.dstRegion === r.srcRegion)).toEqual(
      [],
    );
  });

  it('keeps only REJECTs (and status records) of the audit topic through catalog.keeps()', () => {
    const audit = parsed.filter((p) => p.batch.topicId === DEFAULT_TOPIC_IDS.audit);
    const kept = audit.flatMap((p) =>
      p.records.filter((r) => catalog.keeps(p.batch.topicId, p.batch.streamId!, r)),
    );
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.filter((r) => r.action === 'ACCEPT')).toEqual([]);
  });
});

describe('simulator: follows the catalog', () => {
  it('stops a disabled or deleted flow log, and starts a new simulated one with no history', () => {
    const live = createLiveCatalog(logsetsWithWindow(60));
    const clock = manualClock(NIGHT + 45_000);
    const got: LineBatch[] = [];
    const sim = createSimulator(
      { ...base, backfillMinutes: 10 },
      { catalog: live, clock, sink: (b) => got.push(b) > 0 },
    );
    sim.tick();
    const nat = live.topic(DEFAULT_TOPIC_IDS.nat)!;
    const web01 = live.topic(DEFAULT_TOPIC_IDS.eni)!.flowLogs[0]!;
    expect(got.filter((b) => b.streamId === web01.resourceId)).toHaveLength(10);

    // web-01 disabled; a new simulated NAT flow log (in its own topic) and a real one appear.
    const e = entitiesOf(live.logsets);
    const added = (id: string, resourceId: string, simulated: boolean) => ({
      ...nat.flowLogs[0]!,
      id,
      name: id,
      resourceId,
      topicId: 'topic-new',
      simulated,
      createdAt: NIGHT,
    });
    live.replace(
      logsetsOf({
        logsets: e.logsets,
        topics: [...e.topics, { ...e.topics[1]!, id: 'topic-new', name: 'new', createdAt: NIGHT }],
        flowLogs: [
          ...e.flowLogs.map((f) => (f.id === web01.id ? { ...f, enabled: false } : f)),
          added('fl-sim', 'nat-sim00001', true),
          added('fl-real', 'nat-real0001', false),
        ],
      }),
    );
    sim.refresh();
    got.length = 0;
    clock.advance(3 * MIN);
    sim.tick();
    expect(got.filter((b) => b.streamId === web01.resourceId)).toEqual([]);
    expect(got.filter((b) => b.streamId === 'nat-real0001')).toEqual([]);
    const fresh = got.filter((b) => b.streamId === 'nat-sim00001');
    // Only windows that opened after it was created: no backfill for a new flow log.
    expect(fresh.length).toBeGreaterThan(0);
    for (const b of fresh) expect(windowOf(b)).toBeGreaterThanOrEqual(NIGHT + MIN);
    // The others carry on.
    expect(got.filter((b) => b.streamId === nat.streams[0]!.id).length).toBeGreaterThanOrEqual(2);
  });
});
