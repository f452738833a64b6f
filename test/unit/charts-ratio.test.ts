import { describe, expect, it } from 'vitest';
import {
  buildRatioOption,
  buildRatioTimeOption,
  ratioShares,
  RATIO_SERIES,
  RATIO_TIME_SERIES,
  shareAxis,
  type RatioSliceDatum,
  type RatioTotals,
} from '../../client/charts/ratio-option.ts';
import { pointsFromWindows } from '../../client/lib/series.ts';
import { MIN, T0, win, wins } from './client-fixtures.ts';

type Pie = { id: string; data: RatioSliceDatum[] };
type Line = { id: string; data: Array<[number, number]> };

const totalsOf = (w = win(1, {}, 300_000, 100_000)): RatioTotals => ({
  accept: w.accept,
  reject: w.reject,
  from: w.windowStart,
  to: w.windowStart + MIN,
  label: 'window',
});

describe('ratio now (donut)', () => {
  it('splits an explicit range into shares that sum to 1', () => {
    const o = buildRatioOption(totalsOf(), { theme: 'dark', basis: 'bytes' });
    const [pie] = o.series as unknown as Pie[];
    expect(pie!.id).toBe(RATIO_SERIES);
    expect(pie!.data.map((d) => d.name)).toEqual(['ACCEPT', 'REJECT']);
    expect(pie!.data[0]!.value).toBeCloseTo(0.75);
    expect(pie!.data.reduce((n, d) => n + d.value, 0)).toBeCloseTo(1);
  });
  it('carries what drill-down needs on each slice: action, exact totals, the range', () => {
    const t = totalsOf();
    const [pie] = buildRatioOption(t, { theme: 'dark', basis: 'bytes' }).series as unknown as Pie[];
    expect(pie!.data[1]).toMatchObject({
      action: 'REJECT',
      bytes: 100_000,
      packets: 1_000,
      from: t.from,
      to: t.to,
    });
    expect(pie!.data[0]).toMatchObject({ action: 'ACCEPT', bytes: 300_000 });
  });
  it('has no slices for an empty range or no data', () => {
    expect(ratioShares(win(0, {}, 0, 0), 'bytes')).toEqual({ accept: 0, reject: 0, any: false });
    const [pie] = buildRatioOption(null, { theme: 'light', basis: 'bytes' })
      .series as unknown as Pie[];
    expect(pie!.data).toEqual([]);
  });
  it('computes packet shares too', () => {
    const s = ratioShares(
      win(0, {
        accept: { bytes: 1, packets: 30, records: 1 },
        reject: { bytes: 1, packets: 10, records: 1 },
      }),
      'packets',
    );
    expect(s.accept + s.reject).toBeCloseTo(1);
    expect(s.reject).toBeCloseTo(0.25);
  });
});

describe('ratio over time', () => {
  it('has one REJECT share point per bucket, by bytes and by packets', () => {
    const ws = wins(5);
    const s = buildRatioTimeOption(pointsFromWindows(ws, null), { theme: 'dark' })
      .series as unknown as Line[];
    expect(s.map((x) => x.id)).toEqual([RATIO_TIME_SERIES.bytes, RATIO_TIME_SERIES.packets]);
    expect(s[0]!.data).toHaveLength(5);
    expect(s[0]!.data[0]![1]).toBeCloseTo(60_000 / 660_000);
    expect(s.every((x) => x.data.every(([, v]) => v >= 0 && v <= 1))).toBe(true);
  });
  it('spans the history range', () => {
    const o = buildRatioTimeOption([], {
      theme: 'dark',
      step: 3_600_000,
      span: { from: T0, to: T0 + 24 * 3_600_000 },
    });
    const x = o.xAxis as unknown as { min: number; max: number };
    expect([x.min, x.max]).toEqual([T0, T0 + 23 * 3_600_000]);
  });
  it('scales the share axis to round numbers above the data', () => {
    expect(shareAxis(0)).toEqual({ max: 0.01, interval: 0.0025 });
    expect(shareAxis(0.0909)).toEqual({ max: 0.2, interval: 0.05 });
    expect(shareAxis(1)).toEqual({ max: 1, interval: 0.25 });
  });
});
