import { describe, expect, it } from 'vitest';
import {
  buildRatioOption,
  buildRatioTimeOption,
  ratioShares,
  RATIO_SERIES,
  RATIO_TIME_SERIES,
  shareAxis,
} from '../../client/charts/ratio-option.ts';
import { win, wins } from './client-fixtures.ts';

type Pie = { id: string; data: Array<{ name: string; value: number }> };
type Line = { id: string; data: Array<[number, number]> };

describe('ratio now (donut)', () => {
  it('splits the newest window into shares that sum to 1', () => {
    const o = buildRatioOption([win(0), win(1, {}, 300_000, 100_000)], {
      theme: 'dark',
      basis: 'bytes',
    });
    const [pie] = o.series as unknown as Pie[];
    expect(pie!.id).toBe(RATIO_SERIES);
    expect(pie!.data.map((d) => d.name)).toEqual(['ACCEPT', 'REJECT']);
    expect(pie!.data[0]!.value).toBeCloseTo(0.75);
    expect(pie!.data.reduce((n, d) => n + d.value, 0)).toBeCloseTo(1);
  });
  it('has no slices for an empty window or no window', () => {
    expect(ratioShares(win(0, {}, 0, 0), 'bytes')).toEqual({ accept: 0, reject: 0, any: false });
    const [pie] = buildRatioOption([], { theme: 'light', basis: 'bytes' })
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
  it('has one REJECT share point per window, by bytes and by packets', () => {
    const ws = wins(5);
    const s = buildRatioTimeOption(ws, { theme: 'dark' }).series as unknown as Line[];
    expect(s.map((x) => x.id)).toEqual([RATIO_TIME_SERIES.bytes, RATIO_TIME_SERIES.packets]);
    expect(s[0]!.data).toHaveLength(5);
    expect(s[0]!.data[0]![1]).toBeCloseTo(60_000 / 660_000);
    expect(s.every((x) => x.data.every(([, v]) => v >= 0 && v <= 1))).toBe(true);
  });
  it('scales the share axis to round numbers above the data', () => {
    expect(shareAxis(0)).toEqual({ max: 0.01, interval: 0.0025 });
    expect(shareAxis(0.0909)).toEqual({ max: 0.2, interval: 0.05 });
    expect(shareAxis(1)).toEqual({ max: 1, interval: 0.25 });
  });
});
