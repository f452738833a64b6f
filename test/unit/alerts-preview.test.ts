// The rule editor's preview: a rule run over past windows fires where the live rule would have,
// across missing windows and for change and stream rules; the ready-made rules are valid rules.
import { describe, expect, it } from 'vitest';
import { rulePresets } from '../../shared/alerts/presets.ts';
import { ruleInputSchema } from '../../shared/alerts/rule.ts';
import {
  minPortsFor,
  previewFromSeries,
  previewFromSourcePorts,
  previewFromStreams,
} from '../../server/alerts/preview.ts';
import type { SeriesPoint } from '../../server/store/types.ts';

const W = 60_000;
const T0 = 1_700_000_000_000 - (1_700_000_000_000 % W);
const point = (i: number, accept: number, reject = 0): SeriesPoint => ({
  t: T0 + i * W,
  acceptBytes: accept,
  acceptPackets: accept / 100,
  acceptRecords: 1,
  rejectBytes: reject,
  rejectPackets: reject / 100,
  rejectRecords: reject > 0 ? 1 : 0,
  windows: 1,
});

describe('rule preview', () => {
  it('fires where the condition held for the consecutive windows asked, once per episode', () => {
    // Bytes per window: 10 windows, over 1000 in windows 2-4 and 7.
    const bytes = [100, 200, 1500, 1600, 1700, 300, 0, 2000, 100, 100];
    const series = bytes.flatMap((b, i) => (b > 0 ? [point(i, b)] : []));
    const rule = { measure: 'bytes' as const, op: '>' as const, threshold: 1000, windows: 2 };
    const p = previewFromSeries(rule, W, T0, T0 + 10 * W, series);
    // Window 6 has no records: 0 bytes (a sum), shown as 0.
    expect(p.values.map((v) => v.v)).toEqual(bytes);
    // Two windows running: only 2-4 fire (window 7 alone is one window).
    expect(p.episodes).toEqual([{ group: '', since: T0 + 2 * W, end: T0 + 5 * W, peak: 1700 }]);
    expect(p.firingWindows).toBe(2);
    const once = previewFromSeries({ ...rule, windows: 1 }, W, T0, T0 + 10 * W, series);
    expect(once.episodes.map((e) => [e.since, e.end])).toEqual([
      [T0 + 2 * W, T0 + 5 * W],
      [T0 + 7 * W, T0 + 8 * W],
    ]);
  });

  it('judges a REJECT share only where there was traffic, and a change rule against the hour before', () => {
    const series = [point(0, 900, 100), point(2, 500, 500)];
    const share = previewFromSeries(
      { measure: 'reject_share_bytes', op: '>=', threshold: 0.5, windows: 1 },
      W,
      T0,
      T0 + 3 * W,
      series,
    );
    expect(share.values.map((v) => v.v)).toEqual([0.1, null, 0.5]);
    expect(share.episodes).toEqual([{ group: '', since: T0 + 2 * W, end: null, peak: 0.5 }]);

    const hour = 60;
    const past = [point(0, 1000), point(1, 1000), point(hour, 100), point(hour + 1, 1000)];
    const drop = previewFromSeries(
      {
        measure: 'bytes',
        op: '>',
        threshold: 50,
        windows: 1,
        change: { against: 'hour', direction: 'drop' },
      },
      W,
      T0 + hour * W,
      T0 + (hour + 2) * W,
      past,
    );
    // 1000 -> 100 is a 90% drop; 1000 -> 1000 none.
    expect(drop.values.map((v) => v.v)).toEqual([90, 0]);
    expect(drop.episodes).toEqual([
      { group: '', since: T0 + hour * W, end: T0 + (hour + 1) * W, peak: 90 },
    ]);
  });

  it('finds a log stream silent for the windows asked, a missing window silent for all', () => {
    const ok = (id: string) => ({ streamId: id, ok: 3, nodata: 0, skipdata: 0 });
    const windows = [
      { windowStart: T0, streams: [ok('a'), ok('b')] },
      { windowStart: T0 + W, streams: [ok('a')] },
      {
        windowStart: T0 + 2 * W,
        streams: [ok('a'), { streamId: 'b', ok: 0, nodata: 1, skipdata: 0 }],
      },
      // T0 + 3W: nothing came.
      {
        windowStart: T0 + 4 * W,
        streams: [ok('a'), { streamId: 'b', ok: 1, nodata: 0, skipdata: 2 }],
      },
    ];
    const silent = previewFromStreams(
      { measure: 'stream_silent', op: '>=', threshold: 1, windows: 2 },
      W,
      T0,
      T0 + 5 * W,
      ['a', 'b'],
      windows,
    );
    // b: silent at 1 only (NODATA at 2 is a live stream); the missing window 3 is one window.
    expect(silent.episodes).toEqual([]);
    const one = previewFromStreams(
      { measure: 'stream_silent', op: '>=', threshold: 1, windows: 1 },
      W,
      T0,
      T0 + 5 * W,
      ['a', 'b'],
      windows,
    );
    expect(one.episodes.map((e) => [e.group, e.since, e.end])).toEqual([
      ['b', T0 + W, T0 + 2 * W],
      ['a', T0 + 3 * W, T0 + 4 * W],
      ['b', T0 + 3 * W, T0 + 4 * W],
    ]);
    const skip = previewFromStreams(
      { measure: 'stream_skipdata', op: '>', threshold: 0, windows: 1 },
      W,
      T0,
      T0 + 5 * W,
      ['a', 'b'],
      windows,
    );
    expect(skip.episodes).toEqual([{ group: 'b', since: T0 + 4 * W, end: null, peak: 2 }]);
  });

  it('finds a port scan per source from the store’s ports per source, an absent source at 0', () => {
    const rule = {
      measure: 'distinct_dstports_per_src' as const,
      op: '>=' as const,
      threshold: 20,
      windows: 2,
    };
    // The store leaves out sources below the rule's least count.
    expect(minPortsFor(rule)).toBe(20);
    expect(minPortsFor({ op: '>', threshold: 20 })).toBe(21);
    expect(minPortsFor({ op: '>', threshold: 19.5 })).toBe(20);
    expect(minPortsFor({ op: '<', threshold: 3 })).toBe(1);
    const row = (i: number, srcaddr: string, ports: number) => ({
      windowStart: T0 + i * W,
      srcaddr,
      ports,
    });
    // 10.0.0.9 scans in windows 1-3 and 6 (alone); 10.0.0.7 in window 4 only.
    const rows = [
      row(1, '10.0.0.9', 25),
      row(2, '10.0.0.9', 40),
      row(3, '10.0.0.9', 22),
      row(4, '10.0.0.7', 30),
      row(6, '10.0.0.9', 50),
    ];
    const p = previewFromSourcePorts(rule, W, T0, T0 + 8 * W, rows, false);
    expect(p.episodes).toEqual([{ group: '10.0.0.9', since: T0 + W, end: T0 + 4 * W, peak: 40 }]);
    expect(p.firingWindows).toBe(2);
    // Each window's busiest source.
    expect(p.values.map((v) => v.v)).toEqual([0, 25, 40, 22, 30, 0, 50, 0]);
    expect(p.truncated).toBeUndefined();
    expect(previewFromSourcePorts(rule, W, T0, T0 + 8 * W, rows, true).truncated).toBe(true);
  });
});

describe('ready-made rules', () => {
  it('are valid rules for the topic, each a different kind', () => {
    const presets = rulePresets('topic-eni-prod');
    expect(presets.map((p) => p.key)).toEqual([
      'reject-spike',
      'port-scan',
      'traffic-drop',
      'silent-stream',
      'skipdata',
    ]);
    for (const p of presets) {
      const r = ruleInputSchema.safeParse(p.rule);
      expect(r.success, p.key).toBe(true);
      expect(p.rule.topicId).toBe('topic-eni-prod');
    }
  });
  it('refuse a query or a change on a stream rule', () => {
    const base = { topicId: 't', name: 'x', measure: 'stream_silent', op: '>=', threshold: 1 };
    expect(ruleInputSchema.safeParse(base).success).toBe(true);
    expect(ruleInputSchema.safeParse({ ...base, query: 'dstport:22' }).success).toBe(false);
    expect(
      ruleInputSchema.safeParse({ ...base, change: { against: 'hour', direction: 'drop' } })
        .success,
    ).toBe(false);
  });
});
