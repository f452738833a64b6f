import { describe, expect, it } from 'vitest';
import {
  ARC_GAP,
  buildRatioTimeOption,
  MIN_SWEEP,
  ratioDonut,
  ratioShares,
  RATIO_TIME_SERIES,
  shareAxis,
  type RatioTotals,
} from '../../client/charts/ratio-option.ts';
import { pointsFromWindows } from '../../client/lib/series.ts';
import { MIN, T0, win, wins } from './client-fixtures.ts';

type Line = { id: string; data: Array<[number, number]> };

const totalsOf = (w = win(1, {}, 300_000, 100_000)): RatioTotals => ({
  accept: w.accept,
  reject: w.reject,
  from: w.windowStart,
  to: w.windowStart + MIN,
  label: 'window',
});

describe('ratio now (donut)', () => {
  it('splits an explicit range into arcs that go round the circle once', () => {
    const d = ratioDonut(totalsOf(), 'bytes');
    expect(d.arcs.map((a) => a.datum.action)).toEqual(['ACCEPT', 'REJECT']);
    expect(d.arcs[0]!.datum.value).toBeCloseTo(0.75);
    expect(d.arcs.reduce((n, a) => n + a.datum.value, 0)).toBeCloseTo(1);
    // ACCEPT from 12 o'clock, REJECT after it; with the gaps, one full turn.
    expect(d.arcs[0]!.start).toBeCloseTo(ARC_GAP / 2);
    expect(d.arcs[1]!.start).toBeCloseTo(0.75 + ARC_GAP / 2);
    expect(d.arcs.reduce((n, a) => n + a.sweep + ARC_GAP, 0)).toBeCloseTo(1);
    expect(d.center).toBe('25%');
    expect(d.legend.map((l) => `${l.action} ${l.share}`)).toEqual(['ACCEPT 75%', 'REJECT 25%']);
  });
  it('carries what drill-down needs on each slice: action, exact totals, the range', () => {
    const t = totalsOf();
    const d = ratioDonut(t, 'bytes');
    expect(d.arcs[1]!.datum).toMatchObject({
      action: 'REJECT',
      bytes: 100_000,
      packets: 1_000,
      from: t.from,
      to: t.to,
    });
    expect(d.arcs[0]!.datum).toMatchObject({ action: 'ACCEPT', bytes: 300_000 });
    expect(d.arcs[1]!.title.split('\n')).toEqual([
      'REJECT · window',
      'Share 25%',
      'Bytes 100 KB',
      'Packets 1,000',
      expect.stringMatching(/^Records /),
    ]);
  });
  it('keeps a tiny REJECT share visible, and draws one ring for a single action', () => {
    const tiny = ratioDonut(totalsOf(win(1, {}, 1_000_000_000, 10_000)), 'bytes');
    expect(tiny.arcs[1]!.datum.value).toBeLessThan(0.0001);
    expect(tiny.arcs[1]!.sweep + ARC_GAP).toBeCloseTo(MIN_SWEEP / (1 + MIN_SWEEP), 3);
    expect(tiny.center).toBe('<0.1%');
    const only = ratioDonut(totalsOf(win(1, {}, 300_000, 0)), 'bytes');
    expect(only.arcs.map((a) => [a.datum.action, a.start, a.sweep])).toEqual([['ACCEPT', 0, 1]]);
    expect(only.legend[1]).toMatchObject({ action: 'REJECT', share: '0%', datum: null });
  });
  it('has no slices for an empty range or no data', () => {
    expect(ratioShares(win(0, {}, 0, 0), 'bytes')).toEqual({ accept: 0, reject: 0, any: false });
    expect(ratioDonut(null, 'bytes')).toMatchObject({ arcs: [], empty: 'Waiting for data…' });
    expect(ratioDonut(totalsOf(win(0, {}, 0, 0)), 'bytes')).toMatchObject({
      arcs: [],
      empty: 'No traffic in this range',
    });
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
  it('fits the share axis to the series left on when one is clicked off', () => {
    // Packets' REJECT share is far above bytes' here: with packets off, the axis fits bytes.
    const points = pointsFromWindows(wins(5), null).map((p) => ({
      ...p,
      rejectPackets: p.acceptPackets + p.rejectPackets,
      acceptPackets: 0,
    }));
    const axis = (hidden: string[]) =>
      (buildRatioTimeOption(points, { theme: 'dark', hidden }).yAxis as { max: number }).max;
    expect(axis([])).toBe(1);
    expect(axis(['by packets'])).toBe(0.2);
    expect(
      buildRatioTimeOption(points, { theme: 'dark', hidden: ['by packets'] }).legend,
    ).toMatchObject({ selected: { 'by bytes': true, 'by packets': false } });
    // Nor does its tooltip list the series clicked off.
    const tip = (hidden: string[]) =>
      (
        buildRatioTimeOption(points, { theme: 'dark', hidden }).tooltip as {
          formatter: (p: unknown) => string;
        }
      ).formatter([{ axisValue: points[1]!.t }]);
    expect(tip([])).toMatch(/>by bytes<.*>by packets</s);
    expect(tip(['by packets'])).toContain('>by bytes<');
    expect(tip(['by packets'])).not.toContain('>by packets<');
    expect(tip(['by bytes'])).not.toContain('>by bytes<');
  });
  it('scales the share axis to round numbers above the data', () => {
    expect(shareAxis(0)).toEqual({ max: 0.01, interval: 0.0025 });
    expect(shareAxis(0.0909)).toEqual({ max: 0.2, interval: 0.05 });
    expect(shareAxis(1)).toEqual({ max: 1, interval: 0.25 });
  });
});
