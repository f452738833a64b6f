// What a rule measures per window from committed records, matched by its query in memory.
import { describe, expect, it } from 'vitest';
import { createMeasure, createMeasureSet, TOPIC_GROUP } from '../../server/alerts/measure.ts';
import { parseQuery, type QueryNode } from '../../shared/query/index.ts';
import type { MatchRecord } from '../../shared/query/match.ts';

const W = Date.UTC(2026, 11, 3, 8, 0);

function q(text: string): QueryNode | null {
  const p = parseQuery(text);
  if (!p.ok) throw new Error(p.error.message);
  return p.ast;
}

function rec(over: Partial<MatchRecord> = {}): MatchRecord {
  return {
    topicId: 'topic-eni-prod',
    streamId: 'eni-1',
    format: 'eni',
    version: '2',
    accountId: '1300428518',
    interfaceId: 'eni-1',
    srcaddr: '198.51.100.7',
    dstaddr: '10.0.1.12',
    srcport: 40000,
    dstport: 22,
    protocol: 6,
    packets: 2,
    bytes: 120,
    start: W / 1000,
    end: W / 1000 + 60,
    action: 'REJECT',
    logStatus: 'OK',
    ccnId: null,
    srcRegion: null,
    dstRegion: null,
    regionId: null,
    extra: null,
    ...over,
  };
}

describe('rule measures', () => {
  it('sums the matching traffic records of each window; no records measure 0', () => {
    const m = createMeasure({ measure: 'records', where: q('action:REJECT AND dstport:22') });
    m.add(W, rec());
    m.add(W, rec({ dstport: 3389 }));
    m.add(W, rec({ action: 'ACCEPT' }));
    m.add(W, rec({ logStatus: 'NODATA', action: null }));
    m.add(W, rec());
    expect(m.values(W).get(TOPIC_GROUP)).toBe(2);
    expect(m.values(W + 60_000).get(TOPIC_GROUP)).toBe(0);
    const bytes = createMeasure({ measure: 'bytes', where: null });
    bytes.add(W, rec({ bytes: 1_000 }));
    bytes.add(W, rec({ bytes: null }));
    // A record without a byte count adds none.
    expect(bytes.values(W).get(TOPIC_GROUP)).toBe(1_000);
  });

  it('gives a REJECT share of bytes or packets, and none for a window without traffic', () => {
    const m = createMeasure({ measure: 'reject_share_bytes', where: null });
    m.add(W, rec({ action: 'ACCEPT', bytes: 300 }));
    m.add(W, rec({ action: 'REJECT', bytes: 100 }));
    expect(m.values(W).get(TOPIC_GROUP)).toBeCloseTo(0.25);
    expect(m.values(W + 60_000).has(TOPIC_GROUP)).toBe(false);
    const p = createMeasure({ measure: 'reject_share_packets', where: null });
    p.add(W, rec({ action: 'ACCEPT', packets: 9 }));
    p.add(W, rec({ action: 'REJECT', packets: 1 }));
    expect(p.values(W).get(TOPIC_GROUP)).toBeCloseTo(0.1);
  });

  it('counts distinct destination ports per source, one group per source, bounded', () => {
    const m = createMeasure(
      { measure: 'distinct_dstports_per_src', where: q('action:REJECT') },
      { maxSources: 2, maxWindows: 8, maxPortWindows: 8 },
    );
    for (const port of [22, 23, 3389, 22]) m.add(W, rec({ dstport: port }));
    m.add(W, rec({ srcaddr: '203.0.113.9', dstport: 22 }));
    m.add(W, rec({ srcaddr: '192.0.2.1', dstport: 80 }));
    const v = m.values(W);
    expect(Object.fromEntries(v)).toEqual({ '198.51.100.7': 3, '203.0.113.9': 1 });
    // The third source went over the bound: counted, not silently lost.
    expect(m.metrics().overflow).toBe(1);
  });

  it('keeps the newest windows only, and ports for fewer of them than sums', () => {
    const m = createMeasure(
      { measure: 'records', where: null },
      { maxSources: 1, maxWindows: 3, maxPortWindows: 1 },
    );
    for (let i = 0; i < 5; i++) m.add(W + i * 60_000, rec());
    expect(m.metrics().windows).toBe(3);
    expect(m.values(W).get(TOPIC_GROUP)).toBe(0);
    expect(m.values(W + 4 * 60_000).get(TOPIC_GROUP)).toBe(1);
    const ports = createMeasure(
      { measure: 'distinct_dstports_per_src', where: null },
      { maxSources: 10, maxWindows: 10, maxPortWindows: 2 },
    );
    for (let i = 0; i < 4; i++) ports.add(W + i * 60_000, rec({ dstport: 22 }));
    expect(ports.values(W + 3 * 60_000).get('198.51.100.7')).toBe(1);
    expect(ports.values(W + 2 * 60_000).get('198.51.100.7')).toBe(1);
    // The oldest windows keep their sums, not their ports.
    expect(ports.values(W).size).toBe(0);
  });

  it('takes windows from the store, but not over records folded live', () => {
    const m = createMeasureSet();
    const bytes = m.track({ measure: 'bytes', key: 'k', where: null });
    const sums = (b: number) => ({
      bytes: b,
      packets: 1,
      records: 1,
      rejectBytes: 0,
      rejectPackets: 0,
    });
    m.seed('k', W - 86_400_000, sums(7));
    m.seed('k', W + 60_000, sums(300));
    expect(bytes.values(W - 86_400_000).get(TOPIC_GROUP)).toBe(7);
    // A later record of a seeded window adds to it (committed after the read).
    m.add(W + 60_000, rec({ bytes: 1 }));
    expect(bytes.values(W + 60_000).get(TOPIC_GROUP)).toBe(301);
    // A window folded live keeps its sums: the read may have missed its records.
    m.add(W, rec({ bytes: 10 }));
    m.seed('k', W, sums(500));
    expect(bytes.values(W).get(TOPIC_GROUP)).toBe(10);
    // A query no rule uses any more stops being measured.
    m.prune(new Set());
    expect(m.keys()).toEqual([]);
  });
});
