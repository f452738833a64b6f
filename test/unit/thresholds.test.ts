// A topic's thresholds: its own where set, the defaults elsewhere, and the rules that colour the
// REJECT share and the volume against the previous hour. The defaults keep a healthy topic calm.
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_THRESHOLDS,
  hourBaseline,
  rejectLevel,
  thresholdsOf,
  volumeChange,
  worst,
} from '../../shared/thresholds.ts';
import { thresholdsSchema } from '../../shared/catalog-schema.ts';

const MIN = 60_000;
/** One point per minute from `from` (inclusive) to `to` (exclusive), `bytes` each. */
const minutes = (from: number, to: number, bytes: number): Array<[number, number]> =>
  Array.from({ length: (to - from) / MIN }, (_, i) => [from + i * MIN, bytes]);

describe('thresholds', () => {
  it("takes the topic's own thresholds and the defaults for the rest", () => {
    expect(thresholdsOf(undefined)).toEqual(DEFAULT_THRESHOLDS);
    expect(thresholdsOf({ thresholds: { rejectWarn: 0.01 } })).toEqual({
      ...DEFAULT_THRESHOLDS,
      rejectWarn: 0.01,
    });
    // A topic that collects only REJECTed traffic is all REJECT: never coloured for it.
    const audit = thresholdsOf({ flowLogs: [{ collectionType: 'REJECT' }] });
    expect(rejectLevel(1, audit)).toBe('ok');
    expect(
      rejectLevel(
        1,
        thresholdsOf({ flowLogs: [{ collectionType: 'REJECT' }, { collectionType: 'ALL' }] }),
      ),
    ).toBe('alert');
  });

  it('takes the median and the largest window of the hour before, and needs a quarter of it', () => {
    const at = 120 * MIN;
    const points = [
      ...minutes(0, 60 * MIN, 999),
      ...minutes(60 * MIN, at, 100),
      [at, 5] as [number, number],
    ];
    expect(hourBaseline(points, at, MIN)).toEqual({ median: 100, max: 100 });
    // A few bursts move the median nothing (the mean would be 2.6 times higher).
    points[80] = [80 * MIN, 10_000];
    points[95] = [95 * MIN, 10_000];
    expect(hourBaseline(points, at, MIN)).toEqual({ median: 100, max: 10_000 });
    expect(hourBaseline(minutes(at - 14 * MIN, at, 100), at, MIN)).toBeNull();
    expect(hourBaseline(minutes(at - 15 * MIN, at, 100), at, MIN)).toEqual({
      median: 100,
      max: 100,
    });
    expect(hourBaseline([], at, MIN)).toBeNull();
  });

  it('calls a drop below a quarter of the median, a spike above four times it and a new high', () => {
    const steady = { median: 100, max: 130 };
    expect(volumeChange(100, steady)).toEqual({ level: 'ok', kind: null, ratio: 1 });
    // A normal minute swings by half either way: calm.
    expect(volumeChange(50, steady).level).toBe('ok');
    expect(volumeChange(300, steady).level).toBe('ok');
    expect(volumeChange(20, steady)).toEqual({ level: 'alert', kind: 'drop', ratio: 0.2 });
    expect(volumeChange(0, steady).kind).toBe('drop');
    expect(volumeChange(500, steady)).toEqual({ level: 'warn', kind: 'spike', ratio: 5 });
    // A burst the previous hour already had (backups every ten minutes) is not a spike.
    expect(volumeChange(500, { median: 100, max: 600 }).level).toBe('ok');
    // No baseline, or a silent hour: nothing to compare against.
    expect(volumeChange(500, null).level).toBe('ok');
    expect(volumeChange(500, { median: 0, max: 0 }).level).toBe('ok');
    // A topic's own thresholds.
    expect(volumeChange(60, steady, { ...DEFAULT_THRESHOLDS, dropBelow: 0.7 }).kind).toBe('drop');
    expect(volumeChange(150, steady, { ...DEFAULT_THRESHOLDS, spikeAbove: 1.2 }).kind).toBe(
      'spike',
    );
  });

  it('orders levels', () => {
    expect(worst('ok', 'warn')).toBe('warn');
    expect(worst('alert', 'warn')).toBe('alert');
  });

  it('refuses thresholds that make no sense, saying which field and why', () => {
    expect(thresholdsSchema.safeParse({ rejectWarn: 0.1, spikeAbove: 3 }).success).toBe(true);
    const bad = (v: unknown) => {
      const r = thresholdsSchema.safeParse(v);
      return r.success ? null : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    expect(bad({ rejectWarn: 5 })?.[0]).toBe(
      'rejectWarn: the REJECT warning share is a number from 0 to 1 (a share: 0.05 is 5%)',
    );
    expect(bad({ rejectWarn: 0.3, rejectAlert: 0.2 })).toEqual([
      'rejectWarn: the REJECT warning share is at most the alert share',
    ]);
    expect(bad({ spikeAbove: 0.5 })?.[0]).toMatch(/^spikeAbove: /);
    expect(bad({ colour: 'red' })?.[0]).toMatch(/unknown field|Unrecognized/);
  });
});
