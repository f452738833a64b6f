// The wall's headline figures: the latest complete window's rate and REJECT share, the top talker,
// the streams that write, and an alert state that stays calm on a healthy topic.
import { describe, expect, it } from 'vitest';
import { headline } from '../../client/lib/wall-headline.ts';
import { DEFAULT_THRESHOLDS, rejectLevel, volumeChange } from '../../shared/thresholds.ts';
import type { StreamRow } from '../../client/lib/stats.ts';
import { mergeTop } from '../../client/lib/top.ts';
import { win } from './client-fixtures.ts';

const stream = (id: string, state: StreamRow['state'], enabled = true): StreamRow => ({
  id,
  name: id,
  state,
  ok: state === 'ok' ? 10 : 0,
  nodata: 0,
  skipdata: 0,
  lastSeen: null,
  claimed: true,
  enabled,
  expectedBy: null,
});

describe('wall headline', () => {
  it('reads the latest complete window: bits/s over the window, REJECT share, top talker', () => {
    const w = win(0, {}, 7_500_000, 0);
    const h = headline({
      latest: w,
      top: mergeTop([w], 'latest').rows,
      streams: [stream('a', 'ok'), stream('b', 'ok')],
      stale: false,
    });
    // 7.5 MB over 60 s = 1 Mbps.
    expect(h.throughput).toBe('1 Mbps');
    expect(h.rejectShare).toBe('0%');
    expect(h.rejectLevel).toBe('ok');
    expect(h.topTalker).toBe('10.0.1.12:443');
    expect(h.streams).toBe('2 / 2');
    expect(h).toMatchObject({ alert: 'ok', alertText: 'OK' });
  });

  it('says how many alert rules fire, before any threshold, and STALE before that', () => {
    const base = { latest: win(0, {}, 80, 20), top: [], streams: [], stale: false };
    expect(headline({ ...base, firing: ['ssh rejects', 'port scan'] })).toMatchObject({
      alert: 'alert',
      alertText: 'FIRING',
    });
    expect(headline({ ...base, firing: [] }).alertText).toBe('REJECTS');
    expect(headline({ ...base, firing: ['x'], stale: true }).alertText).toBe('STALE');
  });

  it('stays calm below 5% REJECT, warns from 5%, alerts from 20%', () => {
    const at = (reject: number) =>
      headline({ latest: win(0, {}, 100 - reject, reject), top: [], streams: [], stale: false });
    expect(at(0.05).rejectShare).toBe('<0.1%');
    expect(at(0.05).rejectLevel).toBe('ok');
    expect(at(4).rejectLevel).toBe('ok');
    expect(at(5).rejectLevel).toBe('warn');
    expect(at(20)).toMatchObject({ rejectLevel: 'alert', alert: 'alert', alertText: 'REJECTS' });
  });

  it('counts the streams expected to write, and alerts when data is stale', () => {
    const streams = [
      stream('a', 'ok'),
      stream('b', 'silent'),
      stream('c', 'waiting'),
      stream('d', 'silent', false),
    ];
    const h = headline({ latest: win(0), top: [], streams, stale: false });
    expect(h.streams).toBe('1 / 2');
    expect(h.streamsLevel).toBe('warn');
    expect(headline({ latest: win(0), top: [], streams, stale: true })).toMatchObject({
      alert: 'alert',
      alertText: 'STALE',
    });
    expect(headline({ latest: null, top: [], streams: [], stale: false }).throughput).toBe('–');
  });

  it('colours a REJECT share the same everywhere (dashboard KPI, overview card, wall)', () => {
    expect(rejectLevel(0)).toBe('ok');
    expect(rejectLevel(0.0004)).toBe('ok');
    expect(rejectLevel(0.049)).toBe('ok');
    expect(rejectLevel(0.05)).toBe('warn');
    expect(rejectLevel(0.2)).toBe('alert');
    expect(rejectLevel(0.02, { ...DEFAULT_THRESHOLDS, rejectWarn: 0.01, rejectAlert: 0.1 })).toBe(
      'warn',
    );
  });

  it("names a volume drop or spike as the alert's cause, and says it under the throughput", () => {
    const input = { latest: win(0, {}, 100, 0), top: [], streams: [], stale: false };
    const drop = headline({ ...input, volume: volumeChange(10, { median: 100, max: 100 }) });
    expect(drop).toMatchObject({
      alert: 'alert',
      alertText: 'VOLUME DROP',
      throughputLevel: 'alert',
    });
    expect(drop.throughputNote).toBe("latest window · 10% of the previous hour's median");
    const spike = headline({ ...input, volume: volumeChange(500, { median: 100, max: 100 }) });
    expect(spike).toMatchObject({ alert: 'warn', alertText: 'VOLUME SPIKE' });
    expect(spike.throughputNote).toBe("latest window · 5.0× the previous hour's median");
    // A REJECT alert outranks a spike warning.
    const both = headline({
      ...input,
      latest: win(0, {}, 50, 50),
      volume: volumeChange(500, { median: 100, max: 100 }),
    });
    expect(both.alertText).toBe('REJECTS');
  });
});
